// Causal grouped-query attention (dev.chimera.core.backend.AttentionOp) and rotary embeddings (RotaryOp), fp32.
//
// Layouts are the CPU op's: q, o, dq, dout (B, T, H, D); k, v, dk, dv (B, T, G, D); lse, delta (B, H, T).
// Query head h reads kv head h / (H / G). Query position t sees key position s when s <= t and, for a
// window W > 0, s > t - W (the W positions ending at t). Scores are scaled by `scale`, the CPU's float
// 1/sqrt(D), passed by the host. D <= 128.
//
// Tiled forward and backward (FlashAttention-2, Dao 2023, Algorithms 1 and 2). A block holds a tile of
// "rows" (queries; keys in the dk/dv pass) and walks tiles of "columns". Its threads form a
// (rows / 4) x 16 grid: thread (ty, tx) owns rows ty*4 .. ty*4+3, score columns tx + 16j, and output
// columns c*64 + tx*4 .. +3. Operand tiles sit in shared memory, rows padded to DMAX + 4 floats (rows
// tx and tx + 1 start 4 banks apart, so a half-warp's float4 reads of 16 rows take the minimum two
// wavefronts), and are zero beyond the tensor (rows past T, columns past D) so tails need no guards in
// the products. Softmax runs in base 2: exp2 of scores times scale * log2(e).
//
// The KV caches of the decoding step are one pooled buffer per tensor, (n, G, capacity, D): sequence i's
// part is exactly CPU KvCache i's (G, capacity, D) array, a full cache holding positions 0 .. length-1 in
// slots 0 .. length-1 and a windowed one a ring of W slots, position p in slot p mod W. lengths (int, n)
// is KvCache.length() per sequence.
#include "common.cuh"

#define TX 16
#define LOG2E 1.4426950408889634f
#define LN2 0.6931471805599453f
#define NO_POSITION 0x7fffffff

// s[r][d] = g[r * stride + d] for r < n, d < D; zero for the rows [n, ROWS) and the columns [D, D4)
// (D4 = D rounded up to 4: the products read whole float4s). Element e = r * D4 + d goes to thread
// e mod blockDim; (r, d) advance by blockDim without a division per element.
template <int ROWS, int S>
__device__ __forceinline__ void load_rows(float (*s)[S], const float* __restrict__ g, long long stride, int n,
                                          int D, int D4) {
    int rStep = blockDim.x / D4, dStep = blockDim.x - rStep * D4;
    for (int r = threadIdx.x / D4, d = threadIdx.x - r * D4; r < ROWS;) {
        s[r][d] = r < n && d < D ? g[r * stride + d] : 0.f;
        r += rStep;
        d += dStep;
        if (d >= D4) {
            d -= D4;
            r++;
        }
    }
}

// acc[i][j] = sum_{d < D4} a[ty*4 + i][d] * b[tx + 16j][d]: the 4 x NJ scores of this thread.
template <int NJ, int S>
__device__ __forceinline__ void dot_tile(float (&acc)[4][NJ], const float (*a)[S], const float (*b)[S], int D4,
                                         int ty, int tx) {
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < NJ; j++) acc[i][j] = 0.f;
#pragma unroll 2
    for (int d = 0; d < D4; d += 4) {
        float4 x[4], y[NJ];
#pragma unroll
        for (int i = 0; i < 4; i++) x[i] = *reinterpret_cast<const float4*>(&a[ty * 4 + i][d]);
#pragma unroll
        for (int j = 0; j < NJ; j++) y[j] = *reinterpret_cast<const float4*>(&b[tx + TX * j][d]);
#pragma unroll
        for (int i = 0; i < 4; i++)
#pragma unroll
            for (int j = 0; j < NJ; j++) {
                float t = fmaf(x[i].x, y[j].x, acc[i][j]);
                t = fmaf(x[i].y, y[j].y, t);
                t = fmaf(x[i].z, y[j].z, t);
                acc[i][j] = fmaf(x[i].w, y[j].w, t);
            }
    }
}

