// The SSD scan of Mamba2 (REFERENCE §2) as dev.chimera.core.backend.SsdScanOp defines it: the chunked forward
// (ssd_minimal's four steps), its backward, and the recurrent step of decoding.
//
// Layouts (SsdShape's, row-major): x, y (batch, T, H, P); dt (batch, T, H); A, D (H); B, C (batch, T, G, N);
// every state (P, N) per (sequence, head); chunk states (batch, H, nchunks, P, N), chunk c holding the state
// before its first step (chunk 0: h0). Head h reads group g = h / (H / G) of B and C.
//
// In chunk c of length len (steps t0 .. t0 + len - 1, local index l), with a_l = dt_l A and
// cum_l = a_0 + ... + a_l (block_scan, the same bits in every kernel):
//   y_l    = sum_{s<=l} (C_l.B_s) e^{cum_l - cum_s} dt_s x_s + e^{cum_l} S_in C_l + D x_l
//   S_out  = e^{cum_L} S_in + sum_l e^{cum_L - cum_l} dt_l x_l outer B_l            (L = len - 1)
// Backward, with dS_out = dL/dS_out (from later chunks and dhFinal), E[l][s] = e^{cum_l - cum_s} (s <= l):
//   u_s    = sum_{l>=s} (C_l.B_s) E[l][s] dy_l + e^{cum_L - cum_s} dS_out B_s          (P)
//   dx_s   = D dy_s + dt_s u_s,   ddt_s = x_s.u_s + A da_s
//   dB_s   = dt_s (sum_{l>=s} E[l][s] (dy_l.x_s) C_l + e^{cum_L - cum_s} dS_out^T x_s)
//   dC_l   = sum_{s<=l} E[l][s] dt_s (dy_l.x_s) B_s + e^{cum_l} S_in^T dy_l
//   dS_in  = e^{cum_L} dS_out + sum_l e^{cum_l} dy_l outer C_l
// and da_k = dL/da_k = sum_{l>=k} dcum_l, where, with w[l][s] = (C_l.B_s) E[l][s] dt_s (dy_l.x_s),
// z_s = e^{cum_L - cum_s} dt_s <dS_out, x_s outer B_s>, v_l = e^{cum_l} <dy_l outer C_l, S_in>:
//   dcum_l = (sum_{s<l} w[l][s] + v_l) - (sum_{l'>l} w[l'][l] + z_l) + [l = L] (e^{cum_L} <dS_out, S_in> + sum_s z_s).
// dA += sum dt_k da_k and dD += sum dy.x accumulate; every other gradient is overwritten.
//
// The matrix products run in 64-row tiles on 256 threads (16 x 16): a thread holds 4 rows (ty*4 ..) by
// TN columns (groups of 4 at tx*4 + 64 j), operands staged through shared memory SSD_BK values of k at a
// time. P and N are padded to 64 or 128 (the _p64/_p128/_n64/_n128 variants); chunks hold at most 256 steps.
#include "common.cuh"

#define SSD_THREADS 256
#define SSD_TILE 64
#define SSD_BK 16
#define SSD_PAD 4
#define SSD_LD(w) ((w) + SSD_PAD)
#define SSD_MAX_CHUNK 256

// v[0 .. len) replaced by its inclusive prefix sums (reverse: suffix sums v[i] + ... + v[len-1]), len <=
// SSD_MAX_CHUNK, blockDim.x a multiple of 32: warps scan runs of 32 with shuffles, then each value gets the
// totals of the runs before it, added in order. seg: SSD_MAX_CHUNK / 32 floats of shared memory. Starts and
// ends synchronised.
__device__ __forceinline__ void block_scan(float* v, int len, float* seg, bool reverse) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    int runs = (len + 31) >> 5;
    __syncthreads();
    for (int r = warp; r < runs; r += warps) {
        int i = r * 32 + lane;
        int at = reverse ? len - 1 - i : i;
        float s = i < len ? v[at] : 0.f;
        for (int o = 1; o < 32; o <<= 1) {
            float u = __shfl_up_sync(0xffffffffu, s, o);
            if (lane >= o) s += u;
        }
        if (i < len) v[at] = s;
        if (lane == 31) seg[r] = s;
    }
    __syncthreads();
    for (int i = threadIdx.x; i < len; i += blockDim.x) {
        float off = 0.f;
        for (int r = 0; r < (i >> 5); r++) off += seg[r];
        v[reverse ? len - 1 - i : i] += off;
    }
    __syncthreads();
}

// One chunk's decays in shared memory: dts[l] = dt_{t0+l} (dts may be null) and cum[l] = a_0 + ... + a_l,
// a_l = dt_{t0+l} A, for l < len; dt + at is dt_{t0}, stride the distance between steps (H). Ends synchronised.
__device__ __forceinline__ void chunk_decay(float* cum, float* dts, float* seg, const float* dt, long long at,
                                            int stride, float a, int len) {
    __syncthreads(); // earlier readers of cum and dts are done
    for (int l = threadIdx.x; l < len; l += blockDim.x) {
        float d = dt[at + (long long) l * stride];
        if (dts) dts[l] = d;
        cum[l] = d * a;
    }
    block_scan(cum, len, seg, false);
}

