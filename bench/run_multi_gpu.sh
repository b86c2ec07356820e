#!/bin/bash
# Data-parallel scaling of dpo4j on one host: the same model, sequence length and per-device batch on 1, 2, ... GPUs.
# Run from the repository root on a machine with NVIDIA GPUs and Java 17 with the bench classpath (.device/lib +
# .device/env.sh on the lent GPU machine, see bench/README.md, or BENCH_CLASSPATH):
#
#   bench/run_multi_gpu.sh RESULTS_DIR
#
# Environment (all optional):
#   SHAPE "qwen2.5-0.5b"   SEQ 1024   PAIRS 4 (per device per step)   WARMUP 3   STEPS 6
#   DEVICE_SETS "gpu0 gpu0,gpu1"   space-separated runs, each a comma-separated --devices list
#   FLAGS "--fp16 --gradient-checkpointing"   RUN_TIMEOUT 300
#   CHECKS "gpu0,gpu1"     device lists for MultiDeviceCheck (tiny model: data-parallel weights = one-device weights)
#
# Peak memory per GPU: nvidia-smi memory.used polled every 100 ms while the run lasts, maximum minus the reading just
# before it (CUDA context and caching allocator included). Results: RESULTS_DIR/multi_gpu.jsonl and multi_gpu.md
# (tokens/s over all devices, scaling against the first device set, peak GiB per GPU).
set -uo pipefail
RESULTS=${1:-${OUT:-bench/out}}
mkdir -p "$RESULTS"
SHAPE=${SHAPE:-qwen2.5-0.5b}
SEQ=${SEQ:-1024}
PAIRS=${PAIRS:-4}
WARMUP=${WARMUP:-3}
STEPS=${STEPS:-6}
DEVICE_SETS=${DEVICE_SETS:-"gpu0 gpu0,gpu1"}
FLAGS=${FLAGS:-"--fp16 --gradient-checkpointing"}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
CHECKS=${CHECKS:-}
if [ -z "${BENCH_CLASSPATH:-}" ] && [ -f .device/env.sh ]; then
  command -v java >/dev/null && [ "${JAVA_HOME:-}" = /tmp/jre ] || source .device/env.sh
  CP=".device/lib/*"
else
  CP=${BENCH_CLASSPATH:-"bench/target/lib/*:bench/target/dpo-bench-0.1.0-SNAPSHOT.jar"}
fi
JAVA=(java -Dai.djl.offline=true -cp "$CP")
nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader >"$RESULTS/gpus.txt" 2>/dev/null
JSONL=$RESULTS/multi_gpu.jsonl
: >"$JSONL"

for devices in $CHECKS; do
  for precision in "" "--fp16 --gradient-checkpointing"; do
    echo "== $(date +%T) MultiDeviceCheck --devices $devices $precision"
    timeout -k 10 "$RUN_TIMEOUT" "${JAVA[@]}" dev.dpo4j.bench.MultiDeviceCheck --devices "$devices" $precision \
      2>"$RESULTS/check-$devices${precision:+-fp16}.err" | tee -a "$RESULTS/checks.jsonl"
    tail -2 "$RESULTS/check-$devices${precision:+-fp16}.err"
  done
done

for devices in $DEVICE_SETS; do
  log=$RESULTS/multi-$devices.log
  idle=$(nvidia-smi --query-gpu=index,memory.used --format=csv,noheader,nounits 2>/dev/null | tr -d ' ')
  poll=$(mktemp)
  nvidia-smi --query-gpu=index,memory.used --format=csv,noheader,nounits -lms 100 >"$poll" 2>/dev/null &
  poller=$!
  echo "== $(date +%T) $SHAPE seq $SEQ devices $devices"
  timeout -k 10 "$RUN_TIMEOUT" "${JAVA[@]}" dev.dpo4j.bench.StepBenchmark --shape "$SHAPE" --seq "$SEQ" \
    --pairs "$PAIRS" --warmup "$WARMUP" --steps "$STEPS" $FLAGS --devices "$devices" >"$log" 2>&1
  rc=$?
  kill "$poller" 2>/dev/null
  wait "$poller" 2>/dev/null
  python3 - "$devices" "$rc" "$log" "$poll" "$idle" "$JSONL" <<'EOF'
import json, sys
devices, rc, log, poll, idle, jsonl = sys.argv[1:]
row = {"devices_arg": devices, "rc": int(rc)}
lines = [l for l in open(log) if l.startswith('{"impl"')]
if lines:
    row.update(json.loads(lines[-1]))
base = {}
for line in idle.split():
    i, m = line.split(",")
    base[i] = int(float(m))
peak = {}
for line in open(poll):
    parts = line.replace(" ", "").strip().split(",")
    if len(parts) == 2 and parts[1]:
        peak[parts[0]] = max(peak.get(parts[0], 0), int(float(parts[1])))
row["smi_peak_gib_per_gpu"] = {i: round((peak[i] - base.get(i, 0)) / 1024, 2) for i in sorted(peak)}
open(jsonl, "a").write(json.dumps(row) + "\n")
print(f"-> devices {devices}: rc {rc}, tokens/s {row.get('tokens_per_s')}, peak GiB per GPU {row['smi_peak_gib_per_gpu']}")
EOF
  rm -f "$poll"
  tail -c 400 "$log" | grep -v '^{"impl"' | tail -2
done

python3 - "$JSONL" "$RESULTS/multi_gpu.md" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
out = ["| devices | tokens/s | scaling | step s (timed) | peak GiB per GPU (nvidia-smi) | DJL used GiB per GPU |",
       "|---|---|---|---|---|---|"]
first = next((r.get("tokens_per_s") for r in rows if r.get("tokens_per_s")), None)
for r in rows:
    tps = r.get("tokens_per_s")
    steps = r.get("step_seconds", [])[r.get("warmup", 0):]
    out.append("| {} | {} | {} | {} | {} | {} |".format(
        r["devices_arg"], f"{tps:,.0f}" if tps else f"failed (rc {r['rc']})",
        f"{tps / first:.2f}x" if tps and first else "",
        " ".join(f"{s:.3f}" for s in steps),
        ", ".join(f"gpu{i}: {g}" for i, g in r.get("smi_peak_gib_per_gpu", {}).items()),
        ", ".join(f"{g:.1f}" for g in r.get("djl_peak_used_gib_per_device", []))))
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print("\n".join(out))
EOF
