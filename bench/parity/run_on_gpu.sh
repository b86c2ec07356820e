#!/bin/bash
# The dpo4j <-> transformers parity check, end to end. Run from the repository root:
#   bench/parity/run_on_gpu.sh [RESULTS_DIR]
# RESULTS_DIR defaults to $OUT (set on the project's lent GPU machine), else bench/parity/out.
# Needs python3 with torch, transformers (>= 4.45; 5.x tested) and safetensors, and Java 17 with the bench
# classpath: .device/lib (made as bench/README.md says, used together with .device/env.sh when present),
# or PARITY_CLASSPATH (default "bench/target/lib/*:bench/target/dpo-bench-0.1.0-SNAPSHOT.jar").
# Intermediate files (checkpoints, post-step weights) go to PARITY_WORK (default /tmp/dpo4j-parity).
# Exit status: that of compare.py (0 all pass, 1 a check failed, 2 results missing), or the failing step's.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RESULTS=${1:-${OUT:-bench/parity/out}}
WORK=${PARITY_WORK:-/tmp/dpo4j-parity}
mkdir -p "$RESULTS" "$WORK"
export PYTHONUNBUFFERED=1
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

cases=()
for ref in "$WORK"/*_reference.json; do
  model=$(basename "$ref" _reference.json)
  cases+=("$WORK/$model" "$ref" "$WORK/${model}_java.json")
  cases+=("$WORK/${model}_legacy" "$ref" "$WORK/${model}_legacy_java.json")
done
java ${JAVA_OPTS:--Dai.djl.offline=true} -cp "$CP" dev.dpo4j.bench.ParityCheck "${cases[@]}" 2>&1 \
  | tee "$RESULTS/parity_check.log"
[ "${PIPESTATUS[0]}" = 0 ] || echo "ParityCheck failed (compare.py reports what is missing)"

python3 "$HERE/compare.py" "$WORK" --markdown "$RESULTS/parity.md" --json "$RESULTS/parity.json"
rc=$?
(cd "$WORK" && tar czf "$RESULTS/numbers.tar.gz" ./*_reference.json ./*_java.json)
echo "compare.py exit status $rc; results in $RESULTS"
exit $rc