// The sum of v over the 16 threads of a tile row (lanes that share ty), returned to all of them.
__device__ __forceinline__ float row_sum16(float v) {
    for (int o = 8; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// Column of accumulator column j of thread tx: groups of 4 at tx * 4, 64 apart.
__device__ __forceinline__ int tile_col(int tx, int j) {
    return (j >> 2) * 64 + tx * 4 + (j & 3);
}

// E[l][s] = e^{cum_l - cum_s} for s <= l < len, else 0 (masked entries never evaluate the exponential, which
// would overflow above the diagonal).
__device__ __forceinline__ float tile_decay(const float* cum, int s, int l, int len) {
    return (s <= l && l < len) ? expf(cum[l] - cum[s]) : 0.f;
}

// This thread's share of one stage of an operand, SSD_BK values of k by W columns m: fetch() reads its
// SSD_BK * W / 256 values from global memory into registers (0 outside k < kn, m < mn), put() stores them
// at dst[k][m] of the shared stage (rows of SSD_LD(W)). Stored k-major (K true: element (k, m) at
// src[k * ld + m], read along m; put() scales it by scale[k], shared memory, where scale is not null) or
// m-major (element (m, k) at src[m * ld + k], read along k and stored transposed). Thread t takes
// m = t % W of rows k = t / W + r 256 / W (k-major), or k = t % 16 of rows m = t / 16 + 16 r (m-major).
template <int W, bool K>
struct Stage {
    static constexpr int R = SSD_BK * W / SSD_THREADS;
    float v[R];

    __device__ __forceinline__ void fetch(const float* src, long long ld, int kn, int mn) {
        if (K) {
            constexpr int KPER = SSD_THREADS / W;
            int m = threadIdx.x % W, k0 = threadIdx.x / W;
            const float* p = src + k0 * ld + m;
#pragma unroll
            for (int r = 0; r < R; r++) v[r] = (k0 + r * KPER < kn && m < mn) ? p[r * KPER * ld] : 0.f;
        } else {
            int k = threadIdx.x % SSD_BK, m0 = threadIdx.x / SSD_BK;
            const float* p = src + m0 * ld + k;
#pragma unroll
            for (int r = 0; r < R; r++) v[r] = (k < kn && m0 + 16 * r < mn) ? p[r * 16 * ld] : 0.f;
        }
    }

    __device__ __forceinline__ void put(float* dst, const float* scale) const {
#pragma unroll
        for (int r = 0; r < R; r++) {
            if (K) {
                int k = threadIdx.x / W + r * (SSD_THREADS / W);
                dst[k * SSD_LD(W) + threadIdx.x % W] = scale ? v[r] * scale[k] : v[r];
            } else {
                dst[(threadIdx.x % SSD_BK) * SSD_LD(W) + threadIdx.x / SSD_BK + 16 * r] = v[r];
            }
        }
    }
};

// acc[i][j] += sum over the stage's k of As[k][ty*4 + i] Bs[k][tile_col(tx, j)].
template <int TN>
__device__ __forceinline__ void tile_fma(float (&acc)[4][TN], const float* As, const float* Bs) {
    int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
#pragma unroll
    for (int k = 0; k < SSD_BK; k++) {
        float4 a4 = *reinterpret_cast<const float4*>(As + k * SSD_LD(SSD_TILE) + ty * 4);
        float a[4] = {a4.x, a4.y, a4.z, a4.w};
        float b[TN];
#pragma unroll
        for (int j = 0; j < TN / 4; j++) {
            float4 b4 = *reinterpret_cast<const float4*>(Bs + k * SSD_LD(16 * TN) + j * 64 + tx * 4);
            b[4 * j] = b4.x;
            b[4 * j + 1] = b4.y;
            b[4 * j + 2] = b4.z;
            b[4 * j + 3] = b4.w;
        }
#pragma unroll
        for (int i = 0; i < 4; i++) {
#pragma unroll
            for (int j = 0; j < TN; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
    }
}

// acc (64 x 16 TN) += sum over k < K of Aop[m][k] Bop[k][n], with Aop (am valid rows) and Bop (bn valid
// columns) read from global memory k-major (A_K / B_K true) or m-major (see Stage); ascale (shared,
// k-indexed, may be null) scales a k-major A. Staged through As (SSD_BK x SSD_LD(64)) and Bs (SSD_BK x
// SSD_LD(16 TN)); with PF the next stage's values are loaded into registers while this one is multiplied
// (where a kernel has the registers for it).
template <int TN, bool A_K, bool B_K, bool PF>
__device__ __forceinline__ void tile_product(float (&acc)[4][TN], float* As, float* Bs, const float* a, long long lda,
                                             int am, const float* ascale, const float* b, long long ldb, int bn,
                                             int K) {
    Stage<SSD_TILE, A_K> sa;
    Stage<16 * TN, B_K> sb;
    if (PF) {
        sa.fetch(a, lda, K, am);
        sb.fetch(b, ldb, K, bn);
    }
    for (int k0 = 0; k0 < K; k0 += SSD_BK) {
        if (!PF) {
            sa.fetch(A_K ? a + k0 * lda : a + k0, lda, K - k0, am);
            sb.fetch(B_K ? b + k0 * ldb : b + k0, ldb, K - k0, bn);
        }
        __syncthreads(); // the previous stage's readers are done (and the caller's writes of ascale visible)
        sa.put(As, ascale ? ascale + k0 : nullptr);
        sb.put(Bs, nullptr);
        __syncthreads();
        int next = k0 + SSD_BK;
        if (PF && next < K) {
            sa.fetch(A_K ? a + next * lda : a + next, lda, K - next, am);
            sb.fetch(B_K ? b + next * ldb : b + next, ldb, K - next, bn);
        }
        tile_fma<TN>(acc, As, Bs);
    }
}

// acc (64 x 16 TN) += sum over k < K of Gs[k][m] Bop[k][n], Gs a 64 x 64 tile in shared memory (k-major,
// rows of SSD_LD(64)), Bop read k-major from global memory (bn valid columns) through Bs, as tile_product.
template <int TN, bool PF>
__device__ __forceinline__ void tile_product_shared(float (&acc)[4][TN], const float* Gs, float* Bs, const float* b,
                                                    long long ldb, int bn, int K) {
    Stage<16 * TN, true> sb;
    if (PF) sb.fetch(b, ldb, K, bn);
    for (int k0 = 0; k0 < K; k0 += SSD_BK) {
        if (!PF) sb.fetch(b + k0 * ldb, ldb, K - k0, bn);
        __syncthreads();
        sb.put(Bs, nullptr);
        __syncthreads();
        int next = k0 + SSD_BK;
        if (PF && next < K) sb.fetch(b + next * ldb, ldb, K - next, bn);
        tile_fma<TN>(acc, Gs + k0 * SSD_LD(SSD_TILE), Bs);
    }
}

// Gs[col][row] = t[row][col]: a thread's 4 x 4 tile stored transposed (k-major for tile_product_shared).
__device__ __forceinline__ void store_transposed(float* Gs, const float (&t)[4][4]) {
    int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
#pragma unroll
    for (int j = 0; j < 4; j++) {
        *reinterpret_cast<float4*>(Gs + (tx * 4 + j) * SSD_LD(SSD_TILE) + ty * 4) =
                make_float4(t[0][j], t[1][j], t[2][j], t[3][j]);
    }
}

// Where a block of the chunk kernels is: sequence b, head h, its group g, chunk c (steps t0 .. t0 + len - 1),
// and for the tiled kernels the first row r0 of its tile within the chunk. Grid (nchunks * tiles, H, batch).
struct SsdBlock {
    int b, h, g, c, t0, len, r0, nchunks;
    __device__ SsdBlock(int T, int H, int G, int Q, int tiles) {
        b = blockIdx.z;
        h = blockIdx.y;
        g = h / (H / G);
        c = blockIdx.x / tiles;
        r0 = (blockIdx.x % tiles) * SSD_TILE;
        t0 = c * Q;
        len = min(Q, T - t0);
        nchunks = (T + Q - 1) / Q;
    }
    // Row of step t0 + l of a (batch, T, rows, width) tensor at row index k: ((b T + t0 + l) rows + k) width.
    __device__ long long at(int T, int l, int rows, int k, int width) const {
        return ((long long) (b * T + t0 + l) * rows + k) * width;
    }
    // This (sequence, head)'s chunk-c state of a (batch, H, nchunks, P, N) tensor.
    __device__ long long state(int H, int P, int N) const {
        return ((long long) (b * H + h) * nchunks + c) * P * N;
    }
};

// Tiles of 64 rows per chunk of the row-tiled kernels: ceil(min(Q, T) / 64).
__device__ __forceinline__ int row_tiles(int T, int Q) {
    return (min(Q, T) + SSD_TILE - 1) / SSD_TILE;
}

// C_l.B_s of a chunk's 64 x 64 tiles with s's tile <= l's, once per group: cb (batch, G, nchunks, qp, qp),
// qp = 64 row_tiles, holds cb[l][s] = C_l.B_s there (0 past the chunk's end); tiles above the diagonal are
// not written. Grid (nchunks * tiles (tiles + 1) / 2, G, batch): one block per tile pair.
CHIMERA_KERNEL void __launch_bounds__(SSD_THREADS, 3)
ssd_chunk_cb(float* cb, const float* B, const float* C, int T, int G, int N, int Q) {
    __shared__ __align__(16) float As[SSD_BK * SSD_LD(SSD_TILE)];
    __shared__ __align__(16) float Bs[SSD_BK * SSD_LD(SSD_TILE)];
    int tiles = row_tiles(T, Q), pairs = tiles * (tiles + 1) / 2;
    int c = blockIdx.x / pairs, p = blockIdx.x % pairs;
    int lt = 0;
    while ((lt + 1) * (lt + 2) / 2 <= p) lt++;
    int l0 = lt * SSD_TILE, s0 = (p - lt * (lt + 1) / 2) * SSD_TILE;
    int g = blockIdx.y, b = blockIdx.z;
    int t0 = c * Q, len = min(Q, T - t0), nchunks = (T + Q - 1) / Q;
    if (l0 >= len) return; // a tile past the end of a short last chunk
    long long bs = (long long) G * N;
    const float* bc = B + ((long long) (b * T + t0) * G + g) * N;
    const float* cc = C + ((long long) (b * T + t0) * G + g) * N;
    float t[4][4] = {};
    tile_product<4, false, false, true>(t, As, Bs, cc + l0 * bs, bs, min(SSD_TILE, len - l0), nullptr, bc + s0 * bs,
                                        bs, min(SSD_TILE, len - s0), N);
    int tx = threadIdx.x & 15, ty = threadIdx.x >> 4, qp = tiles * SSD_TILE;
    float* o = cb + (((long long) b * G + g) * nchunks + c) * qp * qp + s0 + tx * 4;
#pragma unroll
    for (int i = 0; i < 4; i++) {
#pragma unroll
        for (int j = 0; j < 4; j++) o[(long long) (l0 + ty * 4 + i) * qp + j] = t[i][j];
    }
}

// Step 2 of the forward pass (GRAD false): a chunk's own contribution to the state after it,
//   out[p][n] = sum_l e^{cum_L - cum_l} dt_l x_l[p] B_l[n];
// and of the backward pass (GRAD true, u = dy, v = C): the chunk's contribution to dL/dS_in,
//   out[p][n] = sum_l e^{cum_l} dy_l[p] C_l[n].
// out: a (batch, H, nchunks, P, N) tensor. Grid (nchunks * ceil(P / 64), H, batch): 64 rows p per block.
template <int NW, bool GRAD>
__device__ void chunk_state(float* out, const float* u, const float* dt, const float* A, const float* v, int T,
                            int H, int P, int G, int N, int Q) {
    constexpr int TN = NW / 16;
    __shared__ __align__(16) float As[SSD_BK * SSD_LD(SSD_TILE)];
    __shared__ __align__(16) float Bs[SSD_BK * SSD_LD(NW)];
    __shared__ float cum[SSD_MAX_CHUNK], wts[SSD_MAX_CHUNK], seg[SSD_MAX_CHUNK / 32];
    SsdBlock k(T, H, G, Q, (P + SSD_TILE - 1) / SSD_TILE);
    int p0 = k.r0;
    chunk_decay(cum, wts, seg, dt, k.at(T, 0, H, k.h, 1), H, A[k.h], k.len);
    for (int l = threadIdx.x; l < SSD_MAX_CHUNK; l += blockDim.x) { // 0 past the end: the last stage reads them
        wts[l] = l >= k.len ? 0.f : GRAD ? expf(cum[l]) : expf(cum[k.len - 1] - cum[l]) * wts[l];
    }
    float acc[4][TN] = {};
    tile_product<TN, true, true, true>(acc, As, Bs, u + k.at(T, 0, H, k.h, P) + p0, (long long) H * P,
                                       min(SSD_TILE, P - p0), wts, v + k.at(T, 0, G, k.g, N), (long long) G * N, N,
                                       k.len);
    int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
    float* o = out + k.state(H, P, N);
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int p = p0 + ty * 4 + i;
#pragma unroll
        for (int j = 0; j < TN; j++) {
            int n = tile_col(tx, j);
            if (p < P && n < N) o[(long long) p * N + n] = acc[i][j];
        }
    }
}

// Steps 1 and 4 of the forward pass for 64 rows l of a chunk:
//   y_l = sum_{s<=l} (C_l.B_s) e^{cum_l - cum_s} dt_s x_s + e^{cum_l} S_in C_l + D x_l,
// S_in the chunk's state from ssd_state_pass, C_l.B_s from ssd_chunk_cb. Grid (nchunks * row_tiles, H, batch).
template <int PW>
__device__ void chunk_scan(float* y, const float* x, const float* dt, const float* A, const float* C, const float* D,
                           const float* states, const float* cbw, int T, int H, int P, int G, int N, int Q) {
    constexpr int TP = PW / 16;
    __shared__ __align__(16) float As[SSD_BK * SSD_LD(SSD_TILE)];
    __shared__ __align__(16) float Bs[SSD_BK * SSD_LD(PW)]; // 64- and PW-wide stages
    __shared__ __align__(16) float Gs[SSD_TILE * SSD_LD(SSD_TILE)];
    __shared__ float cum[SSD_MAX_CHUNK], dts[SSD_MAX_CHUNK], seg[SSD_MAX_CHUNK / 32];
    SsdBlock k(T, H, G, Q, row_tiles(T, Q));
    int l0 = k.r0;
    if (l0 >= k.len) return; // a tile past the end of a short last chunk
    int ln = min(SSD_TILE, k.len - l0);
    int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
    long long xs = (long long) H * P, bs = (long long) G * N;
    const float* xc = x + k.at(T, 0, H, k.h, P);   // x_{t0}; step l at xc + l xs
    const float* cl = C + k.at(T, l0, G, k.g, N);  // this tile's C rows, step l at cl + (l - l0) bs
    chunk_decay(cum, dts, seg, dt, k.at(T, 0, H, k.h, 1), H, A[k.h], k.len);

    // Step 4: acc[l][p] = e^{cum_l} sum_n C_l[n] S_in[p][n].
    float acc[4][TP] = {};
    tile_product<TP, false, false, PW == 64>(acc, As, Bs, cl, bs, ln, nullptr, states + k.state(H, P, N), N, P, N);
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int l = l0 + ty * 4 + i;
        float e = l < k.len ? expf(cum[l]) : 0.f;
#pragma unroll
        for (int j = 0; j < TP; j++) acc[i][j] *= e;
    }
    // Step 1, one 64-step tile s of the chunk at a time up to the diagonal: Gs[s][l] = (C_l.B_s)
    // e^{cum_l - cum_s} dt_s for s <= l (else 0), then acc += Gs^T x_s.
    int qp = row_tiles(T, Q) * SSD_TILE;
    const float* cbc = cbw + (((long long) k.b * G + k.g) * k.nchunks + k.c) * qp * qp;
    for (int s0 = 0; s0 < l0 + ln; s0 += SSD_TILE) {
        int sn = min(SSD_TILE, k.len - s0);
        float cb[4][4];
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int l = l0 + ty * 4 + i;
            const float* row = cbc + (long long) l * qp + s0 + tx * 4;
#pragma unroll
            for (int j = 0; j < 4; j++) {
                int s = s0 + tx * 4 + j;
                cb[i][j] = row[j] * tile_decay(cum, s, l, k.len) * (s < k.len ? dts[s] : 0.f);
            }
        }
        __syncthreads(); // the last tile's readers of Gs are done
        store_transposed(Gs, cb);
        tile_product_shared<TP, PW == 64>(acc, Gs, Bs, xc + s0 * xs, xs, P, sn);
    }
    float dh = D[k.h];
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int l = l0 + ty * 4 + i;
        if (l >= k.len) continue;
        const float* xr = xc + l * xs;
        float* yr = y + k.at(T, l, H, k.h, P);
#pragma unroll
        for (int j = 0; j < TP; j++) {
            int p = tile_col(tx, j);
            if (p < P) yr[p] = acc[i][j] + dh * xr[p];
        }
    }
}

