// The Fourier head's density (dev.chimera.core.backend.FourierDensityOp, heads.FourierDensity; REFERENCE.md
// section 4), one block per row. A row of z (rows, 2(N+1)) holds a_n = z[n] + i z[N+1+n], n = 0..N. At the
// bin centres x_m = -1 + (2m+1)/B, m < B, with w_m = e^{i pi x_m}:
//   A_m = sum_n a_n w_m^n (Horner), c_0 = sum_n |a_n|^2, q_m = |A_m|^2 / (2 c_0), S = sum_m q_m,
//   p_m = q_m / S, logits l_m = log(p_m + 1e-5).
// The core evaluates the same A_m in double from a table of e^{i pi n x_m}; here everything is float.
//
// Dynamic shared memory (fourier_shared_floats): a (2(N+1)), then c_k (2(N+1): c_k at 2k, 2k+1, k >= 1),
// then q (B). Targets are ints in [0, B) or -1 (IGNORE_TARGET); the host checks them, and a kernel treats
// any target outside [0, B) as ignored rather than read outside the row.
#include "common.cuh"

#define FOURIER_LOG_EPS 1e-5f
#define FOURIER_TWO_PI_SQUARED 19.739208802178716f  // 2 pi^2

// The dynamic shared memory of every kernel here.
extern __shared__ float smem[];

__device__ __forceinline__ bool valid_target(int t, int bins) { return t >= 0 && t < bins; }

// Row r of z into a (shared); returns c_0 to every thread, the block synchronised.
__device__ __forceinline__ float load_row(float* a, const float* z, int width, float* scratch) {
    float c0 = 0.f;
    for (int i = threadIdx.x; i < width; i += blockDim.x) {
        float v = z[i];
        a[i] = v;
        c0 = fmaf(v, v, c0);
    }
    return block_sum(c0, scratch);
}

// q_m into q (shared) for every bin; returns S to every thread, the block synchronised. When target is a
// bin, A_target goes to *at (shared). Bin m is thread m mod blockDim's, as in every later pass over q.
__device__ __forceinline__ float evaluate(float* q, float2* at, const float* a, int frequencies, int bins,
                                          float c0, int target, float* scratch) {
    int n1 = frequencies + 1;
    float twoC0 = 2.f * c0;
    float sum = 0.f;
    for (int m = threadIdx.x; m < bins; m += blockDim.x) {
        float sn, cs;
        sincospif((float) (2 * m + 1 - bins) / (float) bins, &sn, &cs);  // w_m = e^{i pi x_m}
        float ar = a[frequencies];
        float ai = a[n1 + frequencies];
        for (int n = frequencies - 1; n >= 0; n--) {  // A <- A w + a_n
            float r = fmaf(ar, cs, fmaf(-ai, sn, a[n]));
            ai = fmaf(ar, sn, fmaf(ai, cs, a[n1 + n]));
            ar = r;
        }
        float qm = (ar * ar + ai * ai) / twoC0;
        q[m] = qm;
        sum += qm;
        if (m == target) *at = make_float2(ar, ai);
    }
    return block_sum(sum, scratch);
}

// The regulariser's penalty of the row, sum_{k=1}^{N} 2 pi^2 k^2 |c_k|^2 with the unnormalised
// c_k = sum_{j=0}^{N-k} a_{j+k} conj(a_j), returned to every thread; c_k left in ck (shared, c_k at 2k).
// The block is synchronised.
__device__ __forceinline__ float penalty(float* ck, const float* a, int frequencies, float* scratch) {
    int n1 = frequencies + 1;
    float total = 0.f;
    for (int k = 1 + threadIdx.x; k <= frequencies; k += blockDim.x) {
        float cr = 0.f;
        float ci = 0.f;
        for (int j = 0; j + k < n1; j++) {
            float xr = a[j + k], xi = a[n1 + j + k], yr = a[j], yi = a[n1 + j];
            cr = fmaf(xr, yr, fmaf(xi, yi, cr));
            ci = fmaf(xi, yr, fmaf(-xr, yi, ci));
        }
        ck[2 * k] = cr;
        ck[2 * k + 1] = ci;
        total += FOURIER_TWO_PI_SQUARED * k * k * (cr * cr + ci * ci);
    }
    return block_sum(total, scratch);
}

