#!/bin/bash
# The LoRA DPO step benchmark (issue #12): dpo4j against the transformers + peft reference (reference/dpo_lora_reference.py)
# on a randomly initialized Mistral-7B-shaped base in bfloat16, LoRA r 16 on every linear layer, gradient checkpointing,
# SDPA / flash attention, bf16 autocast on the reference side, fused AdamW on the adapters on both.
# Run from the repository root on a machine with an NVIDIA GPU, python3 (torch, transformers, peft) and Java 17 with
# the bench classpath (.device/lib + .device/env.sh on the project's lent GPU machine, see bench/README.md, or
# BENCH_CLASSPATH):
#
#   bench/run_lora_benchmark.sh OUT_DIR
#
# Everything goes to OUT_DIR/lora-bench/ (results.jsonl, summary.md, logs/, gpu.txt), packed at the end into
# OUT_DIR/lora-bench.tar.gz; summary.md is also copied to OUT_DIR/lora-summary.md.
#
# Environment (all optional):
#   CONFIGS   "2048x1 4096x1 2048x4 4096x4"   SEQxPAIRS run by both sides (prompt seq/2, completion seq/2 per sequence)
#   DPO4J_EXTRA "6000x1"                     configurations only dpo4j runs (after CONFIGS)
#   REF_EXTRA ""                             configurations only the reference runs (after CONFIGS)
#   SHAPE mistral-7b, LAYERS (all)           model shape; LAYERS N keeps N decoder layers (a quick run)
#   RANK 16, ALPHA 32, TARGETS all-linear    LoRA rank, alpha, target modules (or e.g. q_proj,v_proj)
#   WARMUP 2, STEPS 3                        untimed and timed steps per configuration
#   DPO4J_GC true                            dpo4j's gradient checkpointing: true (as the reference), auto or false
#   GROUPED 1                                1: one process per side runs all of its configurations (reference first,
#                                            then dpo4j), each process building the base once; 0: a process per
#                                            configuration, reference then dpo4j back to back as run_benchmark.sh
#                                            does. With 1, configurations a crashed process left without a row (after
#                                            at least one row) are run again one per process while time is left.
#   DEADLINE 540                             seconds from the start after which no process starts (0: none); a
#                                            process is cut at the deadline (its missing rows recorded as timeout)
#   RUN_TIMEOUT 420                          seconds one process may take
#   JAVA_OPTS -Dai.djl.offline=true
#   TAR_ONLY 0                               1: remove OUT_DIR/lora-bench/ once it is packed (few files come back
#                                            from a device call)
#
# Memory, the same way on both sides, per configuration: device_used_gib is the largest (total - free) that
# cudaMemGetInfo reports after a step (CUDA context + the caching allocator's reserve), the caching allocator emptied
# before each configuration; the reference also reports torch.cuda.max_memory_allocated / max_memory_reserved
# (the figures the issue quotes). nvidia-smi's peak over the whole process (maximum minus the idle reading before it)
# is kept in each row as smi_process_peak_gib, for information.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_ROOT=${1:-${OUT:-bench/out}}
mkdir -p "$OUT_ROOT"
OUT_ROOT=$(cd "$OUT_ROOT" && pwd)
RESULTS=$OUT_ROOT/lora-bench
LOGS=$RESULTS/logs
mkdir -p "$LOGS"
CONFIGS=${CONFIGS:-"2048x1 4096x1 2048x4 4096x4"}
DPO4J_EXTRA=${DPO4J_EXTRA-"6000x1"}
REF_EXTRA=${REF_EXTRA-""}
SHAPE=${SHAPE:-mistral-7b}
export SHAPE
LAYERS=${LAYERS:-}
RANK=${RANK:-16}
ALPHA=${ALPHA:-32}
TARGETS=${TARGETS:-all-linear}
WARMUP=${WARMUP:-2}
STEPS=${STEPS:-3}
DPO4J_GC=${DPO4J_GC:-true}
GROUPED=${GROUPED:-1}
DEADLINE=${DEADLINE:-540}
RUN_TIMEOUT=${RUN_TIMEOUT:-420}
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
if [ -z "${BENCH_CLASSPATH:-}" ] && [ -f .device/env.sh ]; then
  command -v java >/dev/null && [ "${JAVA_HOME:-}" = /tmp/jre ] || source .device/env.sh
  CP=".device/lib/*"