// acc[i][c*4 + e] += sum_{k < K} p[ty*4 + i][k] * v[k][c*64 + tx*4 + e] over the column blocks below D4:
// this thread's 4 rows x 4*NC output columns of P V.
template <int NC, int K, int PS, int S>
__device__ __forceinline__ void pv_tile(float (&acc)[4][NC * 4], const float (*p)[PS], const float (*v)[S], int D4,
                                        int ty, int tx) {
#pragma unroll 2
    for (int k = 0; k < K; k += 4) {
        float4 w[4];
#pragma unroll
        for (int i = 0; i < 4; i++) w[i] = *reinterpret_cast<const float4*>(&p[ty * 4 + i][k]);
#pragma unroll
        for (int c = 0; c < NC; c++) {
            int col = c * 64 + tx * 4;
            if (col < D4) {
                float4 y0 = *reinterpret_cast<const float4*>(&v[k][col]);
                float4 y1 = *reinterpret_cast<const float4*>(&v[k + 1][col]);
                float4 y2 = *reinterpret_cast<const float4*>(&v[k + 2][col]);
                float4 y3 = *reinterpret_cast<const float4*>(&v[k + 3][col]);
#pragma unroll
                for (int i = 0; i < 4; i++) {
                    float* a = &acc[i][c * 4];
                    a[0] = fmaf(w[i].w, y3.x, fmaf(w[i].z, y2.x, fmaf(w[i].y, y1.x, fmaf(w[i].x, y0.x, a[0]))));
                    a[1] = fmaf(w[i].w, y3.y, fmaf(w[i].z, y2.y, fmaf(w[i].y, y1.y, fmaf(w[i].x, y0.y, a[1]))));
                    a[2] = fmaf(w[i].w, y3.z, fmaf(w[i].z, y2.z, fmaf(w[i].y, y1.z, fmaf(w[i].x, y0.z, a[2]))));
                    a[3] = fmaf(w[i].w, y3.w, fmaf(w[i].z, y2.w, fmaf(w[i].y, y1.w, fmaf(w[i].x, y0.w, a[3]))));
                }
            }
        }
    }
}

// Stores this thread's rows of an output tile times alpha: out[r * stride + d] for rows r < n, d < D.
template <int NC>
__device__ __forceinline__ void store_rows(float* out, long long stride, const float (&acc)[4][NC * 4], int n,
                                           int D, float alpha, int ty, int tx) {
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int r = ty * 4 + i;
        if (r >= n) continue;
#pragma unroll
        for (int c = 0; c < NC; c++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                int d = c * 64 + tx * 4 + e;
                if (d < D) out[r * stride + d] = acc[i][c * 4 + e] * alpha;
            }
    }
}

// The maximum and the sum over the 16 threads (tx) that share a row: one half-warp.
__device__ __forceinline__ float row_max(float x) {
    for (int o = TX / 2; o > 0; o >>= 1) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, o));
    return x;
}

__device__ __forceinline__ float row_sum(float x) {
    for (int o = TX / 2; o > 0; o >>= 1) x += __shfl_xor_sync(0xffffffffu, x, o);
    return x;
}

// Whether query position P sees key position s (NO_POSITION: no key).
__device__ __forceinline__ bool sees(int P, int s, int W) {
    return s <= P && (W == 0 || s > P - W);
}

