#!/bin/bash
# The dpo4j <-> transformers parity check, end to end. Run from the repository root:
#   bench/parity/run_on_gpu.sh [RESULTS_DIR]
# RESULTS_DIR defaults to $OUT (set on the project's lent GPU machine), else bench/parity/out.
# Needs python3 with torch, transformers (>= 4.45; 5.x tested) and safetensors, and Java 17 with the bench
# classpath: .device/lib (made as bench/README.md says, used together with .device/env.sh when present),
# or PARITY_CLASSPATH (default "bench/target/lib/*:bench/target/dpo-bench-0.1.0-SNAPSHOT.jar").
# Intermediate files (checkpoints, post-step weights) go to PARITY_WORK (default /tmp/dpo4j-parity).
# PARITY_LORA=1 (the default) also runs the LoRA parity (issue #12; python3 needs peft): lora_reference.py make on the
# saved bases, LoraParityCheck (dpo4j's adapters and one DpoTrainer step from the adapter folder), then
# lora_reference.py load-check (PeftModel.from_pretrained of dpo4j's saved adapter); PARITY_LORA=0 skips it.
# Exit status: that of compare.py (0 all pass, 1 a check failed, 2 results missing), or the failing step's.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RESULTS=${1:-${OUT:-bench/parity/out}}
WORK=${PARITY_WORK:-/tmp/dpo4j-parity}
PARITY_LORA=${PARITY_LORA:-1}
mkdir -p "$RESULTS" "$WORK"
rm -rf "$WORK"/*_lora "$WORK"/*_lora_*   # a previous run's LoRA files would be compared again
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
if [ -f .device/env.sh ]; then
  source .device/env.sh
  CP=${PARITY_CLASSPATH:-".device/lib/*"}
else
  CP=${PARITY_CLASSPATH:-"bench/target/lib/*:bench/target/dpo-bench-0.1.0-SNAPSHOT.jar"}
fi
# float32 must stay IEEE float32 on both sides (no TF32 matmuls)
unset TORCH_ALLOW_TF32_CUBLAS_OVERRIDE
nvidia-smi -L 2>/dev/null | tee "$RESULTS/device.txt"

python3 "$HERE/make_reference.py" "$WORK" 2>&1 | tee "$RESULTS/make_reference.log"
[ "${PIPESTATUS[0]}" = 0 ] || { echo "make_reference.py failed"; exit 3; }
if [ "$PARITY_LORA" = 1 ]; then
  python3 "$HERE/lora_reference.py" make "$WORK" 2>&1 | tee "$RESULTS/lora_reference.log"
  [ "${PIPESTATUS[0]}" = 0 ] || echo "lora_reference.py make failed (compare.py reports what is missing)"
fi

cases=()
for ref in "$WORK"/*_reference.json; do
  model=$(basename "$ref" _reference.json)
  cases+=("$WORK/$model" "$ref" "$WORK/${model}_java.json")
  cases+=("$WORK/${model}_legacy" "$ref" "$WORK/${model}_legacy_java.json")
done
java ${JAVA_OPTS:--Dai.djl.offline=true} -cp "$CP" dev.dpo4j.bench.ParityCheck "${cases[@]}" 2>&1 \
  | tee "$RESULTS/parity_check.log"
[ "${PIPESTATUS[0]}" = 0 ] || echo "ParityCheck failed (compare.py reports what is missing)"
if [ "$PARITY_LORA" = 1 ]; then
  lora=()
  for ref in "$WORK"/*_lora_hf.json; do
    [ -f "$ref" ] && lora+=("$ref" "${ref%_hf.json}_java.json")
  done
  if [ ${#lora[@]} -gt 0 ]; then
    java ${JAVA_OPTS:--Dai.djl.offline=true} -cp "$CP" dev.dpo4j.bench.LoraParityCheck "${lora[@]}" 2>&1 \
      | tee "$RESULTS/lora_parity_check.log"
    [ "${PIPESTATUS[0]}" = 0 ] || echo "LoraParityCheck failed (compare.py shows the rows it could not fill)"
    python3 "$HERE/lora_reference.py" load-check "$WORK" 2>&1 | tee "$RESULTS/lora_load_check.log"
  fi
fi

python3 "$HERE/compare.py" "$WORK" --markdown "$RESULTS/parity.md" --json "$RESULTS/parity.json"
rc=$?
(cd "$WORK" && shopt -s nullglob && tar czf "$RESULTS/numbers.tar.gz" ./*_reference.json ./*_java.json \
  ./*_lora_hf.json ./*_lora_peft_loads.json ./*_lora/adapter_config.json ./*_lora_java_out/adapter_config.json)
echo "compare.py exit status $rc; results in $RESULTS"
exit $rc