else
  CP=${BENCH_CLASSPATH:-"bench/target/lib/*:bench/target/dpo-bench-0.1.0-SNAPSHOT.jar"}
fi
START=$(date +%s)
JSONL=$RESULTS/results.jsonl
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >"$RESULTS/gpu.txt" 2>/dev/null

used_mib() { nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits 2>/dev/null | head -1; }
comma() { echo "$*" | tr ' ' ','; }

common=(--shape "$SHAPE" --warmup "$WARMUP" --steps "$STEPS")
[ -n "$LAYERS" ] && common+=(--layers "$LAYERS")

run_side() { # variant name configs...: one process running these configurations, rows appended to results.jsonl
  local variant=$1 name=$2
  shift 2
  local configs=("$@") now left limit log cmd rc idle peak poll_file poller status
  now=$(date +%s)
  limit=$RUN_TIMEOUT
  if [ "$DEADLINE" -gt 0 ]; then
    left=$((DEADLINE - (now - START)))
    if [ "$left" -lt 30 ]; then
      record "$variant" skipped "" 0 0 "${configs[@]}"
      return
    fi
    [ "$left" -lt "$limit" ] && limit=$left
  fi
  case $variant in
    ref-lora) cmd=(python3 "$HERE/reference/dpo_lora_reference.py" "${common[@]}" --rank "$RANK" --alpha "$ALPHA"
                   --targets "$TARGETS") ;;
    dpo4j-lora) cmd=(java ${JAVA_OPTS:--Dai.djl.offline=true} -cp "$CP" dev.dpo4j.bench.StepBenchmark "${common[@]}"
                     --bf16 --lora-r "$RANK" --lora-alpha "$ALPHA" --lora-targets "$TARGETS")
                case $DPO4J_GC in
                  true) cmd+=(--gradient-checkpointing) ;;
                  auto) cmd+=(--gradient-checkpointing-auto) ;;
                esac ;;
    *) echo "unknown variant $variant"; return ;;
  esac
  cmd+=(--configs "$(comma "${configs[@]}")")
  log=$LOGS/$SHAPE-$variant-$name.log
  sleep 1
  idle=$(used_mib)
  poll_file=$(mktemp)
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 >"$poll_file" 2>/dev/null &
  poller=$!
  echo "== $(date +%T) $variant ${configs[*]} (limit ${limit}s): ${cmd[*]}"
  timeout -k 10 "$limit" "${cmd[@]}" >"$log" 2>&1
  rc=$?
  kill "$poller" 2>/dev/null
  wait "$poller" 2>/dev/null
  peak=$(sort -n "$poll_file" | tail -1)
  rm -f "$poll_file"
  status=ok
  if [ $rc = 124 ] || [ $rc = 137 ]; then status=timeout
  elif [ $rc != 0 ] && [ $rc != 3 ]; then status="failed(rc=$rc)"
  fi
  record "$variant" "$status" "$log" "${idle:-0}" "${peak:-0}" "${configs[@]}"
  grep -v '^{"impl"' "$log" | grep -iE "error|exception|out of memory" | head -3
}