// The forward pass of one query tile of batch b, head h: o and (lse not null) lse for rows
// [tile*BQ, tile*BQ + BQ) of T. The queries continue a sequence of `length` earlier positions, `held` of
// which lie in the cache ck/cv ((G, cap, D), slot order; the plain forward has none): query row t is
// position length + t and attends to the cached positions it sees, then to rows s <= t of k/v.
// Threads: BQ/4 x 16.
template <int BQ, int BK, int DMAX>
__device__ __forceinline__ void forward_tile(float* o, float* lse, const float* q, const float* k, const float* v,
                                             const float* ck, const float* cv, int length, int held, int cap, int T,
                                             int H, int G, int D, int W, float scale, int b, int h, int tile) {
    constexpr int S = DMAX + 4, PS = BK + 4, NJ = BK / TX, NC = DMAX / 64;
    __shared__ __align__(16) float Qs[BQ][S];
    __shared__ __align__(16) float Ks[BK][S];
    __shared__ __align__(16) float Vs[BK][S];
    __shared__ __align__(16) float Ps[BQ][PS];
    int tx = threadIdx.x % TX, ty = threadIdx.x / TX;
    int D4 = (D + 3) & ~3, g = h / (H / G);
    int t0 = tile * BQ, rows = min(BQ, T - t0);
    long long qStride = (long long) H * D, kvStride = (long long) G * D;
    long long qBase = ((long long) b * T + t0) * qStride + (long long) h * D;
    long long kvBatch = (long long) b * T * kvStride + (long long) g * D;
    float c2 = scale * LOG2E;
    load_rows<BQ>(Qs, q + qBase, qStride, rows, D, D4);

    float m[4], l[4], acc[4][NC * 4];
#pragma unroll
    for (int i = 0; i < 4; i++) {
        m[i] = -INFINITY;
        l[i] = 0.f;
#pragma unroll
        for (int e = 0; e < NC * 4; e++) acc[i][e] = 0.f;
    }
    // One key tile (in Ks, Vs; kp(j) the position of tile column j): the online softmax step, P V.
    auto fold = [&](auto kp) {
        __syncthreads(); // Ks, Vs loaded
        float s[4][NJ];
        dot_tile<NJ, S>(s, Qs, Ks, D4, ty, tx);
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int P = length + t0 + ty * 4 + i;
            float mx = -INFINITY;
#pragma unroll
            for (int j = 0; j < NJ; j++) {
                s[i][j] = sees(P, kp(tx + TX * j), W) ? s[i][j] * c2 : -INFINITY;
                mx = fmaxf(mx, s[i][j]);
            }
            float mNew = fmaxf(m[i], row_max(mx));
            float mUse = mNew == -INFINITY ? 0.f : mNew; // a row that has seen no key yet keeps l = 0, acc = 0
            float alpha = exp2f(m[i] - mUse);
            float sum = 0.f;
#pragma unroll
            for (int j = 0; j < NJ; j++) {
                float p = exp2f(s[i][j] - mUse);
                Ps[ty * 4 + i][tx + TX * j] = p;
                sum += p;
            }
            l[i] = l[i] * alpha + sum;
#pragma unroll
            for (int e = 0; e < NC * 4; e++) acc[i][e] *= alpha;
            m[i] = mNew;
        }
        __syncthreads(); // Ps complete
        pv_tile<NC, BK, PS, S>(acc, Ps, Vs, D4, ty, tx);
        __syncthreads(); // done with Ks, Vs, Ps before the next tile is loaded
    };

    // The cache, in slot order; slot j holds position oldest + (j - oldest) mod cap. No query row at or
    // past W - 1 sees any cached position (the newest is length - 1 > length + t - W only for t < W - 1).
    if (held > 0 && (W == 0 || t0 < W - 1)) {
        int oldest = length - held;
        const float* kh = ck + (long long) g * cap * D;
        const float* vh = cv + (long long) g * cap * D;
        for (int j0 = 0; j0 < held; j0 += BK) {
            load_rows<BK>(Ks, kh + (long long) j0 * D, D, min(BK, held - j0), D, D4);
            load_rows<BK>(Vs, vh + (long long) j0 * D, D, min(BK, held - j0), D, D4);
            fold([&](int j) {
                int slot = j0 + j;
                return slot < held ? oldest + ((slot - oldest) % cap + cap) % cap : NO_POSITION;
            });
        }
    }
    // The chunk's own keys, from the first any row of the tile sees to the diagonal.
    int first = W == 0 ? 0 : max(0, t0 - W + 1);
    for (int j0 = first / BK * BK; j0 < t0 + rows; j0 += BK) {
        load_rows<BK>(Ks, k + kvBatch + j0 * kvStride, kvStride, min(BK, T - j0), D, D4);
        load_rows<BK>(Vs, v + kvBatch + j0 * kvStride, kvStride, min(BK, T - j0), D, D4);
        fold([&](int j) { return j0 + j < T ? length + j0 + j : NO_POSITION; });
    }

#pragma unroll
    for (int i = 0; i < 4; i++) l[i] = row_sum(l[i]);
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int r = ty * 4 + i;
        if (r < rows) {
            float inv = 1.f / l[i];
#pragma unroll
            for (int c = 0; c < NC; c++)
#pragma unroll
                for (int e = 0; e < 4; e++) {
                    int d = c * 64 + tx * 4 + e;
                    if (d < D) o[qBase + r * qStride + d] = acc[i][c * 4 + e] * inv;
                }
            if (lse != nullptr && tx == 0) lse[((long long) b * H + h) * T + t0 + r] = m[i] * LN2 + logf(l[i]);
        }
    }
}

