#!/bin/bash
# The DPO step benchmark, dpo4j against the plain PyTorch + transformers reference, one process at a time.
# Run from the repository root on a machine with an NVIDIA GPU, python3 (torch, transformers) and Java 17 with the
# bench classpath (.device/lib + .device/env.sh on the project's lent GPU machine, see bench/README.md, or
# BENCH_CLASSPATH):
#
#   bench/run_benchmark.sh RESULTS_DIR
#
# Environment (all optional):
#   SHAPES     "qwen2.5-0.5b llama-1b"          model shapes
#   SEQS       "512 1024 2048 4096"             sequence lengths (prompt seq/2 + completion seq/2, per sequence)
#   VARIANTS   "ref dpo4j-gc dpo4j"             ref: reference (bf16 autocast, SDPA, no checkpointing);
#              ref-gc: reference with gradient checkpointing; dpo4j-gc: dpo4j bf16 (default kernels) + gradient
#              checkpointing; dpo4j: dpo4j bf16 without checkpointing; dpo4j-fp16-gc: fp16 + checkpointing;
#              dpo4j-djl-gc: fp16 + checkpointing on the pure-DJL kernels (the path before the TorchScript kernels);
#              dpo4j-noshare: bf16, no checkpointing, chosen and rejected in separate rows;
#              dpo4j-auto: bf16 with gradient_checkpointing auto (the library's default);
#              dpo4j-profile: the DJL-kernel fp16 step cut into synchronized phases (PhaseProfile)
#   NOGC_MAX   1024                             dpo4j (no checkpointing) runs only up to this length
#   PAIRS 4, WARMUP 2, STEPS 5                  pairs per step, untimed and timed steps
#   PROMPT_DIV (unset)                          prompts of seq/PROMPT_DIV tokens on both sides (default seq/2)
#   DEADLINE   0                                seconds from the start after which no run starts (0: none); a run
#                                               is cut at the deadline (recorded as timeout)
#   RUN_TIMEOUT 300                             seconds one run may take
#   JAVA_OPTS  -Dai.djl.offline=true
#   LOGS       RESULTS_DIR/logs                 each run's output (LOGS/<shape>-<seq>-<variant>.log)
#
# Peak GPU memory is measured the same way for both sides: nvidia-smi memory.used polled every 100 ms while the
# process runs, maximum minus the idle reading just before it starts (includes the CUDA context and the caching
# allocator's reserve). Each result is appended to RESULTS_DIR/results.jsonl and results.md as soon as it exists,
# and RESULTS_DIR/summary.md (the side-by-side table) is rewritten after every run.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RESULTS=${1:-${OUT:-bench/out}}
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)
SHAPES=${SHAPES:-"qwen2.5-0.5b llama-1b"}
SEQS=${SEQS:-"512 1024 2048 4096"}
VARIANTS=${VARIANTS:-"ref dpo4j-gc dpo4j"}
NOGC_MAX=${NOGC_MAX:-1024}
PAIRS=${PAIRS:-4}
WARMUP=${WARMUP:-2}
STEPS=${STEPS:-5}
DEADLINE=${DEADLINE:-0}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
export PYTHONUNBUFFERED=1
if [ -z "${BENCH_CLASSPATH:-}" ] && [ -f .device/env.sh ]; then
  command -v java >/dev/null && [ "${JAVA_HOME:-}" = /tmp/jre ] || source .device/env.sh
  CP=".device/lib/*"
else
  CP=${BENCH_CLASSPATH:-"bench/target/lib/*:bench/target/dpo-bench-0.1.0-SNAPSHOT.jar"}
fi
START=$(date +%s)
LOGS=${LOGS:-$RESULTS/logs}
JSONL=$RESULTS/results.jsonl
MD=$RESULTS/results.md
[ -f "$MD" ] || {
  echo "| shape | seq | variant | status | tokens/s | peak GPU GiB (nvidia-smi) | torch max alloc / reserved GiB | step s (timed) |" >"$MD"
  echo "|---|---|---|---|---|---|---|---|" >>"$MD"
}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >"$RESULTS/gpu.txt" 2>/dev/null

used_mib() { nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits 2>/dev/null | head -1; }

