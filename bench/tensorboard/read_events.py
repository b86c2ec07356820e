#!/usr/bin/env python3
"""Reads the TensorBoard runs a dpo4j run wrote (--report_to tensorboard) with TensorBoard's own reader.

    python3 read_events.py dpo-output/runs [--out events.json]

Prints, as JSON, every run folder under the given folder with its scalar tags, and for each tag the steps, values
and wall times EventAccumulator found, so that a check can compare them with metrics.jsonl. Needs the tensorboard
package (pip install tensorboard); exits 2 when a run folder holds no scalars, or nothing is found.
"""

import argparse
import json
import math
import os
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def run_folders(root):
    """The folders under root that hold an events file, sorted (TensorBoard's runs)."""
    folders = set()
    for folder, _, files in os.walk(root):
        if any("tfevents" in name for name in files):
            folders.add(folder)
    return sorted(folders)


def read_run(folder):
    """Every scalar of one run, as EventAccumulator loads it (all files of the folder, in name order)."""
    accumulator = EventAccumulator(folder, size_guidance={"scalars": 0})  # 0: keep every event
    accumulator.Reload()
    tags = accumulator.Tags()["scalars"]
    scalars = {}
    for tag in sorted(tags):
        events = accumulator.Scalars(tag)
        scalars[tag] = {
            "steps": [e.step for e in events],
            # JSON has no NaN or infinity: written as strings
            "values": [e.value if math.isfinite(e.value) else str(e.value) for e in events],
            "wall_times": [e.wall_time for e in events],
        }
    files = sorted(name for name in os.listdir(folder) if "tfevents" in name)
    return {"run": os.path.relpath(folder), "files": files, "tags": sorted(tags), "scalars": scalars}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", help="a runs folder (output_dir/runs) or one run folder")
    parser.add_argument("--out", help="also write the JSON to this file")
    args = parser.parse_args()

    folders = run_folders(args.runs)
    if not folders:
        print(f"{args.runs}: no events files found", file=sys.stderr)
        return 2
    runs = [read_run(folder) for folder in folders]
    text = json.dumps({"runs": runs}, indent=1)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    empty = [r["run"] for r in runs if not r["tags"]]
    if empty:
        print(f"no scalars in {', '.join(empty)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
