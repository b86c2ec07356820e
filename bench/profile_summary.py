"""Summarize a libtorch profiler chrome trace (StepBenchmark --torch-profile): total time per op name, CPU and CUDA.

    python3 bench/profile_summary.py trace.json [top]
"""
import collections
import json
import sys

trace = json.load(open(sys.argv[1]))
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
events = trace["traceEvents"] if isinstance(trace, dict) else trace
by_kind = collections.defaultdict(lambda: collections.defaultdict(lambda: [0.0, 0]))
for e in events:
    if e.get("ph") != "X" or "dur" not in e:
        continue
    kind = "cuda" if "cuda" in str(e.get("cat", "")).lower() or "stream" in str(e.get("tid", "")).lower() \
        or "gpu" in str(e.get("cat", "")).lower() else "cpu"
    entry = by_kind[kind][e["name"]]
    entry[0] += e["dur"]
    entry[1] += 1
for kind, ops in by_kind.items():
    total = sum(v[0] for v in ops.values())
    print(f"## {kind}: {total / 1e3:.1f} ms over {sum(v[1] for v in ops.values())} events")
    for name, (dur, count) in sorted(ops.items(), key=lambda kv: -kv[1][0])[:top]:
        print(f"{dur / 1e3:9.2f} ms {count:7d}  {name}")