run_one() { # shape seq variant
  local shape=$1 seq=$2 variant=$3 now left limit cmd log
  now=$(date +%s)
  limit=$RUN_TIMEOUT
  if [ "$DEADLINE" -gt 0 ]; then
    left=$((DEADLINE - (now - START)))
    if [ "$left" -lt 20 ]; then
      record "$shape" "$seq" "$variant" skipped "" 0 0
      return
    fi
    [ "$left" -lt "$limit" ] && limit=$left
  fi
  local cp=$CP
  local java=(java ${JAVA_OPTS:--Dai.djl.offline=true} -cp "$cp" dev.dpo4j.bench.StepBenchmark)
  case $variant in
    ref) cmd=(python3 "$HERE/reference/dpo_step_reference.py") ;;
    ref-gc) cmd=(python3 "$HERE/reference/dpo_step_reference.py" --gradient-checkpointing) ;;
    dpo4j-gc) cmd=("${java[@]}" --bf16 --gradient-checkpointing) ;;
    dpo4j) cmd=("${java[@]}" --bf16) ;;
    dpo4j-fp16-gc) cmd=("${java[@]}" --fp16 --gradient-checkpointing) ;;
    dpo4j-djl-gc) cmd=("${java[@]}" --fp16 --kernels djl --gradient-checkpointing) ;;
    dpo4j-noshare) cmd=("${java[@]}" --bf16 --no-share-prompt) ;;
    dpo4j-auto) cmd=("${java[@]}" --bf16 --gradient-checkpointing-auto) ;;
    dpo4j-profile) cmd=("${java[@]}" --fp16 --kernels djl --profile) ;;
    *) echo "unknown variant $variant"; return ;;
  esac
  cmd+=(--shape "$shape" --seq "$seq" --pairs "$PAIRS" --warmup "$WARMUP" --steps "$STEPS")
  [ -n "${PROMPT_DIV:-}" ] && cmd+=(--prompt-tokens $((seq / PROMPT_DIV)))
  log=$LOGS/$shape-$seq-$variant.log
  mkdir -p "$LOGS"
  sleep 1
  local idle poll_file poller rc peak
  idle=$(used_mib)
  poll_file=$(mktemp)
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 >"$poll_file" 2>/dev/null &
  poller=$!
  echo "== $(date +%T) $shape seq $seq $variant (limit ${limit}s): ${cmd[*]}"
  timeout -k 10 "$limit" "${cmd[@]}" >"$log" 2>&1
  rc=$?
  kill "$poller" 2>/dev/null
  wait "$poller" 2>/dev/null
  peak=$(sort -n "$poll_file" | tail -1)
  rm -f "$poll_file"
  local status=ok
  if [ $rc = 124 ] || [ $rc = 137 ]; then status=timeout
  elif grep -qiE "out of memory|OutOfMemoryError|CUDA_ERROR_OUT_OF_MEMORY" "$log"; then status=oom
  elif [ $rc != 0 ]; then status="failed(rc=$rc)"
  fi
  grep '^{"impl"' "$log" | tail -1 >"$log.json"
  record "$shape" "$seq" "$variant" "$status" "$log.json" "${idle:-0}" "${peak:-0}"
  tail -c 600 "$log" | grep -v '^{"impl"' | tail -3
}

record() { # shape seq variant status jsonfile idle peak
  python3 - "$@" "$JSONL" "$MD" <<'EOF'
import json, sys
shape, seq, variant, status, jf, idle, peak, jsonl, md = sys.argv[1:]
row = {}
if jf:
    try:
        row = json.loads(open(jf).read().strip() or "{}")
    except Exception as e:
        row = {"parse_error": str(e)}
row.update(shape=shape, seq=int(seq), variant=variant, status=status)
if status != "skipped":
    row["smi_idle_mib"] = int(float(idle or 0))
    row["smi_peak_mib"] = int(float(peak or 0))
    row["peak_gib_smi"] = round((row["smi_peak_mib"] - row["smi_idle_mib"]) / 1024, 2)
with open(jsonl, "a") as f:
    f.write(json.dumps(row) + "\n")
tps = row.get("tokens_per_s") or row.get("profiled_tokens_per_s")
alloc = row.get("max_memory_allocated_gib")
res = row.get("max_memory_reserved_gib")
steps = row.get("step_seconds")
timed = steps[row.get("warmup", 0):] if steps else None
with open(md, "a") as f:
    f.write("| {} | {} | {} | {} | {} | {} | {} | {} |\n".format(
        shape, seq, variant, status, f"{tps:,.0f}" if tps else "", row.get("peak_gib_smi", ""),
        f"{alloc:.1f} / {res:.1f}" if alloc is not None else "",
        " ".join(f"{s:.3f}" for s in timed) if timed else ""))
print(f"-> {variant} {shape} {seq}: {status}, tokens/s {tps}, peak {row.get('peak_gib_smi')} GiB")
EOF
  python3 "$HERE/summarize.py" "$JSONL" >"$RESULTS/summary.md" 2>&1
}

for shape in $SHAPES; do
  for seq in $SEQS; do
    for variant in $VARIANTS; do
      case $variant in dpo4j) [ "$seq" -gt "$NOGC_MAX" ] && continue ;; esac
      run_one "$shape" "$seq" "$variant"
    done
  done
done
cat "$RESULTS/summary.md"
echo "run_benchmark.sh: done in $(( $(date +%s) - START ))s; results in $RESULTS"
