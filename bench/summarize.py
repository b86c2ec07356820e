#!/usr/bin/env python3
"""Side-by-side table of bench/run_benchmark.sh results: summarize.py results.jsonl [more.jsonl ...] > summary.md.

For every shape and sequence length: the reference's tokens/s and peak GPU memory (nvidia-smi, maximum minus idle),
each dpo4j variant's, and the ratios (dpo4j / reference). The target is tokens/s ratio >= 1 and memory ratio <= 0.5.
A later row for the same (shape, seq, variant) replaces an earlier one.
"""
import json
import sys

rows = {}
for path in sys.argv[1:]:
    for line in open(path):
        line = line.strip()
        if line:
            r = json.loads(line)
            if r.get("status") != "skipped" or (r["shape"], r["seq"], r["variant"]) not in rows:
                rows[(r["shape"], r["seq"], r["variant"])] = r

gpu = sorted({r.get("gpu") for r in rows.values() if r.get("gpu")})
if gpu:
    print("GPU:", ", ".join(gpu))
    print()
print("| shape | seq | reference tok/s | dpo4j variant | dpo4j tok/s | tok/s ratio | reference peak GiB |"
      " dpo4j peak GiB | memory ratio |")
print("|---|---|---|---|---|---|---|---|---|")


def show(r, key):
    if r is None:
        return "not run", None
    if r.get("status") != "ok":
        return r.get("status"), None
    v = r.get(key)
    return (f"{v:,.0f}" if key == "tokens_per_s" else f"{v:.1f}"), v


for shape, seq in sorted({(k[0], k[1]) for k in rows}, key=lambda k: (k[0], k[1])):
    ref = rows.get((shape, seq, "ref"))
    ref_tps, ref_tps_v = show(ref, "tokens_per_s")
    ref_mem, ref_mem_v = show(ref, "peak_gib_smi")
    if ref is not None and ref.get("status") == "oom":
        ref_mem = "OOM"
    labels = {"dpo4j-gc": "bf16 + checkpointing", "dpo4j": "bf16", "dpo4j-noshare": "bf16, rows not shared", "dpo4j-auto": "bf16, checkpointing auto",
              "dpo4j-fp16-gc": "fp16 + checkpointing", "dpo4j-djl-gc": "fp16 + checkpointing, DJL kernels",
              "dpo4j-gc-patched": "fp16 + checkpointing, patched*", "dpo4j-patched": "fp16, patched*"}
    for variant in labels:
        d = rows.get((shape, seq, variant))
        if d is None:
            continue
        tps, tps_v = show(d, "tokens_per_s")
        mem, mem_v = show(d, "peak_gib_smi")
        if d.get("status") == "oom":
            mem = "OOM"
        tr = f"{tps_v / ref_tps_v:.2f}" if tps_v and ref_tps_v else "-"
        mr = f"{mem_v / ref_mem_v:.2f}" if mem_v and ref_mem_v else "-"
        label = labels[variant]
        print(f"| {shape} | {seq} | {ref_tps} | {label} | {tps} | {tr} | {ref_mem} | {mem} | {mr} |")

extra = [r for k, r in sorted(rows.items()) if k[2] in ("ref", "ref-gc", "dpo4j-profile", "dpo4j-profile-patched")]
if extra:
    print()
    print("| shape | seq | variant | status | tok/s | peak GiB | phases (median s) |")
    print("|---|---|---|---|---|---|---|")
    for r in extra:
        tps = r.get("tokens_per_s") or r.get("profiled_tokens_per_s")
        phases = r.get("phases") or r.get("phases_median_s") or {}
        ph = ", ".join(f"{k.removesuffix('_s')} {v:.3f}" for k, v in phases.items())
        print(f"| {r['shape']} | {r['seq']} | {r['variant']} | {r.get('status')} | "
              f"{f'{tps:,.0f}' if tps else ''} | {r.get('peak_gib_smi', '')} | {ph} |")
