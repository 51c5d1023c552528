#!/usr/bin/env bash
# Runs on the lent GPU machine from a bare start, in the repository root, with cuda-kernels/target/device
# carried there (made by cuda-kernels/device/pack.sh). Writes under $OUT (or ./gpu-out):
#   gpu.txt            nvidia-smi and the driver's view
#   gpu-tests.txt      the GPU-tagged tests (every kernel against the CPU reference), JUnit's tree
#   bench-gpu.jsonl    chimera bench gpu --json: one object per kernel and shape
#   torch-peers.jsonl  torch.matmul and scaled_dot_product_attention on the same shapes, where PyTorch is
set -uo pipefail
out="${OUT:-gpu-out}"
mkdir -p "$out"
dev=cuda-kernels/target/device
java="$dev/runtime/bin/java"
flags=($(cat "$dev/jvm.flags"))
cp="$(ls "$dev"/lib/*.jar | tr '\n' ':')"
{ nvidia-smi; nvcc --version 2>/dev/null | tail -2; } > "$out/gpu.txt" 2>&1
echo "== GPU tests"
timeout 300 "$java" "${flags[@]}" -Xmx8g -jar "$dev/junit-platform-console-standalone-1.14.4.jar" execute \
    -cp "$cp" --select-package dev.chimera.cuda --include-tag gpu --details=tree --disable-banner \
    > "$out/gpu-tests.txt" 2>&1
echo "tests exit $?"; tail -15 "$out/gpu-tests.txt"
echo "== bench gpu"
timeout 200 "$java" "${flags[@]}" -Xmx8g -cp "$cp" dev.chimera.cuda.cli.BenchGpuCommand --json --seconds 0.3 \
    > "$out/bench-gpu.jsonl" 2> "$out/bench-gpu.err"
echo "bench exit $?"; cat "$out/bench-gpu.err"; cat "$out/bench-gpu.jsonl"
echo "== torch peers"
timeout 60 python3 cuda-kernels/src/test/python/torch_peers.py > "$out/torch-peers.jsonl" 2>&1
echo "torch exit $?"; cat "$out/torch-peers.jsonl"