// probs and, when LOGITS, logits (rows, B) from z (rows, 2(N+1)). Grid (rows), block fourier threads.
template <bool LOGITS>
__device__ __forceinline__ void density_row(float* probs, float* logits, const float* z, int rows,
                                            int frequencies, int bins) {
    __shared__ float scratch[32];
    int width = 2 * (frequencies + 1);
    float* a = smem;
    float* q = smem + 2 * width;
    long long r = blockIdx.x;
    if (r >= rows) return;
    float c0 = load_row(a, z + r * width, width, scratch);
    float s = evaluate(q, nullptr, a, frequencies, bins, c0, -1, scratch);
    for (int m = threadIdx.x; m < bins; m += blockDim.x) {
        float p = q[m] / s;
        probs[r * bins + m] = p;
        if (LOGITS) logits[r * bins + m] = logf(p + FOURIER_LOG_EPS);
    }
}

CHIMERA_KERNEL void fourier_forward(float* probs, float* logits, const float* z, int rows, int frequencies,
                                    int bins) {
    density_row<true>(probs, logits, z, rows, frequencies, bins);
}

// fourier_forward's probs, the same bits, without the logits.
CHIMERA_KERNEL void fourier_probabilities(float* probs, const float* z, int rows, int frequencies, int bins) {
    density_row<false>(probs, nullptr, z, rows, frequencies, bins);
}

// losses (rows): log(sum_m p_m + B eps) - log(p_t + eps) for the row's target t, 0 where it is ignored.
CHIMERA_KERNEL void fourier_cross_entropy(float* losses, const float* z, const int* targets, int rows,
                                          int frequencies, int bins) {
    __shared__ float scratch[32];
    long long r = blockIdx.x;
    if (r >= rows) return;  // the whole block leaves
    int t = targets[r];
    if (!valid_target(t, bins)) {  // the whole block leaves
        if (threadIdx.x == 0) losses[r] = 0.f;
        return;
    }
    int width = 2 * (frequencies + 1);
    float* a = smem;
    float* q = smem + 2 * width;
    float c0 = load_row(a, z + r * width, width, scratch);
    float s = evaluate(q, nullptr, a, frequencies, bins, c0, -1, scratch);
    float psum = 0.f;
    for (int m = threadIdx.x; m < bins; m += blockDim.x) psum += q[m] / s;
    psum = block_sum(psum, scratch);
    if (threadIdx.x == 0) losses[r] = logf(psum + bins * FOURIER_LOG_EPS) - logf(q[t] / s + FOURIER_LOG_EPS);
}

