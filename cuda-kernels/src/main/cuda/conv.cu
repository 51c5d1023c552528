// Mamba2's depthwise causal 1-D convolution over time with bias (dev.chimera.core.backend.CausalConvOp),
// channels last: y[b,t,c] = bias[c] + sum_{j<K} w[c,j] x[b, t-(K-1)+j, c], x = 0 before the sequence
// starts; weight (C, K), bias (C), K <= CONV_MAX_WIDTH. The _silu variants fuse the SiLU that Mamba2
// applies to the convolution's output (the core applies it as a separate activation).
//
// Training and prefill kernels: a block is 32 channels (threadIdx.x, so a warp reads 128 contiguous bytes)
// x 8 runs (threadIdx.y) of CONV_STEPS consecutive positions of one sequence; a thread walks its run with
// the last inputs in a register window. Windows hold CONV_MAX_WIDTH values, newest in the last slot, so
// slot i holds position t - (CONV_MAX_WIDTH-1-i) and tap j of a width-K filter is slot CONV_MAX_WIDTH-K+j;
// slots below CONV_MAX_WIDTH-K are never read. Inputs are loaded CONV_BATCH positions at a time so that
// several loads are in flight per thread. Their outputs must not overlap the inputs (runs read their
// neighbours' inputs).
#include "common.cuh"

#define CONV_MAX_WIDTH 8
#define CONV_CHANNELS 32                        // threadIdx.x
#define CONV_RUNS 8                             // threadIdx.y
#define CONV_STEPS 32                           // positions per run
#define CONV_TILE (CONV_RUNS * CONV_STEPS)      // positions per block
#define CONV_BATCH 8                            // positions loaded at once
#define CONV_THREADS (CONV_CHANNELS * CONV_RUNS)

// Only the first run of a sequence reads before its start (the prefill's state): runs are at least K long.
static_assert(CONV_STEPS >= CONV_MAX_WIDTH && CONV_STEPS % CONV_BATCH == 0, "conv: run length");

// Window slot i of a width-K filter is a tap.
__device__ __forceinline__ bool is_tap(int i, int width) { return i >= CONV_MAX_WIDTH - width; }

// win <- win shifted one slot older, v the newest.
__device__ __forceinline__ void push(float (&win)[CONV_MAX_WIDTH], float v) {
#pragma unroll
    for (int i = 0; i < CONV_MAX_WIDTH - 1; i++) win[i] = win[i + 1];
    win[CONV_MAX_WIDTH - 1] = v;
}

// wt[i] = w[i - (MAX-K)]: the taps aligned with a window (newest input times w[K-1]).
__device__ __forceinline__ void load_taps(float (&wt)[CONV_MAX_WIDTH], const float* w, int width) {
#pragma unroll
    for (int i = 0; i < CONV_MAX_WIDTH; i++) wt[i] = is_tap(i, width) ? w[i - (CONV_MAX_WIDTH - width)] : 0.f;
}

// bias + sum over the taps of wt[i] win[i], oldest first (the CPU's order).
__device__ __forceinline__ float convolve(const float (&wt)[CONV_MAX_WIDTH], const float (&win)[CONV_MAX_WIDTH],
                                          int width, float bias) {
    float acc = bias;
#pragma unroll
    for (int i = 0; i < CONV_MAX_WIDTH; i++) {
        if (is_tap(i, width)) acc = fmaf(wt[i], win[i], acc);
    }
    return acc;
}

// One run of positions [t0, t1) of channel c, xs = &x[sequence start, c] (positions channels apart).
// out = y, or silu(y) when SILU; pre (nullable) = y. Positions before 0 read state (C, K) where given:
// position -d is its slot K - d (the prefill), else 0.
template <bool SILU>
__device__ __forceinline__ void forward_run(float* __restrict__ out, float* __restrict__ pre,
                                            const float* __restrict__ xs, const float* __restrict__ state,
                                            const float* __restrict__ weight, const float* __restrict__ bias,
                                            int t0, int t1, int c, int channels, int width) {
    float wt[CONV_MAX_WIDTH];
    load_taps(wt, weight + (long long) c * width, width);
    float b = bias[c];
    // Before t0: slot i holds position t0 - MAX + i, of which the last K-1 are read once pushed along.
    float win[CONV_MAX_WIDTH];
#pragma unroll
    for (int i = 0; i < CONV_MAX_WIDTH; i++) {
        int t = t0 - CONV_MAX_WIDTH + i;
        float v = 0.f;
        if (i > CONV_MAX_WIDTH - width) {
            if (t >= 0) v = xs[(long long) t * channels];
            else if (state != nullptr) v = state[(long long) c * width + width + t];
        }
        win[i] = v;
    }
    for (int tb = t0; tb < t1; tb += CONV_BATCH) {
        float in[CONV_BATCH];
#pragma unroll
        for (int u = 0; u < CONV_BATCH; u++) in[u] = tb + u < t1 ? xs[(long long) (tb + u) * channels] : 0.f;
#pragma unroll
        for (int u = 0; u < CONV_BATCH; u++) {
            push(win, in[u]);
            if (tb + u < t1) {
                long long at = (long long) (tb + u) * channels;
                float y = convolve(wt, win, width, b);
                if (pre != nullptr) pre[at] = y;
                out[at] = SILU ? siluf_(y) : y;
            }
        }
    }
}

