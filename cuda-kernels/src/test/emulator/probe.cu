// Kernels for selftest.py only (never in the project's cuda-emu): they exercise the emulator's CUDA semantics
// and show its checks firing on deliberate bugs. Built with common.cuh from a scratch directory.
#include "common.cuh"

// Eight results per thread: every kind of shuffle, with widths, and the vote and count intrinsics.
CHIMERA_KERNEL void probe_intrinsics(int* out) {
    int lane = threadIdx.x & 31;
    int* o = out + threadIdx.x * 8;
    o[0] = __shfl_sync(0xffffffffu, lane * 10, 3);
    o[1] = __shfl_sync(0xffffffffu, lane * 10, lane + 1, 8);
    o[2] = __shfl_up_sync(0xffffffffu, lane, 2, 16);
    o[3] = __shfl_down_sync(0xffffffffu, lane, 3, 16);
    o[4] = __shfl_xor_sync(0xffffffffu, lane, 5);
    o[5] = (int) __ballot_sync(0xffffffffu, lane % 3 == 0);
    o[6] = __syncthreads_count(threadIdx.x % 5 == 0);
    o[7] = __any_sync(0xffffffffu, lane == 7) + 2 * __all_sync(0xffffffffu, lane < 40);
}

// out[t] = the value thread t + 1 stored: correct only with the barrier.
CHIMERA_KERNEL void probe_neighbour(float* out, int sync) {
    __shared__ float s[1024];
    s[threadIdx.x] = (float) threadIdx.x;
    if (sync) __syncthreads();
    out[blockIdx.x * blockDim.x + threadIdx.x] = s[(threadIdx.x + 1) % blockDim.x];
}

// Only block 0 writes the (template) static and the dynamic shared arrays, and only their first half:
// every other read is of unwritten shared memory.
template <int N>
__device__ float staged(float v) {
    __shared__ float s[N];
    extern __shared__ float dyn[];
    if (blockIdx.x == 0 && threadIdx.x < N / 2) {
        s[threadIdx.x] = v;
        dyn[threadIdx.x] = v;
    }
    __syncthreads();
    return s[threadIdx.x] + dyn[threadIdx.x];
}

CHIMERA_KERNEL void probe_unwritten_shared(float* out) {
    out[blockIdx.x * blockDim.x + threadIdx.x] = staged<64>(1.f);
}

// Thread 0 writes one float past the dynamic shared memory the launch gave (n floats).
CHIMERA_KERNEL void probe_shared_overflow(int n) {
    extern __shared__ float dyn[];
    if (threadIdx.x == 0) dyn[n] = 1.f;
}

// Lanes 16..31 skip the shuffle that names them and wait at the barrier: a deadlock.
CHIMERA_KERNEL void probe_deadlock(float* out) {
    float v = (float) threadIdx.x;
    if (threadIdx.x < 16) v = __shfl_xor_sync(0xffffffffu, v, 1);
    __syncthreads();
    out[threadIdx.x] = v;
}

// The same with the right mask: fine.
CHIMERA_KERNEL void probe_half_warp(float* out) {
    float v = (float) threadIdx.x;
    if (threadIdx.x < 16) v = __shfl_xor_sync(0x0000ffffu, v, 1);
    __syncthreads();
    out[threadIdx.x] = v;
}

// Half the warp at a shuffle, half at a ballot.
CHIMERA_KERNEL void probe_mixed(int* out) {
    out[threadIdx.x] = threadIdx.x < 16 ? __shfl_xor_sync(0xffffffffu, 1, 1) : (int) __ballot_sync(0xffffffffu, 1);
}

// Thread 0 divides by zero.
CHIMERA_KERNEL void probe_divide(int* out, int n) {
    out[threadIdx.x] = n / (int) threadIdx.x;
}

__device__ int deep(int n) {
    volatile char frame[4096];
    frame[0] = (char) n;
    return n > 0 ? deep(n - 1) + frame[0] : 0;
}

// Thread 0 recurses through 400 KiB of stack.
CHIMERA_KERNEL void probe_stack(int* out) {
    out[threadIdx.x] = deep(threadIdx.x == 0 ? 100 : 1);
}

// rounds barriers per thread, for timing the fiber switches.
CHIMERA_KERNEL void probe_barriers(float* out, int rounds) {
    __shared__ float s[1024];
    float v = 0.f;
    for (int r = 0; r < rounds; r++) {
        s[threadIdx.x] = v + r;
        __syncthreads();
        v += s[(threadIdx.x + 1) % blockDim.x];
        __syncthreads();
    }
    out[blockIdx.x * blockDim.x + threadIdx.x] = v;
}

// The tensor-core stand-in of a family that compiles its PTX out under CHIMERA_EMULATOR.
CHIMERA_KERNEL void probe_tensor_core(float* out) {
#ifdef CHIMERA_EMULATOR
    emu::not_emulated("tensor-core instructions");
#endif
    out[0] = 1.f;
}
