// Row operations of dev.chimera.core.backend.Backend: RMSNorm and Mamba2's gated RMSNorm (forward and
// backward) and the fused softmax cross-entropy (forward and backward). One block per row (per row and
// group for the gated norm), its threads striding over the row's channels; blockDim.x a multiple of 32.
//
// The backward norms leave the weight gradient as per-block partial sums: each block walks a strip of
// rows, adds its dweight terms into a private row of C floats (shared memory when the launch gives
// C * 4 bytes, else its row of the partial workspace), and writes that row to partial[blockIdx.x];
// rows_add_column_sums then adds the column sums of partial (strips, C) into dweight. No atomics, and
// the result does not depend on scheduling.
#include <cfloat>

#include "common.cuh"

// Same as Backend.IGNORE_TARGET.
#define IGNORE_TARGET (-1)

__device__ __forceinline__ float stable_sigmoid(float x) {
    if (x >= 0.f) return 1.f / (1.f + expf(-x));
    float e = expf(x);
    return e / (1.f + e);
}

// The norm's input at k: y itself, or the gated v = y * silu(z).
template <bool GATED>
__device__ __forceinline__ float norm_input(const float* y, const float* z, long long k) {
    if (!GATED) return y[k];
    float zk = z[k];
    return y[k] * zk * stable_sigmoid(zk);
}

// The dynamic shared memory this launch was given, in bytes.
__device__ __forceinline__ unsigned dynamic_smem_bytes() {
    unsigned b;
    asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(b));
    return b;
}

// out = v * s * weight over segments of width channels, s = 1 / sqrt(mean(v^2) + eps) saved in rstd.
// Segment seg = row * groups + g starts at element seg * width and uses weight[g * width ..]; v is y
// (plain RMSNorm, groups = 1) or y * silu(z). Each thread reads its elements before it writes them, so
// out may be y or z.
template <bool GATED>
__device__ __forceinline__ void norm_forward(float* out, float* rstd, const float* y, const float* z,
                                             const float* weight, int segments, int width, int groups, float eps) {
    __shared__ float scratch[32];
    for (int seg = blockIdx.x; seg < segments; seg += gridDim.x) {
        long long base = (long long) seg * width;
        const float* w = weight + (long long) (seg % groups) * width;
        float ss = 0.f;
        for (int i = threadIdx.x; i < width; i += blockDim.x) {
            float v = norm_input<GATED>(y, z, base + i);
            ss += v * v;
        }
        float s = 1.f / sqrtf(block_sum(ss, scratch) / width + eps);
        if (threadIdx.x == 0) rstd[seg] = s;
        for (int i = threadIdx.x; i < width; i += blockDim.x) {
            out[base + i] = norm_input<GATED>(y, z, base + i) * s * w[i];
        }
    }
}

// Backward of norm_forward over this block's strip of rows [blockIdx.x * rows / gridDim.x, next strip).
// Per segment, with vhat = v * s and gw = dout * w: dv = s * (gw - vhat * mean(gw * vhat)); plain:
// dx = dv; gated: dy = dv * silu(z), dz = dv * y * silu'(z). The strip's dweight terms dout * vhat
// go to partial[blockIdx.x] (C = groups * width floats). Each thread reads its elements before it writes
// them, so dx may be dout.
template <bool GATED>
__device__ __forceinline__ void norm_backward(float* dx, float* dz, float* partial, const float* dout,
                                              const float* y, const float* z, const float* weight,
                                              const float* rstd, int rows, int width, int groups) {
    extern __shared__ float shared_acc[];
    __shared__ float scratch[32];
    int cols = groups * width;
    float* row_partial = partial + (long long) blockIdx.x * cols;
    bool in_shared = dynamic_smem_bytes() >= (unsigned) cols * sizeof(float);
    float* acc = in_shared ? shared_acc : row_partial;
    // Thread t owns acc[g * width + i] for i = t (mod blockDim.x): no other thread reads or writes them.
    for (int g = 0; g < groups; g++) {
        for (int i = threadIdx.x; i < width; i += blockDim.x) acc[g * width + i] = 0.f;
    }
    long long r0 = (long long) blockIdx.x * rows / gridDim.x, r1 = (long long) (blockIdx.x + 1) * rows / gridDim.x;
    for (long long r = r0; r < r1; r++) {
        for (int g = 0; g < groups; g++) {
            long long seg = r * groups + g, base = seg * width;
            const float* w = weight + g * width;
            float* dw = acc + g * width;
            float s = rstd[seg];
            float dot = 0.f;
            for (int i = threadIdx.x; i < width; i += blockDim.x) {
                dot += dout[base + i] * w[i] * norm_input<GATED>(y, z, base + i);
            }
            dot = block_sum(dot, scratch) * s / width; // mean(gw * vhat)
            for (int i = threadIdx.x; i < width; i += blockDim.x) {
                long long k = base + i;
                float go = dout[k], yk = y[k];
                float v = yk, sig = 0.f, zk = 0.f;
                if (GATED) {
                    zk = z[k];
                    sig = stable_sigmoid(zk);
                    v = yk * zk * sig;
                }
                float vhat = v * s;
                float dv = s * (go * w[i] - vhat * dot);
                dw[i] += go * vhat;
                if (GATED) {
                    dx[k] = dv * zk * sig;
                    dz[k] = dv * yk * sig * (1.f + zk * (1.f - sig));
                } else {
                    dx[k] = dv;
                }
            }
        }
    }
    if (in_shared) {
        for (int g = 0; g < groups; g++) {
            for (int i = threadIdx.x; i < width; i += blockDim.x) row_partial[g * width + i] = acc[g * width + i];
        }
    }
}