// Forward, grid (ceil(T / BQ), H, B), the longest query tiles (last ones) scheduled first.
// o, lse outputs; q, k, v as above. _d64 for D <= 64 (BQ 64, BK 32, 256 threads), _d128 for D <= 128
// (BQ 32, BK 16, 128 threads).
CHIMERA_KERNEL void __launch_bounds__(256, 2)
attention_forward_d64(float* o, float* lse, const float* q, const float* k, const float* v, int T, int H, int G,
                      int D, int W, float scale) {
    forward_tile<64, 32, 64>(o, lse, q, k, v, nullptr, nullptr, 0, 0, 1, T, H, G, D, W, scale, blockIdx.z,
                             blockIdx.y, gridDim.x - 1 - blockIdx.x);
}

CHIMERA_KERNEL void __launch_bounds__(128, 4)
attention_forward_d128(float* o, float* lse, const float* q, const float* k, const float* v, int T, int H, int G,
                       int D, int W, float scale) {
    forward_tile<32, 16, 128>(o, lse, q, k, v, nullptr, nullptr, 0, 0, 1, T, H, G, D, W, scale, blockIdx.z,
                              blockIdx.y, gridDim.x - 1 - blockIdx.x);
}

// AttentionOp.continueFrom: T new positions of one sequence, q (T, H, D), k, v (T, G, D), over the
// sequence's cache (ck, cv: its (G, cap, D) part of the pool; length: its lengths entry), which is not
// modified. o (T, H, D). Grid (ceil(T / BQ), H, 1), tiles as the forward's.
CHIMERA_KERNEL void __launch_bounds__(256, 2)
attention_continue_d64(float* o, const float* q, const float* k, const float* v, const float* ck, const float* cv,
                       const int* length, int T, int H, int G, int D, int W, int cap, float scale) {
    int len = *length;
    forward_tile<64, 32, 64>(o, nullptr, q, k, v, ck, cv, len, min(len, cap), cap, T, H, G, D, W, scale, 0,
                             blockIdx.y, gridDim.x - 1 - blockIdx.x);
}

CHIMERA_KERNEL void __launch_bounds__(128, 4)
attention_continue_d128(float* o, const float* q, const float* k, const float* v, const float* ck, const float* cv,
                        const int* length, int T, int H, int G, int D, int W, int cap, float scale) {
    int len = *length;
    forward_tile<32, 16, 128>(o, nullptr, q, k, v, ck, cv, len, min(len, cap), cap, T, H, G, D, W, scale, 0,
                              blockIdx.y, gridDim.x - 1 - blockIdx.x);
}

// delta[b, h, t] = sum_d dout[b, t, h, d] * o[b, t, h, d] (the D_t of backward): one warp per (b, t, h),
// grid-stride over them; blocks of a multiple of 32 threads.
CHIMERA_KERNEL void attention_delta(float* delta, const float* dout, const float* o, int B, int T, int H, int D) {
    long long rows = (long long) B * T * H;
    int lane = threadIdx.x & 31;
    long long warps = ((long long) gridDim.x * blockDim.x) >> 5;
    for (long long r = ((long long) blockIdx.x * blockDim.x + threadIdx.x) >> 5; r < rows; r += warps) {
        float s = 0.f;
        for (int d = lane; d < D; d += 32) s = fmaf(dout[r * D + d], o[r * D + d], s);
        s = warp_sum(s);
        if (lane == 0) {
            long long h = r % H, t = r / H % T, b = r / H / T;
            delta[(b * H + h) * T + t] = s;
        }
    }
}

