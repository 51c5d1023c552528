// Shared by every kernel family. Conventions (the Java launchers in dev.chimera.cuda.kernels rely on them):
// - every kernel is extern "C" __global__, named FAMILY_operation[_variant];
// - parameters are float* / const float* / const int* device pointers (already offset to a tensor's
//   window by the host), int sizes and float scalars, outputs first (as dev.chimera.core.backend.Backend);
// - sizes fit in int; element indices that can pass 2^31 are computed in long long;
// - float accumulation unless a comment says otherwise; the CPU reference accumulates in double, so the
//   tests compare with a relative tolerance of 1e-4 (fp32).
#pragma once

#define CHIMERA_KERNEL extern "C" __global__

// Grid-stride loop over [0, n): every element once, whatever the grid.
#define FOR_EACH(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (long long) (n); \
         i += (long long) gridDim.x * blockDim.x)

struct SumOp { __device__ __forceinline__ float operator()(float a, float b) const { return a + b; } };
struct MaxOp { __device__ __forceinline__ float operator()(float a, float b) const { return fmaxf(a, b); } };

// op over the 32 lanes of the warp, returned to every lane.
template <typename Op>
__device__ __forceinline__ float warp_reduce(float v, Op op) {
    for (int o = 16; o > 0; o >>= 1) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// op over the block (blockDim.x a multiple of 32, at most 1024), returned to every thread; identity is op's
// neutral value. scratch: 32 floats of shared memory; the call ends with the block synchronised.
template <typename Op>
__device__ __forceinline__ float block_reduce(float v, float* scratch, float identity, Op op) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_reduce(v, op);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    return warp_reduce(lane < warps ? scratch[lane] : identity, op);
}

__device__ __forceinline__ float warp_sum(float v) { return warp_reduce(v, SumOp()); }
__device__ __forceinline__ float block_sum(float v, float* scratch) { return block_reduce(v, scratch, 0.f, SumOp()); }
__device__ __forceinline__ float block_max(float v, float* scratch) {
    return block_reduce(v, scratch, -INFINITY, MaxOp());
}

__device__ __forceinline__ float sigmoidf_(float x) { return 1.f / (1.f + __expf(-x)); }
__device__ __forceinline__ float siluf_(float x) { return x * sigmoidf_(x); }
