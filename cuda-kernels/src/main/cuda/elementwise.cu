// Elementwise and row-copy operations of dev.chimera.core.backend.Backend: fill, activations and their
// derivatives, add / mul / scale, bias rows and column sums, column copies, embedding gather and
// scatter-add, and the sum of squares (a gradient norm). Grid-stride loops: any grid covers any n.
#include "common.cuh"

// Activation codes, the same numbers as ElementwiseKernels.code(Activation).
#define ACT_SILU 0
#define ACT_GELU 1
#define ACT_RELU 2
#define ACT_SOFTPLUS 3
#define ACT_SIGMOID 4
#define ACT_EXP 5

#define GELU_SCALE 0.7978845608028654f
#define GELU_CUBIC 0.044715f
#define GELU_SATURATION 10.f

__device__ __forceinline__ float stable_sigmoid(float x) {
    if (x >= 0.f) return 1.f / (1.f + expf(-x));
    float e = expf(x);
    return e / (1.f + e);
}

__device__ __forceinline__ float gelu_inner(float x) {
    float xc = fminf(GELU_SATURATION, fmaxf(-GELU_SATURATION, x));
    return GELU_SCALE * (xc + GELU_CUBIC * xc * xc * xc);
}

__device__ __forceinline__ float act_apply(int f, float x) {
    switch (f) {
        case ACT_SILU: return x * stable_sigmoid(x);
        case ACT_GELU: return 0.5f * x * (1.f + tanhf(gelu_inner(x)));
        case ACT_RELU: return x > 0.f ? x : 0.f;
        case ACT_SOFTPLUS: return fmaxf(x, 0.f) + log1pf(expf(-fabsf(x)));
        case ACT_SIGMOID: return stable_sigmoid(x);
        default: return expf(x);
    }
}

__device__ __forceinline__ float act_derivative(int f, float x) {
    switch (f) {
        case ACT_SILU: { float s = stable_sigmoid(x); return s * (1.f + x * (1.f - s)); }
        case ACT_GELU: {
            float t = tanhf(gelu_inner(x));
            float xc = fminf(GELU_SATURATION, fmaxf(-GELU_SATURATION, x));
            return 0.5f * (1.f + t) + 0.5f * x * (1.f - t * t) * GELU_SCALE * (1.f + 3.f * GELU_CUBIC * xc * xc);
        }
        case ACT_RELU: return x > 0.f ? 1.f : 0.f;
        case ACT_SOFTPLUS: return stable_sigmoid(x);
        case ACT_SIGMOID: { float s = stable_sigmoid(x); return s * (1.f - s); }
        default: return expf(x);
    }
}

// t[i] = value, i < n.
CHIMERA_KERNEL void elementwise_fill(float* t, int n, float value) {
    FOR_EACH(i, n) t[i] = value;
}

// dst[i] = src[i], i < n (non-overlapping).
CHIMERA_KERNEL void elementwise_copy(float* dst, const float* src, int n) {
    FOR_EACH(i, n) dst[i] = src[i];
}

// out = f(x); out may be x.
CHIMERA_KERNEL void elementwise_activation(float* out, const float* x, int n, int f) {
    FOR_EACH(i, n) out[i] = act_apply(f, x[i]);
}

// dx = dy * f'(x); dx may be dy or x.
CHIMERA_KERNEL void elementwise_activation_backward(float* dx, const float* dy, const float* x, int n, int f) {
    FOR_EACH(i, n) dx[i] = dy[i] * act_derivative(f, x[i]);
}

CHIMERA_KERNEL void elementwise_add(float* out, const float* a, const float* b, int n) {
    FOR_EACH(i, n) out[i] = a[i] + b[i];
}

CHIMERA_KERNEL void elementwise_mul(float* out, const float* a, const float* b, int n) {
    FOR_EACH(i, n) out[i] = a[i] * b[i];
}

CHIMERA_KERNEL void elementwise_scale(float* out, const float* x, int n, float alpha) {
    FOR_EACH(i, n) out[i] = alpha * x[i];
}

// x (rows, cols) += v (cols) on every row.
CHIMERA_KERNEL void elementwise_add_row_vector(float* x, const float* v, int rows, int cols) {
    FOR_EACH(i, (long long) rows * cols) x[i] += v[i % cols];
}

// out (cols) += sum over rows of x (rows, cols). Grid: (ceil(cols/32), 1), block (32, 8): each block
// sums a 32-column strip, its 8 thread rows striding over the rows, then folds them in shared memory.
CHIMERA_KERNEL void elementwise_add_column_sums(float* out, const float* x, int rows, int cols) {
    __shared__ float part[8][33];
    int col = blockIdx.x * 32 + threadIdx.x;
    float s = 0.f;
    if (col < cols) {
        for (int r = threadIdx.y; r < rows; r += 8) s += x[(long long) r * cols + col];
    }
    part[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && col < cols) {
        float t = 0.f;
        for (int k = 0; k < 8; k++) t += part[k][threadIdx.x];
        out[col] += t;
    }
}

// partial[blockIdx.x] = sum of x[i]^2 over this block's grid-stride share, in double (the host adds the
// partials, one per block, in double: Backend.sumOfSquares accumulates in double).
CHIMERA_KERNEL void elementwise_sum_of_squares(double* partial, const float* x, int n) {
    __shared__ double warps[32];
    double s = 0.0;
    FOR_EACH(i, n) s += (double) x[i] * x[i];
    for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) warps[warp] = s;
    __syncthreads();
    if (warp == 0) {
        double t = lane < (int) (blockDim.x >> 5) ? warps[lane] : 0.0;
        for (int o = 16; o > 0; o >>= 1) t += __shfl_xor_sync(0xffffffffu, t, o);
        if (lane == 0) partial[blockIdx.x] = t;
    }
}

// dst[r][dstCol + j] = src[r][srcCol + j], j < width, r < rows; dst rows of dstCols, src rows of srcCols.
CHIMERA_KERNEL void elementwise_copy_columns(float* dst, int dstCols, int dstCol, const float* src, int srcCols,
                                             int srcCol, int rows, int width) {
    FOR_EACH(i, (long long) rows * width) {
        long long r = i / width, j = i % width;
        dst[r * dstCols + dstCol + j] = src[r * srcCols + srcCol + j];
    }
}

// out (rows, d) = table[ids[r]] (V, d); ids checked on the host.
CHIMERA_KERNEL void elementwise_gather_rows(float* out, const float* table, const int* ids, int rows, int d) {
    FOR_EACH(i, (long long) rows * d) {
        long long r = i / d, j = i % d;
        out[i] = table[(long long) ids[r] * d + j];
    }
}

// dtable[ids[r]] += dout[r] (rows, d): atomics, since ids repeat.
CHIMERA_KERNEL void elementwise_scatter_add_rows(float* dtable, const float* dout, const int* ids, int rows, int d) {
    FOR_EACH(i, (long long) rows * d) {
        long long r = i / d, j = i % d;
        atomicAdd(&dtable[(long long) ids[r] * d + j], dout[i]);
    }
}
