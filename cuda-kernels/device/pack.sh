#!/usr/bin/env bash
# Packs what the lent GPU machine needs to run this module's GPU tests and benchmark (it has CUDA,
# Python and PyTorch but no Java) into cuda-kernels/target/device/, to be carried there:
#   runtime/   a jlink-ed Java 17 with the modules the code and JUnit use
#   lib/       the jars: this module, its test classes, core-model, runtime, robotics (the B-spline
#              tests' reference) and their dependencies, JCuda with only the driver library, JUnit's console
# Run after `mvn -B install -DskipTests` (and `mvn -pl cuda-kernels test-compile`); prints the size.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
mod="$root/cuda-kernels"
dest="$mod/target/device"
rm -rf "$dest"
mkdir -p "$dest/lib"
jlink --add-modules java.base,jdk.incubator.vector,java.logging,jdk.unsupported,java.management,java.xml,java.naming,java.sql,jdk.zipfs \
      --strip-debug --no-header-files --no-man-pages --compress=2 --output "$dest/runtime"
(cd "$mod" && mvn -B -q -o dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$dest/lib" \
    -DexcludeArtifactIds=jcuda-natives,jcublas-natives,junit-jupiter-params)
cp "$mod"/target/cuda-kernels-*.jar "$dest/lib/"
(cd "$mod/target/test-classes" && jar cf "$dest/lib/cuda-kernels-tests.jar" .)
# JCuda's natives jar holds four libraries (26 MB); the driver API needs one of them.
natives="$(ls ~/.m2/repository/org/jcuda/jcuda-natives/*/jcuda-natives-*-linux-x86_64.jar | tail -1)"
tmp="$(mktemp -d)"; (cd "$tmp" && unzip -q "$natives" 'lib/libJCudaDriver-*' 'META-INF/*' && jar cf "$dest/lib/$(basename "$natives")" .)
rm -rf "$tmp"
cp "$(ls ~/.m2/repository/org/jcuda/jcublas-natives/*/jcublas-natives-*-linux-x86_64.jar | tail -1)" "$dest/lib/"
cp ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.14.4/junit-platform-console-standalone-1.14.4.jar "$dest/"
rm -f "$dest"/lib/junit-*.jar "$dest"/lib/opentest4j-*.jar "$dest"/lib/apiguardian-*.jar
tr ' ' '\n' <<< "$(sed -n 's:.*<chimera.jvm.flags>\(.*\)</chimera.jvm.flags>.*:\1:p' "$root/pom.xml")" > "$dest/jvm.flags"
du -sh "$dest" "$dest/runtime" "$dest/lib"