// Backward, the outputs of the earlier step s that go through x_s, for 64 rows s of a chunk (C_l.B_s from
// ssd_chunk_cb):
//   u_s = sum_{l>=s} (C_l.B_s) E[l][s] dy_l + e^{cum_L - cum_s} dS_out B_s,  dx_s = D dy_s + dt_s u_s,
//   ddt_s = x_s.u_s (ssd_chunk_dt_backward adds A da_s), dcumS_s = sum_{l>s} w[l][s] into a (batch, H, T) row,
// and, as it has w at hand, wpart[tile][l] = sum over this tile's s < l of w[l][s] into a (row_tiles, batch,
// H, T) array (entries of tiles after l's own are not written). dstates: dS_out of every chunk
// (ssd_state_pass_backward). Grid (nchunks * row_tiles, H, batch).
template <int PW>
__device__ void chunk_scan_backward_dx(float* dx, float* ddt, float* dcumS, float* wpart, const float* dy,
                                       const float* x, const float* dt, const float* A, const float* B,
                                       const float* D, const float* dstates, const float* cbw, int T, int H, int P,
                                       int G, int N, int Q) {
    constexpr int TP = PW / 16;
    __shared__ __align__(16) float As[SSD_BK * SSD_LD(SSD_TILE)];
    __shared__ __align__(16) float Bs[SSD_BK * SSD_LD(PW)];
    __shared__ __align__(16) float Gs[SSD_TILE * SSD_LD(SSD_TILE)];
    __shared__ float cum[SSD_MAX_CHUNK], dts[SSD_MAX_CHUNK], seg[SSD_MAX_CHUNK / 32];
    __shared__ float wcol[16][SSD_TILE]; // column sums of w over each thread row's 4 rows s
    int tiles = row_tiles(T, Q);
    SsdBlock k(T, H, G, Q, tiles);
    int s0 = k.r0;
    if (s0 >= k.len) return;
    int sn = min(SSD_TILE, k.len - s0);
    int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
    long long xs = (long long) H * P, bs = (long long) G * N;
    const float* xc = x + k.at(T, 0, H, k.h, P);
    const float* dyc = dy + k.at(T, 0, H, k.h, P);
    const float* bc = B + k.at(T, 0, G, k.g, N);
    int qp = tiles * SSD_TILE;
    const float* cbc = cbw + (((long long) k.b * G + k.g) * k.nchunks + k.c) * qp * qp;
    float* wrow = wpart + ((long long) (s0 / SSD_TILE) * gridDim.z * H + k.b * H + k.h) * T + k.t0;
    chunk_decay(cum, dts, seg, dt, k.at(T, 0, H, k.h, 1), H, A[k.h], k.len);

    // The path through S_out: u = e^{cum_L - cum_s} B_s dS_out^T.
    float u[4][TP] = {}, side[4] = {};
    tile_product<TP, false, false, false>(u, As, Bs, bc + s0 * bs, bs, sn, nullptr, dstates + k.state(H, P, N), N, P,
                                          N);
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int s = s0 + ty * 4 + i;
        float e = s < k.len ? expf(cum[k.len - 1] - cum[s]) : 0.f;
#pragma unroll
        for (int j = 0; j < TP; j++) u[i][j] *= e;
    }
    // The paths through later outputs of the chunk, one 64-step tile l at a time from the diagonal on.
    for (int l0 = s0; l0 < k.len; l0 += SSD_TILE) {
        int ln = min(SSD_TILE, k.len - l0);
        float t[4][4];
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int s = s0 + ty * 4 + i;
#pragma unroll
            for (int j = 0; j < 4; j++) {
                int l = l0 + tx * 4 + j;
                t[i][j] = cbc[(long long) l * qp + s] * tile_decay(cum, s, l, k.len);
            }
        }
        __syncthreads(); // the last tile's readers of Gs are done
        store_transposed(Gs, t); // Gs[l][s] = (C_l.B_s) E[l][s]