// dk and dv (overwritten) for key tile [tile*BK, tile*BK + BK) of batch b, kv head g: with
// P = exp(scale q.k - lse) and dS = P (do.v - delta), dv_s = sum_t P_ts do_t and
// dk_s = scale sum_t dS_ts q_t over the group's query heads and the query tiles that see these keys.
// Rows are keys, columns queries; threads BK/4 x 16. Needs delta.
template <int BK, int BQ, int DMAX>
__device__ __forceinline__ void dkdv_tile(float* dk, float* dv, const float* q, const float* k, const float* v,
                                          const float* dout, const float* lse, const float* delta, int T, int H, int G,
                                          int D, int W, float scale, int b, int g, int tile) {
    constexpr int S = DMAX + 4, PS = BQ + 4, NJ = BQ / TX, NC = DMAX / 64;
    __shared__ __align__(16) float Ks[BK][S];
    __shared__ __align__(16) float Vs[BK][S];
    __shared__ __align__(16) float Qs[BQ][S];
    __shared__ __align__(16) float Os[BQ][S];
    __shared__ __align__(16) float Ps[BK][PS];
    __shared__ __align__(16) float Ds[BK][PS];
    __shared__ float lse2[BQ], dl[BQ];
    int tx = threadIdx.x % TX, ty = threadIdx.x / TX;
    int D4 = (D + 3) & ~3, group = H / G;
    int j0 = tile * BK, keys = min(BK, T - j0);
    long long qStride = (long long) H * D, kvStride = (long long) G * D;
    long long kvBase = ((long long) b * T + j0) * kvStride + (long long) g * D;
    float c2 = scale * LOG2E;
    load_rows<BK>(Ks, k + kvBase, kvStride, keys, D, D4);
    load_rows<BK>(Vs, v + kvBase, kvStride, keys, D, D4);
    float adk[4][NC * 4], adv[4][NC * 4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int e = 0; e < NC * 4; e++) adk[i][e] = adv[i][e] = 0.f;
    // The last key of the tile is seen by queries up to j0 + keys - 1 + W - 1 (W >= T: by all).
    int tEnd = W == 0 || W >= T ? T : min(T, j0 + keys - 1 + W);
    for (int h = g * group; h < (g + 1) * group; h++) {
        long long stat = ((long long) b * H + h) * T;
        for (int t0 = j0 / BQ * BQ; t0 < tEnd; t0 += BQ) {
            __syncthreads(); // the previous query tile's products are done with Qs, Os, Ps, Ds
            int n = min(BQ, T - t0);
            long long qBase = ((long long) b * T + t0) * qStride + (long long) h * D;
            load_rows<BQ>(Qs, q + qBase, qStride, n, D, D4);
            load_rows<BQ>(Os, dout + qBase, qStride, n, D, D4);
            for (int r = threadIdx.x; r < BQ; r += blockDim.x) {
                lse2[r] = r < n ? lse[stat + t0 + r] * LOG2E : 0.f;
                dl[r] = r < n ? delta[stat + t0 + r] : 0.f;
            }
            __syncthreads();
            float s[4][NJ], dp[4][NJ];
            dot_tile<NJ, S>(s, Ks, Qs, D4, ty, tx);
            dot_tile<NJ, S>(dp, Vs, Os, D4, ty, tx);
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < NJ; j++) {
                    int r = tx + TX * j, t = t0 + r;
                    float p = t < T && sees(t, j0 + ty * 4 + i, W) ? exp2f(s[i][j] * c2 - lse2[r]) : 0.f;
                    Ps[ty * 4 + i][r] = p;
                    Ds[ty * 4 + i][r] = p * (dp[i][j] - dl[r]);
                }
            __syncthreads();
            pv_tile<NC, BQ, PS, S>(adv, Ps, Os, D4, ty, tx);
            pv_tile<NC, BQ, PS, S>(adk, Ds, Qs, D4, ty, tx);
        }
    }
    store_rows<NC>(dk + kvBase, kvStride, adk, keys, D, scale, ty, tx);
    store_rows<NC>(dv + kvBase, kvStride, adv, keys, D, 1.f, ty, tx);
}