// dz (rows, 2(N+1)) overwritten with the gradient of sum_r dlosses[r] loss_r, plus, unless gradScale
// (= gamma 2 / rows) is 0, gradScale times that of the row's penalty, which goes to penalty[r] (else 0).
//
// The loss's dL/dp is -dloss / (p_t + eps) at t only (g_t), so with dot = p_t g_t the core's
// dL/da_n = (1/(S c_0)) sum_m (g_m - dot) A_m conj(w_m)^n has a closed form: sum_m A_m conj(w_m)^n =
// sum_k a_k sum_m w_m^{k-n}, and sum_m w_m^d = B (-1)^{j(B-1)} where d = jB, else 0 (a full period of
// roots of unity), so
//   dL/da_n = (g_t A_t conj(w_t)^n - dot B sum_j (-1)^{j(B-1)} a_{n+jB}) / (S c_0),
// where n + jB runs over [0, N] (only j = 0 when N < B). Penalty: with G_k = gradScale 2 pi^2 k^2 2 c_k,
// dL/da_n += sum_k [G_k a_{n-k} (n >= k) + conj(G_k) a_{n+k} (n + k <= N)]. dz_n = Re, dz_{N+1+n} = Im.
CHIMERA_KERNEL void fourier_cross_entropy_backward(float* dz, float* penaltyOut, const float* dlosses,
                                                   const float* z, const int* targets, int rows,
                                                   int frequencies, int bins, float gradScale) {
    __shared__ float scratch[32];
    __shared__ float2 at;
    int n1 = frequencies + 1;
    int width = 2 * n1;
    float* a = smem;
    float* ck = smem + width;
    float* q = smem + 2 * width;
    long long r = blockIdx.x;
    if (r >= rows) return;  // the whole block leaves
    int t = targets[r];
    float dloss = dlosses[r];
    bool density = valid_target(t, bins) && dloss != 0.f;  // the same for the whole block
    float c0 = load_row(a, z + r * width, width, scratch);
    float gt = 0.f, dot = 0.f, sc = 1.f;
    if (density) {
        float s = evaluate(q, &at, a, frequencies, bins, c0, t, scratch);
        float pt = q[t] / s;
        gt = -dloss / (pt + FOURIER_LOG_EPS);
        dot = pt * gt;
        sc = s * c0;
    }
    if (gradScale != 0.f) {
        float total = penalty(ck, a, frequencies, scratch);
        if (threadIdx.x == 0) penaltyOut[r] = total;
    } else if (threadIdx.x == 0) {
        penaltyOut[r] = 0.f;
    }
    for (int n = threadIdx.x; n < n1; n += blockDim.x) {
        float gr = 0.f;
        float gi = 0.f;
        if (density) {
            // conj(w_t)^n = e^{-i pi n x_t}, the angle's integer part reduced mod 2B first (as the core's table)
            long long turns = ((long long) n * (2 * t + 1 - bins)) % (2LL * bins);
            if (turns < 0) turns += 2LL * bins;
            float sn, cs;
            sincospif((float) turns / (float) bins, &sn, &cs);
            float fr = 0.f;
            float fi = 0.f;
            for (int k = n % bins, j = -(n / bins); k < n1; k += bins, j++) {
                float sign = (j * (bins - 1)) & 1 ? -1.f : 1.f;
                fr += sign * a[k];
                fi += sign * a[n1 + k];
            }
            float bdot = dot * bins;
            gr = (gt * (at.x * cs + at.y * sn) - bdot * fr) / sc;
            gi = (gt * (at.y * cs - at.x * sn) - bdot * fi) / sc;
        }
        if (gradScale != 0.f) {
            for (int k = 1; k <= frequencies; k++) {
                float scale = gradScale * FOURIER_TWO_PI_SQUARED * k * k * 2.f;
                float g0 = scale * ck[2 * k];
                float g1 = scale * ck[2 * k + 1];
                if (n >= k) {  // G_k a_{n-k}
                    float xr = a[n - k], xi = a[n1 + n - k];
                    gr += g0 * xr - g1 * xi;
                    gi += g0 * xi + g1 * xr;
                }
                if (n + k < n1) {  // conj(G_k) a_{n+k}
                    float yr = a[n + k], yi = a[n1 + n + k];
                    gr += g0 * yr + g1 * yi;
                    gi += g0 * yi - g1 * yr;
                }
            }
        }
        dz[r * width + n] = gr;
        dz[r * width + n1 + n] = gi;
    }
}

// penaltyOut[r] = the row's penalty sum_{k=1}^{N} 2 pi^2 k^2 |c_k|^2 (the regulariser before its
// gamma 2 / rows, which the host applies to the sum over rows).
CHIMERA_KERNEL void fourier_penalty(float* penaltyOut, const float* z, int rows, int frequencies) {
    __shared__ float scratch[32];
    int width = 2 * (frequencies + 1);
    float* a = smem;
    float* ck = smem + width;
    long long r = blockIdx.x;
    if (r >= rows) return;
    load_row(a, z + r * width, width, scratch);
    float total = penalty(ck, a, frequencies, scratch);
    if (threadIdx.x == 0) penaltyOut[r] = total;
}