#pragma unroll
        for (int i = 0; i < 4; i++) {
#pragma unroll
            for (int j = 0; j < 4; j++) t[i][j] = 0.f;
        }
        tile_product<4, false, false, false>(t, As, Bs, xc + s0 * xs, xs, sn, nullptr, dyc + l0 * xs, xs, ln, P);
        float col[4] = {};
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int s = s0 + ty * 4 + i;
            float d = s < k.len ? dts[s] : 0.f;
#pragma unroll
            for (int j = 0; j < 4; j++) {
                // w[l][s] / dt_s = Gs[l][s] (dy_l.x_s), from this thread's own entry of Gs
                float w = l0 + tx * 4 + j > s ? Gs[(tx * 4 + j) * SSD_LD(SSD_TILE) + ty * 4 + i] * t[i][j] : 0.f;
                side[i] += w;
                col[j] += w * d;
            }
        }
#pragma unroll
        for (int j = 0; j < 4; j++) wcol[ty][tx * 4 + j] = col[j]; // its last readers passed tile_product's barriers
        __syncthreads();
        if (threadIdx.x < ln) {
            float sum = 0.f;
            for (int r = 0; r < 16; r++) sum += wcol[r][threadIdx.x];
            wrow[l0 + threadIdx.x] = sum;
        }
        tile_product_shared<TP, false>(u, Gs, Bs, dyc + l0 * xs, xs, P, ln);
    }
    float dh = D[k.h];
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int s = s0 + ty * 4 + i;
        bool ok = s < k.len;
        float d = ok ? dts[s] : 0.f;
        const float* xr = xc + s * xs;
        const float* dyr = dyc + s * xs;
        float* dxr = dx + k.at(T, s, H, k.h, P);
        float direct = 0.f;
