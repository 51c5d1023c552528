// Optimiser steps of dev.chimera.core.backend.Backend (AdamW, SGD-SaI) and the gradient moments SGD-SaI's
// first step needs for its g-SNR. Grid-stride loops: any grid covers any n.
//
// The updates repeat CpuBackend's float arithmetic operation by operation, each rounded on its own
// (the __f*_rn intrinsics: no fused multiply-add, IEEE division and square root whatever the compiler
// flags), so they agree with the CPU reference bit for bit.
#include "common.cuh"

// One AdamW step of p, m, v (n) with gradient g: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// p = p * keep - lr * (m / c1) / (sqrt(v / c2) + eps).
CHIMERA_KERNEL void optim_adamw(float* p, float* m, float* v, const float* g, int n, float lr, float b1, float b2,
                                float eps, float c1, float c2, float keep) {
    float d1 = __fsub_rn(1.f, b1), d2 = __fsub_rn(1.f, b2);
    FOR_EACH(i, n) {
        float gi = g[i];
        float mi = __fadd_rn(__fmul_rn(b1, m[i]), __fmul_rn(d1, gi));
        float vi = __fadd_rn(__fmul_rn(b2, v[i]), __fmul_rn(__fmul_rn(d2, gi), gi));
        m[i] = mi;
        v[i] = vi;
        float step = __fdiv_rn(__fmul_rn(lr, __fdiv_rn(mi, c1)), __fadd_rn(__fsqrt_rn(__fdiv_rn(vi, c2)), eps));
        p[i] = __fsub_rn(__fmul_rn(p[i], keep), step);
    }
}

// One SGD-SaI step of p, buf (n) with gradient g: buf = g on the first step (first != 0; buf is not
// read), else buf = momentum buf + dampening g; p = p * keep - stepSize * buf.
CHIMERA_KERNEL void optim_sgd_sai(float* p, float* buf, const float* g, int n, float step_size, float momentum,
                                  float dampening, float keep, int first) {
    FOR_EACH(i, n) {
        float b = first ? g[i] : __fadd_rn(__fmul_rn(momentum, buf[i]), __fmul_rn(dampening, g[i]));
        buf[i] = b;
        p[i] = __fsub_rn(__fmul_rn(p[i], keep), __fmul_rn(step_size, b));
    }
}

// partial[2 b] = sum of d, partial[2 b + 1] = sum of d^2 over block b's grid-stride share, in double,
// d = g[i] - shift with shift = shift_hi + shift_lo in double (a double passed as two floats). The host
// adds the partials in double: shift 0 gives sum g and sum g^2, shift = mean then sum (g - mean)^2.
CHIMERA_KERNEL void optim_moments(double* partial, const float* g, int n, float shift_hi, float shift_lo) {
    __shared__ double warps[2][32];
    double shift = (double) shift_hi + (double) shift_lo;
    double s = 0.0, q = 0.0;
    FOR_EACH(i, n) {
        double d = (double) g[i] - shift;
        s += d;
        q += d * d;
    }
    for (int o = 16; o > 0; o >>= 1) {
        s += __shfl_xor_sync(0xffffffffu, s, o);
        q += __shfl_xor_sync(0xffffffffu, q, o);
    }
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) {
        warps[0][warp] = s;
        warps[1][warp] = q;
    }
    __syncthreads();
    if (warp == 0) {
        bool live = lane < (int) (blockDim.x >> 5);
        double ts = live ? warps[0][lane] : 0.0, tq = live ? warps[1][lane] : 0.0;
        for (int o = 16; o > 0; o >>= 1) {
            ts += __shfl_xor_sync(0xffffffffu, ts, o);
            tq += __shfl_xor_sync(0xffffffffu, tq, o);
        }
        if (lane == 0) {
            partial[2 * blockIdx.x] = ts;
            partial[2 * blockIdx.x + 1] = tq;
        }
    }
}