// dq (overwritten) for query tile [tile*BQ, tile*BQ + BQ) of batch b, head h: dq_t = scale sum_s dS_ts k_s
// over the key tiles the rows see (q.k and do.v recomputed rather than shared with the dk/dv pass, so no
// atomics). Rows are queries, columns keys; threads BQ/4 x 16. Needs delta.
template <int BQ, int BK, int DMAX>
__device__ __forceinline__ void dq_tile(float* dq, const float* q, const float* k, const float* v, const float* dout,
                                        const float* lse, const float* delta, int T, int H, int G, int D, int W,
                                        float scale, int b, int h, int tile) {
    constexpr int S = DMAX + 4, PS = BK + 4, NJ = BK / TX, NC = DMAX / 64;
    __shared__ __align__(16) float Qs[BQ][S];
    __shared__ __align__(16) float Os[BQ][S];
    __shared__ __align__(16) float Ks[BK][S];
    __shared__ __align__(16) float Vs[BK][S];
    __shared__ __align__(16) float Ds[BQ][PS];
    int tx = threadIdx.x % TX, ty = threadIdx.x / TX;
    int D4 = (D + 3) & ~3, g = h / (H / G);
    int t0 = tile * BQ, rows = min(BQ, T - t0);
    long long qStride = (long long) H * D, kvStride = (long long) G * D;
    long long qBase = ((long long) b * T + t0) * qStride + (long long) h * D;
    long long kvBatch = (long long) b * T * kvStride + (long long) g * D;
    long long stat = ((long long) b * H + h) * T + t0;
    float c2 = scale * LOG2E;
    load_rows<BQ>(Qs, q + qBase, qStride, rows, D, D4);
    load_rows<BQ>(Os, dout + qBase, qStride, rows, D, D4);
    float lse2[4], dl[4], adq[4][NC * 4];
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int r = ty * 4 + i;
        lse2[i] = r < rows ? lse[stat + r] * LOG2E : 0.f;
        dl[i] = r < rows ? delta[stat + r] : 0.f;
#pragma unroll
        for (int e = 0; e < NC * 4; e++) adq[i][e] = 0.f;
    }
    int first = W == 0 ? 0 : max(0, t0 - W + 1);
    for (int j0 = first / BK * BK; j0 < t0 + rows; j0 += BK) {
        __syncthreads(); // the previous key tile's product is done with Ks, Ds
        load_rows<BK>(Ks, k + kvBatch + j0 * kvStride, kvStride, min(BK, T - j0), D, D4);
        load_rows<BK>(Vs, v + kvBatch + j0 * kvStride, kvStride, min(BK, T - j0), D, D4);
        __syncthreads();
        float s[4][NJ], dp[4][NJ];
        dot_tile<NJ, S>(s, Qs, Ks, D4, ty, tx);
        dot_tile<NJ, S>(dp, Os, Vs, D4, ty, tx);
#pragma unroll
        for (int i = 0; i < 4; i++)
#pragma unroll
            for (int j = 0; j < NJ; j++) {
                int t = t0 + ty * 4 + i, key = j0 + tx + TX * j;
                float p = t < T && sees(t, key, W) ? exp2f(s[i][j] * c2 - lse2[i]) : 0.f;
                Ds[ty * 4 + i][tx + TX * j] = p * (dp[i][j] - dl[i]);
            }
        __syncthreads();
        pv_tile<NC, BK, PS, S>(adq, Ds, Ks, D4, ty, tx);
    }
    store_rows<NC>(dq + qBase, qStride, adq, rows, D, scale, ty, tx);
}

// Backward: dk, dv with grid (ceil(T / BK), G, B); dq with grid (ceil(T / BQ), H, B). Both read delta, so
// attention_delta runs first. _d64: D <= 64 (BK = BQ = 32, 128 threads); _d128: D <= 128 (16, 16, 64 threads).
CHIMERA_KERNEL void __launch_bounds__(128)
attention_backward_dkdv_d64(float* dk, float* dv, const float* q, const float* k, const float* v, const float* dout,
                            const float* lse, const float* delta, int T, int H, int G, int D, int W, float scale) {
    dkdv_tile<32, 32, 64>(dk, dv, q, k, v, dout, lse, delta, T, H, G, D, W, scale, blockIdx.z, blockIdx.y,
                          blockIdx.x);
}

CHIMERA_KERNEL void __launch_bounds__(64)
attention_backward_dkdv_d128(float* dk, float* dv, const float* q, const float* k, const float* v, const float* dout,
                             const float* lse, const float* delta, int T, int H, int G, int D, int W, float scale) {
    dkdv_tile<16, 16, 128>(dk, dv, q, k, v, dout, lse, delta, T, H, G, D, W, scale, blockIdx.z, blockIdx.y,
                           blockIdx.x);
}