#pragma unroll
        for (int j = 0; j < TP; j++) {
            int p = tile_col(tx, j);
            if (ok && p < P) {
                dxr[p] = dh * dyr[p] + d * u[i][j];
                direct += xr[p] * u[i][j];
            }
        }
        direct = row_sum16(direct);
        float sd = row_sum16(side[i]);
        if (ok && tx == 0) {
            ddt[k.at(T, s, H, k.h, 1)] = direct;
            dcumS[(long long) (k.b * H + k.h) * T + k.t0 + s] = sd * d;
        }
    }
}

// Backward, the outputs of the earlier step s that go through B_s, for 64 rows s of a chunk:
//   dB_s = dt_s (sum_{l>=s} E[l][s] (dy_l.x_s) C_l + e^{cum_L - cum_s} dS_out^T x_s)  into dBh (batch, T, H, N),
//   zs_s = z_s = e^{cum_L - cum_s} dt_s <dS_out, x_s outer B_s>  into a (batch, H, T) row.
// Grid (nchunks * row_tiles, H, batch).
template <int NW>
__device__ void chunk_scan_backward_db(float* dBh, float* zs, const float* dy, const float* x, const float* dt,
                                       const float* A, const float* B, const float* C, const float* dstates, int T,
                                       int H, int P, int G, int N, int Q) {
    constexpr int TN = NW / 16;
    __shared__ __align__(16) float As[SSD_BK * SSD_LD(SSD_TILE)];
    __shared__ __align__(16) float Bs[SSD_BK * SSD_LD(NW)];
    __shared__ __align__(16) float Gs[SSD_TILE * SSD_LD(SSD_TILE)];
    __shared__ float cum[SSD_MAX_CHUNK], dts[SSD_MAX_CHUNK], seg[SSD_MAX_CHUNK / 32];
    SsdBlock k(T, H, G, Q, row_tiles(T, Q));
    int s0 = k.r0;
    if (s0 >= k.len) return;
    int sn = min(SSD_TILE, k.len - s0);
    int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
    long long xs = (long long) H * P, bs = (long long) G * N;
    const float* xc = x + k.at(T, 0, H, k.h, P);
    const float* dyc = dy + k.at(T, 0, H, k.h, P);
    const float* bc = B + k.at(T, 0, G, k.g, N);
    const float* cc = C + k.at(T, 0, G, k.g, N);
    chunk_decay(cum, dts, seg, dt, k.at(T, 0, H, k.h, 1), H, A[k.h], k.len);

    // The path through S_out: g = e^{cum_L - cum_s} x_s dS_out, and z_s = dt_s g_s.B_s.
    float g[4][TN] = {}, z[4];
    tile_product<TN, false, true, false>(g, As, Bs, xc + s0 * xs, xs, sn, nullptr, dstates + k.state(H, P, N), N, N,
                                         P);
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int s = s0 + ty * 4 + i;
        float e = s < k.len ? expf(cum[k.len - 1] - cum[s]) : 0.f;
        float zp = 0.f;
#pragma unroll
        for (int j = 0; j < TN; j++) {
            g[i][j] *= e;
            int n = tile_col(tx, j);
            if (s < k.len && n < N) zp += g[i][j] * bc[s * bs + n];
        }
        zp = row_sum16(zp);
        z[i] = s < k.len ? zp * dts[s] : 0.f;
    }
    // The paths through later outputs of the chunk, one 64-step tile l at a time from the diagonal on.
    for (int l0 = s0; l0 < k.len; l0 += SSD_TILE) {
        int ln = min(SSD_TILE, k.len - l0);
        float t[4][4] = {};
        tile_product<4, false, false, false>(t, As, Bs, xc + s0 * xs, xs, sn, nullptr, dyc + l0 * xs, xs, ln, P);
#pragma unroll
        for (int i = 0; i < 4; i++) {
#pragma unroll
            for (int j = 0; j < 4; j++) t[i][j] *= tile_decay(cum, s0 + ty * 4 + i, l0 + tx * 4 + j, k.len);
        }
        store_transposed(Gs, t); // Gs[l][s] = (dy_l.x_s) E[l][s]; its last readers passed tile_product's barriers
        tile_product_shared<TN, false>(g, Gs, Bs, cc + l0 * bs, bs, N, ln);
    }
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int s = s0 + ty * 4 + i;
        bool ok = s < k.len;
        float d = ok ? dts[s] : 0.f;
        float* dbr = dBh + k.at(T, s, H, k.h, N);