// RMSNorm: x, out (rows, C); weight (C); rstd (rows). Grid: one block per row.
CHIMERA_KERNEL void __launch_bounds__(1024)
rows_rmsnorm(float* out, float* rstd, const float* x, const float* weight, int rows, int cols, float eps) {
    norm_forward<false>(out, rstd, x, nullptr, weight, rows, cols, 1, eps);
}

// Gated RMSNorm: y, z, out (rows, C = groups * width); weight (C); rstd (rows * groups). Grid: one block
// per row and group.
CHIMERA_KERNEL void __launch_bounds__(1024)
rows_gated_rmsnorm(float* out, float* rstd, const float* y, const float* z, const float* weight, int rows, int cols,
                   int groups, float eps) {
    norm_forward<true>(out, rstd, y, z, weight, rows * groups, cols / groups, groups, eps);
}

// dx (rows, C) overwritten, partial (gridDim.x, C) the strips' dweight sums. Grid: one block per strip.
CHIMERA_KERNEL void __launch_bounds__(1024)
rows_rmsnorm_backward(float* dx, float* partial, const float* dout, const float* x, const float* weight,
                      const float* rstd, int rows, int cols) {
    norm_backward<false>(dx, nullptr, partial, dout, x, nullptr, weight, rstd, rows, cols, 1);
}

// dy, dz (rows, C) overwritten, partial (gridDim.x, C) the strips' dweight sums. Grid: one block per strip.
CHIMERA_KERNEL void __launch_bounds__(1024)
rows_gated_rmsnorm_backward(float* dy, float* dz, float* partial, const float* dout, const float* y, const float* z,
                            const float* weight, const float* rstd, int rows, int cols, int groups) {
    norm_backward<true>(dy, dz, partial, dout, y, z, weight, rstd, rows, cols / groups, groups);
}

// dweight (C) += sum over the strips of partial (strips, C), in a fixed order. Grid: (ceil(C / 32)),
// block (32, 32): each block sums a 32-column strip, its 32 thread rows striding over the strips, then
// folds them.
CHIMERA_KERNEL void __launch_bounds__(1024)
rows_add_column_sums(float* dweight, const float* partial, int strips, int cols) {
    __shared__ float part[32][33];
    int col = blockIdx.x * 32 + threadIdx.x;
    float s = 0.f;
    if (col < cols) {
        for (int r = threadIdx.y; r < strips; r += 32) s += partial[(long long) r * cols + col];
    }
    part[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && col < cols) {
        float t = 0.f;
        for (int k = 0; k < 32; k++) t += part[k][threadIdx.x];
        dweight[col] += t;
    }
}

// Fused softmax cross-entropy: logits, probs (rows, V); losses (rows); targets (rows) in [0, V) or
// IGNORE_TARGET (loss 0); any other target gives a NaN loss (the host checks targets). Grid: one block
// per row. Each thread keeps a running max m and sum of exp(x - m) over its share (one read of the
// row), the block combines them, then probs = exp(x - max) / sum (the second read). probs may be logits.
CHIMERA_KERNEL void __launch_bounds__(1024)
rows_softmax_cross_entropy(float* losses, float* probs, const float* logits, const int* targets, int rows, int vocab) {
    __shared__ float scratch[32];
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* x = logits + (long long) r * vocab;
        float* p = probs + (long long) r * vocab;
        int t = targets[r];
        bool valid = t >= 0 && t < vocab;
        // Read before the reductions' barriers: after them other threads may overwrite it (probs = logits).
        float target_logit = threadIdx.x == 0 && valid ? x[t] : 0.f;
        // -FLT_MAX, not -inf, so that a -inf logit adds exp(-inf) = 0 instead of exp(-inf + inf).
        float m = -FLT_MAX, s = 0.f;
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
            float v = x[i];
            if (v > m) {
                s = s * expf(m - v) + 1.f;
                m = v;
            } else {
                s += expf(v - m);
            }
        }
        float max = block_max(m, scratch);
        float sum = block_sum(s * expf(m - max), scratch);
        float inv = 1.f / sum;
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) p[i] = expf(x[i] - max) * inv;
        if (threadIdx.x == 0) {
            losses[r] = t == IGNORE_TARGET ? 0.f
                      : valid ? (float) ((double) max + log((double) sum) - target_logit) : NAN;
        }
    }
}

// dlogits (rows, V) = (probs - onehot(target)) * dlosses[r]; zero for ignored rows, NaN for targets
// outside [0, V). Grid: one block per row. dlogits may be probs.
CHIMERA_KERNEL void __launch_bounds__(1024)
rows_softmax_cross_entropy_backward(float* dlogits, const float* dlosses, const float* probs, const int* targets,
                                    int rows, int vocab) {
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        int t = targets[r];
        float scale = t == IGNORE_TARGET ? 0.f : t >= 0 && t < vocab ? dlosses[r] : NAN;
        long long base = (long long) r * vocab;
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
            dlogits[base + i] = (probs[base + i] - (i == t ? 1.f : 0.f)) * scale;
        }
    }
}