record() { # variant status log idle peak configs...: the process's JSON lines, and a row for each config without one
  python3 - "$JSONL" "$@" <<'EOF'
import json, os, sys
jsonl, variant, status, log, idle, peak, *configs = sys.argv[1:]
rows = []
if log:
    for line in open(log, errors="replace"):
        if line.startswith('{"impl"'):
            try:
                rows.append(json.loads(line))
            except ValueError as e:
                rows.append({"parse_error": str(e)})
smi = round((int(float(peak or 0)) - int(float(idle or 0))) / 1024, 2)
seen = set()
with open(jsonl, "a") as f:
    for r in rows:
        r["variant"] = variant
        if r.get("oom"):
            r["status"] = "oom"
        elif r.get("status") not in (None, "ok") or r.get("tokens_per_s") is None:
            r["status"] = r.get("status") if r.get("status") not in (None, "ok") else "failed"
        else:
            r["status"] = "ok"
        if status != "skipped":
            r["smi_process_peak_gib"] = smi
        seen.add(f"{r.get('seq')}x{r.get('pairs')}")
        f.write(json.dumps(r) + "\n")
        tps = r.get("tokens_per_s")
        print(f"-> {variant} {r.get('seq')}x{r.get('pairs')}: {r['status']}, tokens/s "
              f"{tps and round(tps)}, device used {r.get('device_used_gib') and round(r['device_used_gib'], 2)} GiB, "
              f"torch max allocated {r.get('max_memory_allocated_gib') and round(r['max_memory_allocated_gib'], 2)}")
    for c in configs:
        if c not in seen:
            seq, pairs = c.split("x")
            missing = "skipped" if status == "skipped" else (status if status != "ok" else "no row")
            f.write(json.dumps({"impl": variant.split("-")[0], "variant": variant, "shape": os.environ["SHAPE"],
                                "seq": int(seq),
                                "pairs": int(pairs), "status": missing, "log": log}) + "\n")
            print(f"-> {variant} {c}: {missing}")
EOF
  python3 "$HERE/summarize_lora.py" "$JSONL" >"$RESULTS/summary.md" 2>&1
}

missing() { # variant configs...: the configurations without an ok or oom row for variant (none if it has no such row)
  python3 - "$JSONL" "$@" <<'EOF'
import json, sys
jsonl, variant, *configs = sys.argv[1:]
done = set()
for line in open(jsonl):
    r = json.loads(line)
    if r.get("variant") == variant and r.get("status") in ("ok", "oom"):
        done.add(f"{r['seq']}x{r['pairs']}")
# a process that gave no row at all failed before its first configuration: once per configuration would too
print(" ".join(c for c in configs if c not in done) if done else "")
EOF
}

[ -f "$JSONL" ] || : >"$JSONL"
read -r -a both <<<"$CONFIGS"
read -r -a ref_only <<<"$REF_EXTRA"
read -r -a dpo4j_only <<<"$DPO4J_EXTRA"
ref_configs=("${both[@]}" "${ref_only[@]}")
dpo4j_configs=("${both[@]}" "${dpo4j_only[@]}")
if [ "$GROUPED" = 1 ]; then
  run_side ref-lora all "${ref_configs[@]}"
  run_side dpo4j-lora all "${dpo4j_configs[@]}"
  for variant in ref-lora dpo4j-lora; do # configurations a crashed process left without a row, one at a time
    if [ $variant = ref-lora ]; then configs=("${ref_configs[@]}"); else configs=("${dpo4j_configs[@]}"); fi
    for c in $(missing "$variant" "${configs[@]}"); do
      run_side "$variant" "$c" "$c"
    done
  done
else
  for c in "${both[@]}"; do
    run_side ref-lora "$c" "$c"
    run_side dpo4j-lora "$c" "$c"
  done
  for c in "${ref_only[@]}"; do run_side ref-lora "$c" "$c"; done
  for c in "${dpo4j_only[@]}"; do run_side dpo4j-lora "$c" "$c"; done
fi
cat "$RESULTS/summary.md"
cp "$RESULTS/summary.md" "$OUT_ROOT/lora-summary.md"
echo "run_lora_benchmark.sh: done in $(( $(date +%s) - START ))s; results in $RESULTS"
tar czf "$OUT_ROOT/lora-bench.tar.gz" -C "$OUT_ROOT" lora-bench && [ "${TAR_ONLY:-0}" = 1 ] && rm -rf "$RESULTS"
exit 0