#pragma unroll
        for (int j = 0; j < TN; j++) {
            int n = tile_col(tx, j);
            if (ok && n < N) dbr[n] = d * g[i][j];
        }
        if (ok && tx == 0) zs[(long long) (k.b * H + k.h) * T + k.t0 + s] = z[i];
    }
}

// Backward, the outputs indexed by the later step l, for 64 rows l of a chunk:
//   dC_l = sum_{s<=l} E[l][s] dt_s (dy_l.x_s) B_s + e^{cum_l} S_in^T dy_l  into dCh (batch, T, H, N),
//   dcumL_l = v_l  into a (batch, H, T) row (the w part of dcum_l comes from ssd_chunk_scan_backward_dx).
// Grid (nchunks * row_tiles, H, batch).
template <int NW>
__device__ void chunk_scan_backward_l(float* dCh, float* dcumL, const float* dy, const float* x, const float* dt,
                                      const float* A, const float* B, const float* C, const float* states, int T,
                                      int H, int P, int G, int N, int Q) {
    constexpr int TN = NW / 16;
    __shared__ __align__(16) float As[SSD_BK * SSD_LD(SSD_TILE)];
    __shared__ __align__(16) float Bs[SSD_BK * SSD_LD(NW)];
    __shared__ __align__(16) float Gs[SSD_TILE * SSD_LD(SSD_TILE)];
    __shared__ float cum[SSD_MAX_CHUNK], dts[SSD_MAX_CHUNK], seg[SSD_MAX_CHUNK / 32];
    SsdBlock k(T, H, G, Q, row_tiles(T, Q));
    int l0 = k.r0;
    if (l0 >= k.len) return;
    int ln = min(SSD_TILE, k.len - l0);
    int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
    long long xs = (long long) H * P, bs = (long long) G * N;
    const float* xc = x + k.at(T, 0, H, k.h, P);
    const float* dyl = dy + k.at(T, l0, H, k.h, P);
    const float* bc = B + k.at(T, 0, G, k.g, N);
    const float* cl = C + k.at(T, l0, G, k.g, N);
    chunk_decay(cum, dts, seg, dt, k.at(T, 0, H, k.h, 1), H, A[k.h], k.len);

    // The path through the chunk's incoming state: acc = e^{cum_l} dy_l S_in, and v_l = acc_l . C_l.
    float acc[4][TN] = {};
    tile_product<TN, false, true, false>(acc, As, Bs, dyl, xs, ln, nullptr, states + k.state(H, P, N), N, N, P);
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int l = l0 + ty * 4 + i;
        float e = l < k.len ? expf(cum[l]) : 0.f;
        float v = 0.f;
#pragma unroll
        for (int j = 0; j < TN; j++) {
            acc[i][j] *= e;
            int n = tile_col(tx, j);
            if (l < k.len && n < N) v += acc[i][j] * cl[(l - l0) * bs + n];
        }
        v = row_sum16(v);
        if (l < k.len && tx == 0) dcumL[(long long) (k.b * H + k.h) * T + k.t0 + l] = v;
    }
    // The paths through the chunk's earlier inputs, one 64-step tile s at a time up to the diagonal.
    for (int s0 = 0; s0 < l0 + ln; s0 += SSD_TILE) {
        int sn = min(SSD_TILE, k.len - s0);
        float t[4][4] = {};
        tile_product<4, false, false, false>(t, As, Bs, dyl, xs, ln, nullptr, xc + s0 * xs, xs, sn, P);
#pragma unroll
        for (int i = 0; i < 4; i++) {
#pragma unroll
            for (int j = 0; j < 4; j++) {
                int s = s0 + tx * 4 + j;
                t[i][j] *= tile_decay(cum, s, l0 + ty * 4 + i, k.len) * (s < k.len ? dts[s] : 0.f);
            }
        }
        store_transposed(Gs, t); // Gs[s][l] = (dy_l.x_s) E[l][s] dt_s; its readers passed tile_product's barriers
        tile_product_shared<TN, false>(acc, Gs, Bs, bc + s0 * bs, bs, N, sn);
    }
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int l = l0 + ty * 4 + i;
        float* dcr = dCh + k.at(T, l, H, k.h, N);
#pragma unroll
        for (int j = 0; j < TN; j++) {
            int n = tile_col(tx, j);
            if (l < k.len && n < N) dcr[n] = acc[i][j];
        }
    }
}

// The variants: extern "C" entry points of the templates, with the blocks per SM their registers allow.
#define SSD_CHUNK_STATE(NW, MINB) \
    CHIMERA_KERNEL void __launch_bounds__(SSD_THREADS, MINB) ssd_chunk_state_n##NW( \
            float* states, const float* x, const float* dt, const float* A, const float* B, int T, int H, int P, \
            int G, int N, int Q) { \
        chunk_state<NW, false>(states, x, dt, A, B, T, H, P, G, N, Q); \
    } \
    CHIMERA_KERNEL void __launch_bounds__(SSD_THREADS, MINB) ssd_chunk_dstate_n##NW( \
            float* dstates, const float* dy, const float* dt, const float* A, const float* C, int T, int H, int P, \
            int G, int N, int Q) { \
        chunk_state<NW, true>(dstates, dy, dt, A, C, T, H, P, G, N, Q); \
    }
SSD_CHUNK_STATE(64, 3)
SSD_CHUNK_STATE(128, 2)

#define SSD_CHUNK_SCAN(PW, MINB) \
    CHIMERA_KERNEL void __launch_bounds__(SSD_THREADS, MINB) ssd_chunk_scan_p##PW( \
            float* y, const float* x, const float* dt, const float* A, const float* C, const float* D, \
            const float* states, const float* cb, int T, int H, int P, int G, int N, int Q) { \
        chunk_scan<PW>(y, x, dt, A, C, D, states, cb, T, H, P, G, N, Q); \
    }