// y, x: (batch, T, C). Grid (batch * ceil(T / CONV_TILE), ceil(C / 32)), block (32, 8).
template <bool SILU>
__device__ __forceinline__ void forward_tile(float* out, float* pre, const float* x, const float* weight,
                                             const float* bias, int batch, int seqlen, int channels, int width) {
    int tiles = (seqlen + CONV_TILE - 1) / CONV_TILE;
    int b = blockIdx.x / tiles;
    int t0 = (blockIdx.x % tiles) * CONV_TILE + threadIdx.y * CONV_STEPS;
    int c = blockIdx.y * CONV_CHANNELS + threadIdx.x;
    if (b >= batch || c >= channels || t0 >= seqlen) return;
    long long seq = (long long) b * seqlen * channels + c;
    forward_run<SILU>(out + seq, pre == nullptr ? nullptr : pre + seq, x + seq, nullptr, weight, bias, t0,
                      min(seqlen, t0 + CONV_STEPS), c, channels, width);
}

// y (batch, T, C) = conv(x).
CHIMERA_KERNEL void __launch_bounds__(CONV_THREADS)
conv_forward(float* y, const float* x, const float* weight, const float* bias, int batch, int seqlen,
             int channels, int width) {
    forward_tile<false>(y, nullptr, x, weight, bias, batch, seqlen, channels, width);
}

// pre = conv(x) (saved for the backward), act = silu(pre); all (batch, T, C).
CHIMERA_KERNEL void __launch_bounds__(CONV_THREADS)
conv_forward_silu(float* act, float* pre, const float* x, const float* weight, const float* bias, int batch,
                  int seqlen, int channels, int width) {
    forward_tile<true>(act, pre, x, weight, bias, batch, seqlen, channels, width);
}

// Prefill of one sequence, x and y (T, C), continuing from state (C, K) (its slots 1..K-1 are the inputs
// before the chunk), then state = the last K inputs, oldest first (older state values where T < K).
// Grid (ceil(T / CONV_TILE), ceil(C / 32)), block (32, 8). The first run of each channel, the only one
// reading the state, updates it after reading.
template <bool SILU>
__device__ __forceinline__ void prefill_tile(float* y, float* state, const float* x, const float* weight,
                                             const float* bias, int seqlen, int channels, int width) {
    int t0 = blockIdx.x * CONV_TILE + threadIdx.y * CONV_STEPS;
    int c = blockIdx.y * CONV_CHANNELS + threadIdx.x;
    if (c >= channels || t0 >= seqlen) return;
    forward_run<SILU>(y + c, nullptr, x + c, state, weight, bias, t0, min(seqlen, t0 + CONV_STEPS), c, channels,
                      width);
    if (t0 == 0) {
        // Ascending j: slot j + T (T >= 1) is read before it is overwritten.
        float* s = state + (long long) c * width;
        for (int j = 0; j < width; j++) {
            int t = seqlen - width + j;
            s[j] = t >= 0 ? x[(long long) t * channels + c] : s[j + seqlen];
        }
    }
}

CHIMERA_KERNEL void __launch_bounds__(CONV_THREADS)
conv_prefill(float* y, float* state, const float* x, const float* weight, const float* bias, int seqlen,
             int channels, int width) {
    prefill_tile<false>(y, state, x, weight, bias, seqlen, channels, width);
}

// conv_prefill with y = silu(conv(x)).
CHIMERA_KERNEL void __launch_bounds__(CONV_THREADS)
conv_prefill_silu(float* y, float* state, const float* x, const float* weight, const float* bias, int seqlen,
                  int channels, int width) {
    prefill_tile<true>(y, state, x, weight, bias, seqlen, channels, width);
}