CHIMERA_KERNEL void __launch_bounds__(128)
attention_backward_dq_d64(float* dq, const float* q, const float* k, const float* v, const float* dout,
                          const float* lse, const float* delta, int T, int H, int G, int D, int W, float scale) {
    dq_tile<32, 32, 64>(dq, q, k, v, dout, lse, delta, T, H, G, D, W, scale, blockIdx.z, blockIdx.y,
                        gridDim.x - 1 - blockIdx.x);
}

CHIMERA_KERNEL void __launch_bounds__(64)
attention_backward_dq_d128(float* dq, const float* q, const float* k, const float* v, const float* dout,
                           const float* lse, const float* delta, int T, int H, int G, int D, int W, float scale) {
    dq_tile<16, 16, 128>(dq, q, k, v, dout, lse, delta, T, H, G, D, W, scale, blockIdx.z, blockIdx.y,
                         gridDim.x - 1 - blockIdx.x);
}

#define DEC_THREADS 128
#define DEC_GROUPS (DEC_THREADS / 8)
#define DEC_DMAX 128

// One decoding step (AttentionOp.step) of sequence i = blockIdx.x, query head h = blockIdx.y: q, k, v
// rows i of (n, H, D), (n, G, D); ck, cv the pooled caches (n, G, cap, D); lengths[i] the positions held
// before this step (not changed here: attention_cache_advance follows). The new position p = lengths[i]
// goes to slot p mod cap; the query attends to the held slots except that one (a full ring's oldest
// position, which leaves the window) and to the new k, v read from their rows, so no block reads the slot
// being written. The first query head of each kv group writes the new row into the cache. out (n, H, D).
// 128 threads: 16 groups of 8 lanes, each group folding every 16th key into its own online softmax, then
// merged through shared memory.
CHIMERA_KERNEL void __launch_bounds__(DEC_THREADS)
attention_decode_step(float* out, float* ck, float* cv, const float* q, const float* k, const float* v,
                      const int* lengths, int H, int G, int D, int cap, float scale) {
    __shared__ float gm[DEC_GROUPS], gl[DEC_GROUPS], gacc[DEC_GROUPS][DEC_DMAX];
    int i = blockIdx.x, h = blockIdx.y, g = h / (H / G);
    int lane = threadIdx.x & 7, grp = threadIdx.x >> 3;
    unsigned mask = 0xffu << (threadIdx.x & 24); // this group's 8 lanes of the warp
    int len = lengths[i], held = min(len, cap), slotNew = len % cap;
    long long head = ((long long) i * G + g) * cap * D;
    const float* kNew = k + ((long long) i * G + g) * D;
    const float* vNew = v + ((long long) i * G + g) * D;
    const float* qr = q + ((long long) i * H + h) * D;
    float c2 = scale * LOG2E;
    float qd[DEC_DMAX / 8], acc[DEC_DMAX / 8];
#pragma unroll
    for (int c = 0; c < DEC_DMAX / 8; c++) {
        int d = lane + 8 * c;
        qd[c] = d < D ? qr[d] * c2 : 0.f;
        acc[c] = 0.f;
    }
    float m = -INFINITY, l = 0.f;
    // Slot index `held` stands for the new position.
    for (int s = grp; s <= held; s += DEC_GROUPS) {
        if (s == slotNew && s < held) continue;
        const float* kr = s == held ? kNew : ck + head + (long long) s * D;
        const float* vr = s == held ? vNew : cv + head + (long long) s * D;
        float x = 0.f;
#pragma unroll
        for (int c = 0; c < DEC_DMAX / 8; c++) {
            int d = lane + 8 * c;
            if (d < D) x = fmaf(qd[c], kr[d], x);
        }
        for (int o = 4; o > 0; o >>= 1) x += __shfl_xor_sync(mask, x, o);
        float mNew = fmaxf(m, x);
        float alpha = exp2f(m - mNew), p = exp2f(x - mNew);
        l = l * alpha + p;
#pragma unroll
        for (int c = 0; c < DEC_DMAX / 8; c++) {
            int d = lane + 8 * c;
            if (d < D) acc[c] = fmaf(p, vr[d], acc[c] * alpha);
        }
        m = mNew;
    }
    if (lane == 0) {
        gm[grp] = m;
        gl[grp] = l;
    }
#pragma unroll
    for (int c = 0; c < DEC_DMAX / 8; c++) {
        int d = lane + 8 * c;
        if (d < D) gacc[grp][d] = acc[c];
    }
    __syncthreads();
    int d = threadIdx.x;
    if (d < D) {
        float M = -INFINITY;
        for (int j = 0; j < DEC_GROUPS; j++) M = fmaxf(M, gm[j]);
        float L = 0.f, O = 0.f;
        for (int j = 0; j < DEC_GROUPS; j++) {
            float w = exp2f(gm[j] - M); // 0 for a group that folded no key
            L = fmaf(gl[j], w, L);
            O = fmaf(gacc[j][d], w, O);
        }
        out[((long long) i * H + h) * D + d] = O / L;
        if (h % (H / G) == 0) {
            ck[head + (long long) slotNew * D + d] = kNew[d];
            cv[head + (long long) slotNew * D + d] = vNew[d];
        }
    }
}

