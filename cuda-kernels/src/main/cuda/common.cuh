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

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// The sum of v over the block (blockDim.x a multiple of 32, at most 1024), returned to every thread.
// scratch: 32 floats of shared memory; the call ends with the block synchronised.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float t = lane < warps ? scratch[lane] : 0.f;
    return warp_sum(t);
}

// The maximum of v over the block; as block_sum.
__device__ __forceinline__ float block_max(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float t = lane < warps ? scratch[lane] : -INFINITY;
    return warp_max(t);
}

__device__ __forceinline__ float sigmoidf_(float x) { return 1.f / (1.f + __expf(-x)); }
__device__ __forceinline__ float siluf_(float x) { return x * sigmoidf_(x); }
