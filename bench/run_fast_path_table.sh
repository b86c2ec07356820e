#!/bin/bash
# Issue #11's table in device calls of under 10 minutes each, from the repository root with .device carried
# (bench/README.md, "Recipe"):
#
#   PART=A bash bench/run_fast_path_table.sh "$OUT"   # parity of the fast path, then for each shape and length: the
#                                                     # reference, dpo4j without and with checkpointing, and dpo4j
#                                                     # with checkpointing auto held to half the reference's peak
#   PART=B bash bench/run_fast_path_table.sh "$OUT"   # 8192 tokens (dpo4j only) and the short-prompt column
#
# "Held to half" runs the library's default (gradient_checkpointing auto) with -Ddpo4j.gpu_memory_limit_gib set to
# half the reference's nvidia-smi peak of the same shape and length, measured just before in the same call: auto then
# recomputes as few layers as fit that budget. Results: OUT/table, OUT/half, OUT/long, OUT/short (each a
# run_benchmark.sh folder: results.jsonl, results.md, summary.md, logs), packed into OUT/fast-path.tar.gz with the
# parity folder (PARITY=0 skips it) after every part (so a call cut short still brings back what ran); OUT/times.txt has the wall time
# of each part. SHAPES and SEQS override the defaults.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-${OUT:-bench/out}}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SHAPES=${SHAPES:-"qwen2.5-0.5b llama-1b"}
export WARMUP=${WARMUP:-3} STEPS=${STEPS:-5}
start=$(date +%s)
pack() { tar czf "$OUT/fast-path.tar.gz.part" -C "$OUT" --exclude='fast-path.tar.gz*' $(cd "$OUT" && ls) &&
  mv "$OUT/fast-path.tar.gz.part" "$OUT/fast-path.tar.gz"; }
stamp() { echo "$1: $(( $(date +%s) - start ))s" | tee -a "$OUT/times.txt"; pack; }

ref_half_gib() { # shape seq: half the reference's peak in OUT/table, or nothing
  python3 - "$OUT/table/results.jsonl" "$1" "$2" <<'EOF'
import json, sys
path, shape, seq = sys.argv[1], sys.argv[2], int(sys.argv[3])
peaks = [r["peak_gib_smi"] for r in map(json.loads, open(path))
         if r["shape"] == shape and r["seq"] == seq and r["variant"] == "ref" and r["status"] == "ok"]
print(f"{peaks[-1] / 2:.2f}" if peaks else "")
EOF
}

case ${PART:-A} in
  A)
    if [ "${PARITY:-1}" = 1 ]; then
      JAVA_OPTS="-Dai.djl.offline=true -Ddpo4j.kernels=torchscript -Ddpo4j.share_prompt=true" \
        bash "$HERE/parity/run_on_gpu.sh" "$OUT/parity" >"$OUT/parity.log" 2>&1
      echo "parity: compare.py exit status $?" | tee -a "$OUT/times.txt"
      stamp parity
    fi
    for shape in $SHAPES; do
      for seq in ${SEQS:-512 1024 2048 4096}; do
        SHAPES=$shape SEQS=$seq VARIANTS="ref dpo4j dpo4j-gc" NOGC_MAX=8192 \
          bash "$HERE/run_benchmark.sh" "$OUT/table" >>"$OUT/table.log" 2>&1
        half=$(ref_half_gib "$shape" "$seq")
        if [ -n "$half" ]; then
          JAVA_OPTS="-Dai.djl.offline=true -Ddpo4j.gpu_memory_limit_gib=$half" SHAPES=$shape SEQS=$seq \
            VARIANTS=dpo4j-auto bash "$HERE/run_benchmark.sh" "$OUT/half" >>"$OUT/half.log" 2>&1
        fi
        stamp "$shape $seq"
      done
    done
    ;;
  B)
    SHAPES=$SHAPES SEQS=${SEQS:-8192} VARIANTS="dpo4j-gc dpo4j-auto" bash "$HERE/run_benchmark.sh" "$OUT/long" \
      >"$OUT/long.log" 2>&1
    stamp long
    PROMPT_DIV=8 SHAPES=$SHAPES SEQS=2048 VARIANTS="ref dpo4j-gc dpo4j" NOGC_MAX=8192 \
      bash "$HERE/run_benchmark.sh" "$OUT/short" >"$OUT/short.log" 2>&1
    stamp short
    ;;
esac
pack
