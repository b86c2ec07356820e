#!/bin/bash
# Fills DEST/lib (default .device/lib, made by ../shared/device/prepare.sh) with the bench's runtime classpath for the
# GPU machine, after `mvn -B -ntp -o -q package -DskipTests -pl bench -am`: bench/target/lib and the bench jar, less
# DJL's CPU libtorch and its JNI jar (the machine's own libtorch and .device's JNI are used), and the tokenizers jar
# cut down to its linux-x86_64 native (18.7 MB -> about 5 MB), so the tree that travels stays under 64 MiB.
set -euo pipefail
DEST=${1:-.device}
mkdir -p "$DEST/lib"
cp bench/target/lib/*.jar bench/target/dpo-bench-*.jar "$DEST/lib/"
rm -f "$DEST"/lib/pytorch-native-cpu* "$DEST"/lib/pytorch-jni*
for jar in "$DEST"/lib/tokenizers-*.jar; do
  [ -f "$jar" ] || continue
  zip -q -d "$jar" 'native/lib/linux-aarch64/*' 'native/lib/osx-*' 'native/lib/win-*' >/dev/null 2>&1 || true
done
echo "device_lib.sh: $DEST/lib holds $(du -sh "$DEST/lib" | cut -f1); $DEST in all: $(du -sh "$DEST" | cut -f1)"
