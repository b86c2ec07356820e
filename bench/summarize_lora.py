#!/usr/bin/env python3
"""Side-by-side table of bench/run_lora_benchmark.sh results: summarize_lora.py results.jsonl [more.jsonl ...].

For every shape and (seq, pairs): the transformers + peft reference's tokens/s and memory, dpo4j's, and the ratios
(dpo4j / reference). Memory ratio: device used (cudaMemGetInfo after each step: CUDA context + caching allocator
reserve; measured the same way on both sides). The reference's torch.cuda.max_memory_allocated is shown as well (the
figure the issue quotes), with dpo4j's device-used figure over it as a second, conservative ratio (device used is
at least the allocator's reserve, which is at least what is allocated). A later row for the same (shape, seq, pairs,
variant) replaces an earlier one, unless it was skipped.
"""
import json
import sys

# the issue's figures for this reference on an H200: tokens/s, torch max allocated GiB
ISSUE = {(2048, 1): (6058, 16.6), (2048, 4): (6498, 24.1), (4096, 1): (5253, 19.1), (4096, 4): (5381, 34.3)}

rows = {}
for path in sys.argv[1:]:
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)
        key = (r.get("shape", "?"), r.get("seq"), r.get("pairs"), r.get("variant"))
        if r.get("status") != "skipped" or key not in rows:
            rows[key] = r


def value(r, key):
    if r is None or r.get("status") != "ok":
        return None
    return r.get(key)


def cell(r, key, fmt):
    if r is None:
        return "not run"
    if r.get("status") != "ok":
        return r.get("status", "?").upper() if r.get("status") == "oom" else r.get("status", "?")
    v = r.get(key)
    return "" if v is None else format(v, fmt)


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "-"


gpu = sorted({r.get("gpu") for r in rows.values() if r.get("gpu")})
if gpu:
    print("GPU:", ", ".join(gpu))
    print()
print("| shape | seq x pairs | reference tok/s | dpo4j tok/s | tok/s ratio | reference max alloc GiB |"
      " reference device used GiB | dpo4j device used GiB | memory ratio (device used) |"
      " dpo4j used / ref max alloc | issue's reference (tok/s, GiB) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for shape, seq, pairs in sorted({k[:3] for k in rows}, key=lambda k: (str(k[0]), k[1] * k[2], k[1])):
    ref = rows.get((shape, seq, pairs, "ref-lora"))
    d = rows.get((shape, seq, pairs, "dpo4j-lora"))
    issue = ISSUE.get((seq, pairs)) if shape == "mistral-7b" else None
    print(f"| {shape} | {seq} x {pairs} | {cell(ref, 'tokens_per_s', ',.0f')} | {cell(d, 'tokens_per_s', ',.0f')} | "
          f"{ratio(value(d, 'tokens_per_s'), value(ref, 'tokens_per_s'))} | "
          f"{cell(ref, 'max_memory_allocated_gib', '.1f')} | {cell(ref, 'device_used_gib', '.1f')} | "
          f"{cell(d, 'device_used_gib', '.1f')} | "
          f"{ratio(value(d, 'device_used_gib'), value(ref, 'device_used_gib'))} | "
          f"{ratio(value(d, 'device_used_gib'), value(ref, 'max_memory_allocated_gib'))} | "
          f"{f'{issue[0]:,}, {issue[1]}' if issue else ''} |")

print()
print("| variant | shape | seq x pairs | status | tok/s | step s (all; warmup first) | device used GiB (start) |"
      " max alloc / reserved GiB | nvidia-smi process peak GiB | build s | loss | note |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for key in sorted(rows, key=lambda k: (str(k[3]), str(k[0]), (k[1] or 0) * (k[2] or 0))):
    r = rows[key]
    tps = r.get("tokens_per_s")
    steps = " ".join(f"{s:.2f}" for s in r.get("step_seconds") or [])
    used = r.get("device_used_gib")
    start = r.get("device_used_start_gib")
    alloc, res = r.get("max_memory_allocated_gib"), r.get("max_memory_reserved_gib")
    note = r.get("error") or ""
    if r.get("phases_median_s"):
        note = ", ".join(f"{k} {v:.3f}" for k, v in r["phases_median_s"].items()) + (f"; {note}" if note else "")
    used_text = f"{used:.2f}" if isinstance(used, (int, float)) else ""
    if isinstance(start, (int, float)):
        used_text += f" ({start:.2f})"
    memory = f"{alloc:.2f} / {res:.2f}" if alloc is not None else ""
    build = f"{r['build_seconds']:.1f}" if r.get("build_seconds") else ""
    loss = f"{r['loss_last_step']:.4f}" if r.get("loss_last_step") is not None else ""
    print(f"| {key[3]} | {key[0]} | {key[1]} x {key[2]} | {r.get('status')} | {f'{tps:,.0f}' if tps else ''} | "
          f"{steps} | {used_text} | {memory} | {r.get('smi_process_peak_gib', '')} | {build} | {loss} | "
          f"{note[:200]} |")
