#!/bin/bash
# Issue #12 in one device call: the parity check (full model and LoRA) and then the LoRA benchmark, leaving only a few
# files in OUT_DIR (a device call brings back about 8):
#   parity.md, parity.tar.gz        compare.py's table; every log, parity.json and the numbers of run_on_gpu.sh
#   lora-summary.md, lora-bench.tar.gz   summarize_lora.py's table; results.jsonl, logs and summary of the benchmark
#   times.txt                       the wall time of each part
# Run from the repository root with .device carried (bench/README.md: "Recipe"):
#   bash bench/run_lora_device_call.sh "$OUT"
# About 7 minutes on an H200 (parity ~1.5 min, benchmark ~5 min). PARITY=0 or BENCH=0 skips a part; the benchmark's
# DEADLINE defaults to 420 s here, counted from its own start, so the call stays under 10 minutes. Exit status: compare.py's (0 when the parity passes).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_ROOT=${1:-${OUT:-bench/out}}
mkdir -p "$OUT_ROOT"
OUT_ROOT=$(cd "$OUT_ROOT" && pwd)
rc=0
start=$(date +%s)
if [ "${PARITY:-1}" = 1 ]; then
  work=$(mktemp -d)
  bash "$HERE/parity/run_on_gpu.sh" "$work/parity"
  rc=$?
  cp "$work/parity/parity.md" "$OUT_ROOT/" 2>/dev/null
  tar czf "$OUT_ROOT/parity.tar.gz" -C "$work" parity
  rm -rf "$work"
  echo "parity: $(( $(date +%s) - start ))s, compare.py exit status $rc" | tee -a "$OUT_ROOT/times.txt"
fi
if [ "${BENCH:-1}" = 1 ]; then
  bench_start=$(date +%s)
  DEADLINE=${DEADLINE:-420} TAR_ONLY=1 bash "$HERE/run_lora_benchmark.sh" "$OUT_ROOT"
  echo "benchmark: $(( $(date +%s) - bench_start ))s" | tee -a "$OUT_ROOT/times.txt"
fi
echo "total: $(( $(date +%s) - start ))s" | tee -a "$OUT_ROOT/times.txt"
exit $rc
