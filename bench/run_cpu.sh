#!/bin/bash
# The CPU benchmark of dpo4j on the tiny shape (hidden 64, 2 layers, vocab 259), float32, with and without gradient
# checkpointing, so that speed changes show without a GPU. Run from the repository root after
# `cd bench && mvn -q -o package`:   bench/run_cpu.sh [RESULTS_DIR]   (SEQS, WARMUP, STEPS as in run_benchmark.sh)
set -uo pipefail
RESULTS=${1:-bench/out-cpu}
mkdir -p "$RESULTS"
SEQS=${SEQS:-"128 256 512 1024"}
CP=${BENCH_CLASSPATH:-"bench/target/lib/*:bench/target/dpo-bench-0.1.0-SNAPSHOT.jar"}
echo "| seq | gradient checkpointing | tokens/s | step s (timed) | load average before |" >"$RESULTS/cpu.md"
echo "|---|---|---|---|---|" >>"$RESULTS/cpu.md"
for seq in $SEQS; do
  for gc in "" --gradient-checkpointing; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    java ${JAVA_OPTS:--Dai.djl.offline=true} -cp "$CP" dev.dpo4j.bench.StepBenchmark --shape tiny --device cpu \
      --seq "$seq" --warmup "${WARMUP:-2}" --steps "${STEPS:-5}" $gc 2>/dev/null | grep '^{"impl"' | tee -a "$RESULTS/cpu.jsonl" |
      python3 -c "
import json, sys
r = json.loads(sys.stdin.read())
t = r['step_seconds'][r['warmup']:]
print(f\"| {r['seq']} | {'yes' if r['gradient_checkpointing'] else 'no'} | {r['tokens_per_s']:,.0f} | {' '.join(f'{s:.3f}' for s in t)} | $load |\")" >>"$RESULTS/cpu.md"
  done
done
cat "$RESULTS/cpu.md"