// One decoding step of n sequences: x, y (n, C); states (>= n, C, K), sequence i's state (C, K) at
// states + i C K (the CPU's states[i]): it rolls left and takes x[i] as its newest input; y from it.
// Grid-stride over n C; y may be x.
template <bool SILU>
__device__ __forceinline__ void step_all(float* y, float* states, const float* x, const float* weight,
                                         const float* bias, int n, int channels, int width) {
    FOR_EACH(i, (long long) n * channels) {
        int c = (int) (i % channels);
        float* s = states + i * width;
        const float* w = weight + (long long) c * width;
        float acc = bias[c];
        for (int j = 0; j < width - 1; j++) {
            float v = s[j + 1];
            s[j] = v;
            acc = fmaf(w[j], v, acc);
        }
        float v = x[i];
        s[width - 1] = v;
        acc = fmaf(w[width - 1], v, acc);
        y[i] = SILU ? siluf_(acc) : acc;
    }
}

CHIMERA_KERNEL void conv_step(float* y, float* states, const float* x, const float* weight, const float* bias,
                              int n, int channels, int width) {
    step_all<false>(y, states, x, weight, bias, n, channels, width);
}

// conv_step with y = silu(conv).
CHIMERA_KERNEL void conv_step_silu(float* y, float* states, const float* x, const float* weight,
                                   const float* bias, int n, int channels, int width) {
    step_all<true>(y, states, x, weight, bias, n, channels, width);
}

// Backward. With g = dy (or dact * silu'(pre) for the _silu variant):
//   dx[b,s,c] = sum_j w[c,j] g[b, s+(K-1)-j, c] (g = 0 from T on), overwritten;
//   dweight[c,j] += sum_{b,t} g[b,t,c] x[b, t-(K-1)+j, c]; dbias[c] += sum_{b,t} g[b,t,c].
// Grid (P, ceil(C / 32)), block (32, 8): block p walks tiles p, p + P, ... (tile = CONV_TILE positions of
// one sequence, tiles numbered sequence-major) and leaves its channels' weight and bias sums in row p of
// partials (P, C (K+1)): dweight's layout (c K + j), then dbias (C K + c). conv_reduce_weight_grads adds
// the rows in order: no atomics, and the same bits on every run.
//
// A run of [t0, t1) walks t from t0 to t1 + K - 2 with x (up to t1) and g (up to T) pushed into windows:
// at t, dweight and dbias take g[t] times the inputs x[t-(K-1) .. t], and dx[t-(K-1)] is complete (its
// g[s .. s+K-1] are in the g window).
template <bool SILU>
__device__ __forceinline__ void backward_tiles(float* __restrict__ dx, float* __restrict__ partials,
                                               const float* __restrict__ dy, const float* __restrict__ pre,
                                               const float* __restrict__ x, const float* __restrict__ weight,
                                               int batch, int seqlen, int channels, int width) {
    __shared__ float part[CONV_RUNS][CONV_MAX_WIDTH + 1][CONV_CHANNELS];
    int c = blockIdx.y * CONV_CHANNELS + threadIdx.x;
    int tilesPerSeq = (seqlen + CONV_TILE - 1) / CONV_TILE;
    long long tiles = (long long) batch * tilesPerSeq;
    float wt[CONV_MAX_WIDTH];  // tap j at slot MAX-K+j: for the x window
    float wr[CONV_MAX_WIDTH];  // tap j at slot MAX-1-j: for the g window (dx is a correlation with g reversed)
    if (c < channels) {
        const float* w = weight + (long long) c * width;
        load_taps(wt, w, width);
#pragma unroll
        for (int i = 0; i < CONV_MAX_WIDTH; i++) wr[i] = is_tap(i, width) ? w[CONV_MAX_WIDTH - 1 - i] : 0.f;
    }
    float dw[CONV_MAX_WIDTH];
#pragma unroll
    for (int i = 0; i < CONV_MAX_WIDTH; i++) dw[i] = 0.f;
    float db = 0.f;
    for (long long tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
        int t0 = (int) (tile % tilesPerSeq) * CONV_TILE + threadIdx.y * CONV_STEPS;
        if (c >= channels || t0 >= seqlen) continue;
        int t1 = min(seqlen, t0 + CONV_STEPS);
        long long seq = tile / tilesPerSeq * seqlen * channels + c;
        const float* xs = x + seq;
        const float* gs = dy + seq;
        const float* ps = SILU ? pre + seq : nullptr;
        float* dxs = dx + seq;
        float xw[CONV_MAX_WIDTH];
        float gw[CONV_MAX_WIDTH];
#pragma unroll
        for (int i = 0; i < CONV_MAX_WIDTH; i++) {
            int t = t0 - CONV_MAX_WIDTH + i;
            xw[i] = i > CONV_MAX_WIDTH - width && t >= 0 ? xs[(long long) t * channels] : 0.f;
            gw[i] = 0.f;  // g before t0 only reaches dx before t0, which other runs write
        }
        int end = t1 + width - 1;
        for (int tb = t0; tb < end; tb += CONV_BATCH) {
            float xin[CONV_BATCH];
            float gin[CONV_BATCH];
#pragma unroll
            for (int u = 0; u < CONV_BATCH; u++) {
                int t = tb + u;
                long long at = (long long) t * channels;
                xin[u] = t < t1 ? xs[at] : 0.f;
                float g = 0.f;
                if (t < end && t < seqlen) {
                    g = gs[at];
                    if (SILU) {
                        float u0 = ps[at];
                        float sg = sigmoidf_(u0);
                        g *= sg * (1.f + u0 * (1.f - sg));
                    }
                }
                gin[u] = g;
            }
#pragma unroll
            for (int u = 0; u < CONV_BATCH; u++) {
                int t = tb + u;
                push(xw, xin[u]);
                push(gw, gin[u]);
                if (t < t1) {
                    db += gin[u];
#pragma unroll
                    for (int i = 0; i < CONV_MAX_WIDTH; i++) {
                        if (is_tap(i, width)) dw[i] = fmaf(gin[u], xw[i], dw[i]);
                    }
                }
                int s = t - (width - 1);
                if (s >= t0 && s < t1) {
                    float acc = 0.f;
#pragma unroll
                    for (int i = 0; i < CONV_MAX_WIDTH; i++) {
                        if (is_tap(i, width)) acc = fmaf(wr[i], gw[i], acc);
                    }
                    dxs[(long long) s * channels] = acc;
                }
            }
        }
    }
    // The block's 8 runs per channel, added in run order.
#pragma unroll
    for (int i = 0; i < CONV_MAX_WIDTH; i++) part[threadIdx.y][i][threadIdx.x] = dw[i];
    part[threadIdx.y][CONV_MAX_WIDTH][threadIdx.x] = db;
    __syncthreads();
    if (threadIdx.y == 0 && c < channels) {
        float* row = partials + (long long) blockIdx.x * channels * (width + 1);
        for (int j = 0; j <= width; j++) {
            int slot = j < width ? CONV_MAX_WIDTH - width + j : CONV_MAX_WIDTH;
            float sum = 0.f;
            for (int r = 0; r < CONV_RUNS; r++) sum += part[r][slot][threadIdx.x];
            row[j < width ? (long long) c * width + j : (long long) channels * width + c] = sum;
        }
    }
}