SSD_CHUNK_SCAN(64, 2)
SSD_CHUNK_SCAN(128, 2)

#define SSD_BACKWARD_DX(PW, MINB) \
    CHIMERA_KERNEL void __launch_bounds__(SSD_THREADS, MINB) ssd_chunk_scan_backward_dx_p##PW( \
            float* dx, float* ddt, float* dcumS, float* wpart, const float* dy, const float* x, const float* dt, \
            const float* A, const float* B, const float* D, const float* dstates, const float* cb, int T, int H, \
            int P, int G, int N, int Q) { \
        chunk_scan_backward_dx<PW>(dx, ddt, dcumS, wpart, dy, x, dt, A, B, D, dstates, cb, T, H, P, G, N, Q); \
    }
SSD_BACKWARD_DX(64, 2)
SSD_BACKWARD_DX(128, 2)

#define SSD_BACKWARD_DB(NW, MINB) \
    CHIMERA_KERNEL void __launch_bounds__(SSD_THREADS, MINB) ssd_chunk_scan_backward_db_n##NW( \
            float* dBh, float* zs, const float* dy, const float* x, const float* dt, const float* A, const float* B, \
            const float* C, const float* dstates, int T, int H, int P, int G, int N, int Q) { \
        chunk_scan_backward_db<NW>(dBh, zs, dy, x, dt, A, B, C, dstates, T, H, P, G, N, Q); \
    }
SSD_BACKWARD_DB(64, 2)
SSD_BACKWARD_DB(128, 2)

#define SSD_BACKWARD_L(NW, MINB) \
    CHIMERA_KERNEL void __launch_bounds__(SSD_THREADS, MINB) ssd_chunk_scan_backward_l_n##NW( \
            float* dCh, float* dcumL, const float* dy, const float* x, const float* dt, const float* A, \
            const float* B, const float* C, const float* states, int T, int H, int P, int G, int N, int Q) { \
        chunk_scan_backward_l<NW>(dCh, dcumL, dy, x, dt, A, B, C, states, T, H, P, G, N, Q); \
    }
SSD_BACKWARD_L(64, 2)
SSD_BACKWARD_L(128, 2)

// Step 3 of the forward pass, in place: states[c] holds chunk c's own contribution (ssd_chunk_state) on
// entry and the state before chunk c on exit, S_in(0) = h0 (zeros unless hasH0), S_in(c+1) = e^{cum_L(c)}
// S_in(c) + states[c]; hFinal = S_in(nchunks) if hasHFinal. One thread per state value, chunks in order.
// Grid (ceil(P N / 256), H, batch), 256 threads.
CHIMERA_KERNEL void __launch_bounds__(SSD_THREADS, 4)
ssd_state_pass(float* states, float* hFinal, const float* h0, const float* dt, const float* A, int T, int H, int P,
               int N, int Q, int hasH0, int hasHFinal) {
    __shared__ float cum[SSD_MAX_CHUNK], seg[SSD_MAX_CHUNK / 32];
    int b = blockIdx.z, h = blockIdx.y;
    int pn = P * N, nchunks = (T + Q - 1) / Q;
    int i = blockIdx.x * SSD_THREADS + threadIdx.x;
    bool ok = i < pn;
    long long pair = (long long) b * H + h;
    float* st = states + pair * nchunks * pn + i;
    float carry = (hasH0 && ok) ? h0[pair * pn + i] : 0.f;
    for (int c = 0; c < nchunks; c++) {
        int len = min(Q, T - c * Q);
        chunk_decay(cum, nullptr, seg, dt, (long long) (b * T + c * Q) * H + h, H, A[h], len);
        float decay = expf(cum[len - 1]);
        if (ok) {
            float own = st[(long long) c * pn];
            st[(long long) c * pn] = carry;
            carry = decay * carry + own;
        }
    }
    if (hasHFinal && ok) hFinal[pair * pn + i] = carry;
}

// The backward of step 3, in place: dstates[c] holds chunk c's own contribution to dL/dS_in(c)
// (ssd_chunk_dstate) on entry and dS_out(c) = dL/dS_in(c+1) on exit, from dS_out(last) = dhFinal (zeros
// unless hasDhFinal) back: dS_in(c) = e^{cum_L(c)} dS_out(c) + dstates[c]; dh0 = dS_in(0) if hasDh0.
// tend[(pair, c), slice] = this block's part of <dS_out(c), S_in(c)> (S_in(c) = states[c]).
// Grid (slices = ceil(P N / 256), H, batch), 256 threads.
CHIMERA_KERNEL void __launch_bounds__(SSD_THREADS, 4)
ssd_state_pass_backward(float* dstates, float* dh0, float* tend, const float* dhFinal, const float* states,
                        const float* dt, const float* A, int T, int H, int P, int N, int Q, int hasDhFinal,
                        int hasDh0) {
    __shared__ float cum[SSD_MAX_CHUNK], seg[SSD_MAX_CHUNK / 32], red[32];
    int b = blockIdx.z, h = blockIdx.y;
    int pn = P * N, nchunks = (T + Q - 1) / Q;
    int i = blockIdx.x * SSD_THREADS + threadIdx.x;
    bool ok = i < pn;
    long long pair = (long long) b * H + h;
    float* ds = dstates + pair * nchunks * pn + i;
    const float* st = states + pair * nchunks * pn + i;
    float carry = (hasDhFinal && ok) ? dhFinal[pair * pn + i] : 0.f;
    for (int c = nchunks - 1; c >= 0; c--) {
        int len = min(Q, T - c * Q);
        chunk_decay(cum, nullptr, seg, dt, (long long) (b * T + c * Q) * H + h, H, A[h], len);
        float decay = expf(cum[len - 1]);
        float dot = 0.f;
        if (ok) {
            float own = ds[(long long) c * pn];
            ds[(long long) c * pn] = carry;
            dot = carry * st[(long long) c * pn];
            carry = decay * carry + own;
        }
        dot = block_sum(dot, red);
        if (threadIdx.x == 0) tend[(pair * nchunks + c) * gridDim.x + blockIdx.x] = dot;
    }
    if (hasDh0 && ok) dh0[pair * pn + i] = carry;
}

