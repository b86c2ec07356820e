#!/bin/bash
# gradient_checkpointing auto against measured memory, from the repository root with .device carried (bench/README.md,
# "Recipe"): for each "shape seq limit" of CONFIGS (comma-separated; defaults below), StepBenchmark --bf16 with auto under
# -Ddpo4j.gpu_memory_limit_gib=limit, one line to OUT/calibration.txt: nvidia-smi's peak (polled every 200 ms), auto's
# logged decision (layers recomputed, estimated activations, budget), tokens/s and DJL's peak. The measured activations
# are DJL's peak less the memory in use when the budget was read (limit - budget / ACTIVATION_SHARE, less the
# gradients the budget sets aside) — how BENCHMARKS.md ("The fast path, third pass") compares them with the estimate.
#
#   CONFIGS="qwen2.5-0.5b 4096 47.1,llama-1b 2048 35.4" bash bench/run_auto_calibration.sh "$OUT"
set -uo pipefail
OUT=${1:-bench/out}
mkdir -p "$OUT"
[ -f .device/env.sh ] && source .device/env.sh >/dev/null
start=$(date +%s)
CONFIGS=${CONFIGS:-"qwen2.5-0.5b 4096 140,llama-1b 4096 140,qwen2.5-0.5b 2048 140,qwen2.5-0.5b 4096 47.1,\
llama-1b 4096 55.7,llama-1b 2048 35.4,qwen2.5-0.5b 8192 140,llama-1b 8192 140"}
IFS=, read -ra lines <<<"$CONFIGS"
for line in "${lines[@]}"; do
  read -r shape seq limit <<<"$line"
  log=$OUT/$shape-$seq-$limit.log
  java -Dai.djl.offline=true -Ddpo4j.gpu_memory_limit_gib="$limit" -cp "${BENCH_CLASSPATH:-.device/lib/*}" \
    dev.dpo4j.bench.StepBenchmark --shape "$shape" --seq "$seq" --bf16 --gradient-checkpointing-auto --warmup 2 \
    --steps 3 >"$log" 2>&1 &
  pid=$!
  peak=0
  while kill -0 $pid 2>/dev/null; do
    m=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1)
    [ "$m" -gt "$peak" ] && peak=$m
    sleep 0.2
  done
  echo "$shape $seq $limit smi_peak_mib $peak $(grep -o 'recompute [0-9]* of [0-9]* layers, activations estimated at [0-9.]* of [0-9.]* GiB' "$log") $(grep -o '"tokens_per_s":[0-9.]*' "$log") $(grep -o '"djl_peak_used_gib":[0-9.]*' "$log") t=$(( $(date +%s) - start ))" | tee -a "$OUT/calibration.txt"
done