// dx (batch, T, C) overwritten; the weight and bias sums into partials (P, C (K+1)), P = gridDim.x.
CHIMERA_KERNEL void __launch_bounds__(CONV_THREADS)
conv_backward(float* dx, float* partials, const float* dy, const float* x, const float* weight, int batch,
              int seqlen, int channels, int width) {
    backward_tiles<false>(dx, partials, dy, nullptr, x, weight, batch, seqlen, channels, width);
}

// conv_backward of y = silu(pre), pre = conv(x): dact = dL/dy, g = dact * silu'(pre).
CHIMERA_KERNEL void __launch_bounds__(CONV_THREADS)
conv_backward_silu(float* dx, float* partials, const float* dact, const float* pre, const float* x,
                   const float* weight, int batch, int seqlen, int channels, int width) {
    backward_tiles<true>(dx, partials, dact, pre, x, weight, batch, seqlen, channels, width);
}

// dweight (C, K) += column sums of partials' first C K columns, dbias (C) += those of the last C.
// Grid (ceil(C (K+1) / 32)), block (32, 8): each thread row adds every 8th part, then the 8 partial sums
// are folded in row order (a fixed order: the same bits on every run).
CHIMERA_KERNEL void conv_reduce_weight_grads(float* dweight, float* dbias, const float* partials, int parts,
                                             int channels, int width) {
    __shared__ float fold[CONV_RUNS][CONV_CHANNELS + 1];
    long long cw = (long long) channels * width;
    long long stride = cw + channels;
    long long i = (long long) blockIdx.x * CONV_CHANNELS + threadIdx.x;
    float sum = 0.f;
    if (i < stride) {
        for (int p = threadIdx.y; p < parts; p += CONV_RUNS) sum += partials[p * stride + i];
    }
    fold[threadIdx.y][threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.y == 0 && i < stride) {
        float total = 0.f;
        for (int r = 0; r < CONV_RUNS; r++) total += fold[r][threadIdx.x];
        if (i < cw) dweight[i] += total;
        else dbias[i - cw] += total;
    }
}