// The backward through the decays of one chunk: dcum_l = dcumL_l + sum over tiles up to l's of wpart - dcumS_l
// - zs_l, then da_k = sum_{l>=k} dcum_l + e^{cum_L} <dS_out, S_in> + sum_s zs_s; ddt_k += A da_k; partA =
// sum_k dt_k da_k and partD = sum_k dy_k.x_k, one value per (pair, chunk) for ssd_param_backward.
// Grid (nchunks, H, batch), 256 threads.
CHIMERA_KERNEL void __launch_bounds__(SSD_THREADS, 4)
ssd_chunk_dt_backward(float* ddt, float* partA, float* partD, const float* dcumL, const float* wpart,
                      const float* dcumS, const float* zs, const float* tend, const float* dy, const float* x,
                      const float* dt, const float* A, int T, int H, int P, int N, int Q) {
    __shared__ float cum[SSD_MAX_CHUNK], dts[SSD_MAX_CHUNK], r[SSD_MAX_CHUNK], seg[SSD_MAX_CHUNK / 32], red[32];
    SsdBlock k(T, H, H, Q, 1);
    long long pair = (long long) k.b * H + k.h;
    long long rows = (long long) gridDim.z * H * T; // values per tile of wpart
    float a = A[k.h];
    chunk_decay(cum, dts, seg, dt, k.at(T, 0, H, k.h, 1), H, a, k.len);
    const float* lrow = dcumL + pair * T + k.t0;
    const float* wrow = wpart + pair * T + k.t0;
    const float* srow = dcumS + pair * T + k.t0;
    const float* zrow = zs + pair * T + k.t0;
    float zsum = 0.f;
    for (int l = threadIdx.x; l < k.len; l += blockDim.x) {
        float w = 0.f;
        for (int j = 0; j <= l / SSD_TILE; j++) w += wrow[j * rows + l];
        r[l] = lrow[l] + w - srow[l] - zrow[l];
        zsum += zrow[l];
    }
    zsum = block_sum(zsum, red);
    int slices = (P * N + SSD_THREADS - 1) / SSD_THREADS;
    float dot = 0.f;
    for (int j = threadIdx.x; j < slices; j += blockDim.x) dot += tend[(pair * k.nchunks + k.c) * slices + j];
    dot = block_sum(dot, red);
    float end = expf(cum[k.len - 1]) * dot + zsum;
    block_scan(r, k.len, seg, true);
    float pa = 0.f;
    for (int l = threadIdx.x; l < k.len; l += blockDim.x) {
        float da = r[l] + end;
        ddt[k.at(T, l, H, k.h, 1)] += a * da;
        pa += dts[l] * da;
    }
    pa = block_sum(pa, red);
    float pd = 0.f;
    const float* xc = x + k.at(T, 0, H, k.h, P);
    const float* dyc = dy + k.at(T, 0, H, k.h, P);
    for (int i = threadIdx.x; i < k.len * P; i += blockDim.x) {
        long long o = (long long) (i / P) * H * P + i % P;
        pd += dyc[o] * xc[o];
    }
    pd = block_sum(pd, red);
    if (threadIdx.x == 0) {
        partA[pair * k.nchunks + k.c] = pa;
        partD[pair * k.nchunks + k.c] = pd;
    }
}

// dA[h] += sum over (b, c) of partA[(b H + h) nchunks + c], dD alike, in a fixed order. Grid (H), 256 threads.
CHIMERA_KERNEL void __launch_bounds__(SSD_THREADS, 4)
ssd_param_backward(float* dA, float* dD, const float* partA, const float* partD, int batch, int H, int nchunks) {
    __shared__ float red[32];
    int h = blockIdx.x;
    float sa = 0.f, sd = 0.f;
    for (int j = threadIdx.x; j < batch * nchunks; j += blockDim.x) {
        long long o = ((long long) (j / nchunks) * H + h) * nchunks + j % nchunks;
        sa += partA[o];
        sd += partD[o];
    }
    sa = block_sum(sa, red);
    sd = block_sum(sd, red);
    if (threadIdx.x == 0) {
        dA[h] += sa;
        dD[h] += sd;
    }
}

// dB (rows, G, N) = per-head rows dBh (rows, H, N) summed over each group's heads, in order; dC alike.
CHIMERA_KERNEL void ssd_group_sum(float* dB, float* dC, const float* dBh, const float* dCh, int rows, int H, int G,
                                  int N) {
    int hpg = H / G;
    FOR_EACH(i, (long long) rows * G * N) {
        long long row = i / ((long long) G * N);
        int g = (int) (i / N % G), n = (int) (i % N);
        const float* pb = dBh + (row * H + (long long) g * hpg) * N + n;
        const float* pc = dCh + (row * H + (long long) g * hpg) * N + n;
        float sb = 0.f, sc = 0.f;
        for (int j = 0; j < hpg; j++) {
            sb += pb[(long long) j * N];
            sc += pc[(long long) j * N];
        }
        dB[i] = sb;
        dC[i] = sc;
    }
}

// One recurrent step for n = gridDim.y sequences: state (P, N) of head h of sequence i at states + (i H + h) P N (the
// states of the batch contiguous, (n, H, P, N)), updated in place h = e^{dt A} h + dt x outer B, and
// y_p = sum_n h[p][n] C_n + D x_p. x, y (n, H, P); dt (n, H); B, C (n, G, N). Grid (H, n, ceil(P / 8)),
// 256 threads: a warp per row p of the state, lanes along n.
CHIMERA_KERNEL void __launch_bounds__(SSD_THREADS, 4)
ssd_step(float* y, float* states, const float* x, const float* dt, const float* A, const float* B, const float* C,
         const float* D, int H, int P, int G, int N) {
    int h = blockIdx.x, i = blockIdx.y;
    int lane = threadIdx.x & 31, warps = blockDim.x >> 5;
    int p = blockIdx.z * warps + (threadIdx.x >> 5);
    if (p >= P) return; // whole warps: no shuffle below is left half-empty
    long long pair = (long long) i * H + h;
    float d = dt[pair], decay = expf(d * A[h]);
    const float* b = B + ((long long) i * G + h / (H / G)) * N;
    const float* c = C + ((long long) i * G + h / (H / G)) * N;
    float* row = states + (pair * P + p) * N;
    float xp = x[pair * P + p], dx = d * xp;
    float acc = 0.f;
    for (int m = lane; m < N; m += 32) {
        float v = fmaf(dx, b[m], decay * row[m]);
        row[m] = v;
        acc = fmaf(v, c[m], acc);
    }
    acc = warp_sum(acc);
    if (lane == 0) y[pair * P + p] = acc + D[h] * xp;
}
