#!/usr/bin/env bash
# Builds the CUDA kernels of this directory, one family per .cu file, into OUT (default: the
# checked-in src/main/prebuilt tree):
#   FAMILY.ptx          PTX for compute_80 (any later GPU JIT-compiles it)
#   FAMILY.sm_80.cubin  machine code for A100-class GPUs
#   FAMILY.sm_90.cubin  machine code for H100/H200
#   ptxas-report.txt    ptxas -v resource usage of every kernel (registers, shared memory, spills)
#   SOURCES.sha256      the hashes of the sources they were built from
# With nvcc on the PATH it compiles; without it, it copies the checked-in artefacts and says so.
#   build.sh OUT                 what Maven runs at generate-resources
#   build.sh --update-prebuilt   refreshes src/main/prebuilt after a kernel source changed
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prebuilt="$here/../prebuilt/dev/chimera/cuda/kernels"
update=0
if [[ "${1:-}" == "--update-prebuilt" ]]; then
    update=1
    out="$prebuilt"
else
    out="${1:?usage: build.sh OUT | build.sh --update-prebuilt}"
fi
mkdir -p "$out"
hashes() { (cd "$here" && sha256sum build.sh *.cu *.cuh 2>/dev/null | sort -k2); }
# The report in the build log: one line per kernel and architecture.
report() {
    perl -ne '
        ($fn, $arch) = ($1, $2) if /entry function .(\w+). for .(sm_\d+)/;
        $spill = "$1/$2" if /(\d+) bytes spill stores, (\d+) bytes spill loads/;
        if (/Used (\d+) registers/) {
            $regs = $1; $smem = /(\d+) bytes smem/ ? $1 : 0;
            printf "[cuda-kernels] %-40s %s %3d registers %6d B smem, spill stores/loads %s B\n", $fn, $arch, $regs, $smem, $spill;
        }' "$out/ptxas-report.txt"
}

if ! command -v nvcc >/dev/null 2>&1; then
    if [[ $update == 1 ]]; then
        echo "build.sh: nvcc is not on the PATH: cannot rebuild the prebuilt kernels" >&2
        exit 1
    fi
    echo "[cuda-kernels] nvcc not found: packing the checked-in PTX and cubins of src/main/prebuilt"
    if ! diff -q <(hashes) "$prebuilt/SOURCES.sha256" >/dev/null; then
        echo "[cuda-kernels] WARNING: the checked-in kernels were built from other sources than src/main/cuda" \
             "(PrebuiltKernelsTest fails; run src/main/cuda/build.sh --update-prebuilt where nvcc is)"
    fi
    cp "$prebuilt"/* "$out"/
    report
    exit 0
fi

if [[ $update == 0 && -f "$out/SOURCES.sha256" && -f "$out/ptxas-report.txt" ]] && diff -q <(hashes) "$out/SOURCES.sha256" >/dev/null; then
    echo "[cuda-kernels] up to date: $out was built from these sources"
    report
    exit 0
fi
echo "[cuda-kernels] $(nvcc --version | tail -1 | sed 's/^Build //'): compiling $(cd "$here" && ls *.cu | tr '\n' ' ')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
flags=(-std=c++17 -O3 -I"$here")
pids=()
for cu in "$here"/*.cu; do
    family="$(basename "$cu" .cu)"
    (
        nvcc "${flags[@]}" -ptx -arch=compute_80 -o "$work/$family.ptx" "$cu"
        for sm in 80 90; do
            nvcc "${flags[@]}" -cubin -arch=sm_$sm -Xptxas -v -o "$work/$family.sm_$sm.cubin" "$cu" \
                2> "$work/$family.sm_$sm.log"
        done
    ) &
    pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
if [[ $failed == 1 ]]; then
    cat "$work"/*.log >&2 || true
    echo "build.sh: nvcc failed" >&2
    exit 1
fi
cat "$work"/*.log > "$work/ptxas-report.txt"
hashes > "$work/SOURCES.sha256"
rm -f "$work"/*.log
cp "$work"/* "$out"/
report
if [[ $update == 0 ]] && ! diff -q "$out/SOURCES.sha256" "$prebuilt/SOURCES.sha256" >/dev/null 2>&1; then
    echo "[cuda-kernels] note: src/main/prebuilt is older than these sources (run build.sh --update-prebuilt)"
fi
