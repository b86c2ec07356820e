#!/bin/bash
# Compiles the proposed dpo-core fixes in bench/patch/java into a jar that shadows dpo-core's classes of the same name
# when it comes first on the classpath (run_benchmark.sh's *-patched variants). dpo-core itself is not changed.
#   bench/patch/build.sh [OUT_JAR]     (default bench/target/dpo-core-patch.jar; needs `cd bench && mvn package` first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUT_JAR=${1:-bench/target/dpo-core-patch.jar}
CLASSES=$(mktemp -d)
javac -nowarn -d "$CLASSES" -cp "bench/target/lib/*" $(find bench/patch/java -name '*.java')
mkdir -p "$(dirname "$OUT_JAR")"
jar cf "$OUT_JAR" -C "$CLASSES" .
rm -rf "$CLASSES"
echo "wrote $OUT_JAR"