// Appends T positions of one sequence, k, v (T, G, D), to its cache (ck, cv: (G, cap, D)) from position
// *length (KvCache.appendAll; *length is advanced by attention_cache_advance afterwards). Of a chunk longer
// than the ring only the last cap positions are written, so no slot is written twice. Grid-stride.
CHIMERA_KERNEL void attention_cache_append(float* ck, float* cv, const float* k, const float* v, const int* length,
                                           int T, int G, int D, int cap) {
    int len = *length, first = max(0, T - cap);
    FOR_EACH(e, (long long) (T - first) * G * D) {
        long long t = first + e / ((long long) G * D);
        int g = (int) (e / D % G), d = (int) (e % D);
        long long slot = (len + t) % cap;
        long long dst = ((long long) g * cap + slot) * D + d, src = (t * G + g) * D + d;
        ck[dst] = k[src];
        cv[dst] = v[src];
    }
}

// lengths[i] += by for i < n: the positions appended by a step (by 1) or a chunk (by T).
CHIMERA_KERNEL void attention_cache_advance(int* lengths, int n, int by) {
    FOR_EACH(i, n) lengths[i] += by;
}

// RoPE (core's Rope, rotate-half): in each head of D = 2*half values, element i pairs with i + half and
// turns by pos * theta_i, theta (half doubles, base^(-2i/D), from the host as Rope computes them); cos and
// sin in double, rounded to float, as Rope's table; sign -1 turns back (backward). Products rounded
// separately (no fma), as the Java expression x1 * c - x2 * s.
__device__ __forceinline__ void rope_pair(float* x, const double* theta, long long row, int heads, int D, int i,
                                          long long pos, float sign) {
    int half = D / 2;
    double sd, cd;
    sincos((double) pos * theta[i], &sd, &cd);
    float c = (float) cd, s = sign * (float) sd;
    for (int hd = 0; hd < heads; hd++) {
        float* y = x + (row * heads + hd) * D;
        float x1 = y[i], x2 = y[i + half];
        y[i] = __fsub_rn(__fmul_rn(x1, c), __fmul_rn(x2, s));
        y[i + half] = __fadd_rn(__fmul_rn(x2, c), __fmul_rn(x1, s));
    }
}

// x (rows = batch * T, heads, D) in place, row r at position startPos + r mod T. Grid-stride over
// (row, pair).
CHIMERA_KERNEL void attention_rope(float* x, const double* theta, int rows, int T, int heads, int D, int startPos,
                                   float sign) {
    int half = D / 2;
    FOR_EACH(e, (long long) rows * half) {
        long long r = e / half;
        rope_pair(x, theta, r, heads, D, (int) (e % half), startPos + r % T, sign);
    }
}

// x (n, heads, D) in place, row r at position positions[r] (RotaryOp.forwardAt).
CHIMERA_KERNEL void attention_rope_at(float* x, const double* theta, const int* positions, int n, int heads, int D) {
    int half = D / 2;
    FOR_EACH(e, (long long) n * half) {
        long long r = e / half;
        rope_pair(x, theta, r, heads, D, (int) (e % half), positions[r], 1.f);
    }
}
