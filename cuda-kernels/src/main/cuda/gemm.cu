// Matrix products of dev.chimera.core.backend.Backend.gemm: C (+)= op(A)·op(B), row-major fp32 operands,
// the three GemmForms (C is m x n in each; k is the inner dimension):
//   ab:  C = A·B,   A (m, k), B (k, n)
//   abt: C = A·Bᵀ,  A (m, k), B (n, k)
//   atb: C = Aᵀ·B,  A (k, m), B (k, n)
// A batch of products lies back to back: product z at A + z·m·k, B + z·k·n, C + z·m·n. accumulate != 0
// adds the product to C, otherwise C is overwritten. Three arithmetics:
//   fp32: FMA on the CUDA cores, accumulated in fp32 (the CPU reference accumulates in double);
//   tf32, bf16: tensor cores (mma.sync), fp32 accumulate, each operand rounded to tf32 (10-bit mantissa)
//   or bf16 (7-bit) as it is staged into shared memory.
// Every kernel: 256 threads computing one 128 x 128 tile of C, grid (tilesM·tilesN, 1, min(batch, 65535))
// with tiles = ceil(size / 128); a block loops over the products z = blockIdx.z, + gridDim.z, ... .
// Tiles are numbered in groups of 8 tile rows (tile rows vary fastest), so that blocks running at the
// same time share their A and B panels in L2. Any m, n, k >= 1: the tiles past an edge read zeros and
// write nothing. C must not overlap A or B.
#include "common.cuh"
#include "gemm.cuh"

#define GEMM_THREADS 256
#define GEMM_TILE 128
#define GEMM_GROUP 8

// The first row and column of C that this block computes.
__device__ __forceinline__ void tile_origin(int m, int n, int& row0, int& col0) {
    int tilesM = (m + GEMM_TILE - 1) / GEMM_TILE;
    int tilesN = (n + GEMM_TILE - 1) / GEMM_TILE;
    int perGroup = GEMM_GROUP * tilesN;
    int group = blockIdx.x / perGroup;
    int first = group * GEMM_GROUP;
    int rows = min(tilesM - first, GEMM_GROUP);
    int inGroup = blockIdx.x - group * perGroup;
    row0 = (first + inGroup % rows) * GEMM_TILE;
    col0 = inGroup / rows * GEMM_TILE;
}

// op(A) or op(B) of one product as the tiles see it: element (r, kk) with r < rows (m for A, n for B)
// and kk < k, zero outside. KC: stored (rows, k), k contiguous, at p[r·k + kk] (A of ab / abt, B of abt);
// otherwise stored (k, rows) at p[kk·rows + r] (A of atb, B of ab / atb).
template <bool KC>
struct Operand {
    const float* p;
    int rows;
    int k;
    bool vec;  // float4 loads allowed: p 16-byte aligned and the row length a multiple of 4

    __device__ __forceinline__ Operand(const float* p, int rows, int k)
        : p(p), rows(rows), k(k),
          vec(((reinterpret_cast<uintptr_t>(p) & 15) | ((KC ? k : rows) & 3)) == 0) {}

    __device__ __forceinline__ float at(int r, int kk) const {
        if (r >= rows || kk >= k) return 0.f;
        return KC ? p[(long long) r * k + kk] : p[(long long) kk * rows + r];
    }

    // The 4 elements that lie contiguously from (r, kk): (r, kk .. kk+3) when KC, (r .. r+3, kk) otherwise;
    // r (KC: kk) a multiple of 4, so that with vec the 4 lie all inside or all outside.
    __device__ __forceinline__ float4 run4(int r, int kk) const {
        if (vec) {
            if (r >= rows || kk >= k) return make_float4(0.f, 0.f, 0.f, 0.f);
            return *reinterpret_cast<const float4*>(p + (KC ? (long long) r * k + kk : (long long) kk * rows + r));
        }
        if (KC) return make_float4(at(r, kk), at(r, kk + 1), at(r, kk + 2), at(r, kk + 3));
        return make_float4(at(r, kk), at(r + 1, kk), at(r + 2, kk), at(r + 3, kk));
    }
};

// C of one product: (rows, cols) row-major; put* store (or add to) the elements inside it.
struct Output {
    float* p;
    int rows;
    int cols;
    bool accumulate;
    bool vec2;  // float2 stores allowed: p 8-byte aligned, cols even
    bool vec4;  // float4 stores allowed: p 16-byte aligned, cols a multiple of 4

    __device__ __forceinline__ Output(float* p, int rows, int cols, int accumulate)
        : p(p), rows(rows), cols(cols), accumulate(accumulate != 0),
          vec2(((reinterpret_cast<uintptr_t>(p) & 7) | (cols & 1)) == 0),
          vec4(((reinterpret_cast<uintptr_t>(p) & 15) | (cols & 3)) == 0) {}

    __device__ __forceinline__ void put(int r, int c, float v) const {
        if (r >= rows || c >= cols) return;
        float* q = p + (long long) r * cols + c;
        *q = accumulate ? *q + v : v;
    }

    // (r, c) and (r, c+1); c even.
    __device__ __forceinline__ void put2(int r, int c, float v0, float v1) const {
        if (vec2 && r < rows && c + 1 < cols) {
            float2* q = reinterpret_cast<float2*>(p + (long long) r * cols + c);
            float2 old = accumulate ? *q : make_float2(0.f, 0.f);
            *q = make_float2(old.x + v0, old.y + v1);
            return;
        }
        put(r, c, v0);
        put(r, c + 1, v1);
    }

    // (r, c .. c+3); c a multiple of 4.
    __device__ __forceinline__ void put4(int r, int c, float4 v) const {
        if (vec4 && r < rows && c + 3 < cols) {
            float4* q = reinterpret_cast<float4*>(p + (long long) r * cols + c);
            float4 old = accumulate ? *q : make_float4(0.f, 0.f, 0.f, 0.f);
            *q = make_float4(old.x + v.x, old.y + v.y, old.z + v.z, old.w + v.w);
            return;
        }
        put(r, c, v.x);
        put(r, c + 1, v.y);
        put(r, c + 2, v.z);
        put(r, c + 3, v.w);
    }
};

// ---------------------------------------------------------------------------------------------------
// fp32 (SIMT): k-tiles of 8; shared tiles k-major (X[kk][r], rows padded to 132 floats so that the
// transposing stores of a KC operand do not conflict); each thread an 8 x 8 micro-tile of C, rows
// 4·ty .. +3 and 64 + 4·ty .. +3, columns 4·tx .. +3 and 64 + 4·tx .. +3 (ty = tid / 16, tx = tid % 16).
// The next k-tile is fetched into registers while the current one is multiplied (two shared buffers,
// one barrier per k-tile).

#define FP32_BK 8
#define FP32_STRIDE (GEMM_TILE + 4)

// This thread's float4 of the k-tile at k0: KC (128 rows x 8 k) row tid / 2, k (tid % 2)·4;
// otherwise (8 k x 128 rows) k tid / 32, rows (tid % 32)·4.
template <bool KC>
__device__ __forceinline__ float4 fp32_fetch(const Operand<KC>& x, int row0, int k0) {
    int tid = threadIdx.x;
    return KC ? x.run4(row0 + (tid >> 1), k0 + (tid & 1) * 4) : x.run4(row0 + (tid & 31) * 4, k0 + (tid >> 5));
}

template <bool KC>
__device__ __forceinline__ void fp32_stage(float (*s)[FP32_STRIDE], float4 v) {
    int tid = threadIdx.x;
    if (KC) {
        int r = tid >> 1, kk = (tid & 1) * 4;
        s[kk][r] = v.x;
        s[kk + 1][r] = v.y;
        s[kk + 2][r] = v.z;
        s[kk + 3][r] = v.w;
    } else {
        *reinterpret_cast<float4*>(&s[tid >> 5][(tid & 31) * 4]) = v;
    }
}

template <bool A_KC, bool B_KC>
__device__ __forceinline__ void gemm_fp32(float* c, const float* a, const float* b, int m, int n, int k, int batch,
                                          int accumulate) {
    __shared__ __align__(16) float As[2][FP32_BK][FP32_STRIDE];
    __shared__ __align__(16) float Bs[2][FP32_BK][FP32_STRIDE];
    int row0, col0;
    tile_origin(m, n, row0, col0);
    int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
    int tiles = (k + FP32_BK - 1) / FP32_BK;
    for (int z = blockIdx.z; z < batch; z += gridDim.z) {
        Operand<A_KC> A(a + (long long) z * m * k, m, k);
        Operand<B_KC> B(b + (long long) z * k * n, n, k);
        Output C(c + (long long) z * m * n, m, n, accumulate);
        float acc[8][8];
#pragma unroll
        for (int i = 0; i < 8; i++) {
#pragma unroll
            for (int j = 0; j < 8; j++) acc[i][j] = 0.f;
        }
        float4 na = fp32_fetch(A, row0, 0), nb = fp32_fetch(B, col0, 0);
        fp32_stage<A_KC>(As[0], na);
        fp32_stage<B_KC>(Bs[0], nb);
        __syncthreads();
        for (int t = 0; t < tiles; t++) {
            int cur = t & 1;
            bool more = t + 1 < tiles;
            if (more) {
                na = fp32_fetch(A, row0, (t + 1) * FP32_BK);
                nb = fp32_fetch(B, col0, (t + 1) * FP32_BK);
            }
#pragma unroll
            for (int kk = 0; kk < FP32_BK; kk++) {
                float4 a0 = *reinterpret_cast<const float4*>(&As[cur][kk][ty * 4]);
                float4 a1 = *reinterpret_cast<const float4*>(&As[cur][kk][64 + ty * 4]);
                float4 b0 = *reinterpret_cast<const float4*>(&Bs[cur][kk][tx * 4]);
                float4 b1 = *reinterpret_cast<const float4*>(&Bs[cur][kk][64 + tx * 4]);
                float av[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
                float bv[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
                for (int i = 0; i < 8; i++) {
#pragma unroll
                    for (int j = 0; j < 8; j++) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
                }
            }
            if (more) {
                fp32_stage<A_KC>(As[cur ^ 1], na);
                fp32_stage<B_KC>(Bs[cur ^ 1], nb);
            }
            __syncthreads();
        }
#pragma unroll
        for (int i = 0; i < 8; i++) {
            int r = row0 + (i >> 2) * 64 + ty * 4 + (i & 3);
            C.put4(r, col0 + tx * 4, make_float4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]));
            C.put4(r, col0 + 64 + tx * 4, make_float4(acc[i][4], acc[i][5], acc[i][6], acc[i][7]));
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// tf32 / bf16 (tensor cores). KW: elements of k per 32-bit word, 1 (tf32, mma m16n8k8) or 2 (bf16,
// m16n8k16). A k-tile is 64 bytes of k per row: 16 tf32 or 32 bf16. Both operands are staged k-contiguous,
// A as 128 rows (of m) and B as 128 rows (of n), 64 bytes each, the 16-byte chunks of a row XOR-swizzled
// so that ldmatrix and the staging stores are free of bank conflicts. Per k-tile: 2 k-steps of one mma
// k each (32 bytes of k per row). 8 warps as 2 (m) x 4 (n), each a 64 x 32 tile of C: 4 x 4 mma tiles of
// 16 x 8. Two k-tiles are in flight in registers while the staged one is multiplied: k-tile t + 2 is
// fetched during k-tile t and rounded and stored to the other shared buffer at the end of k-tile t + 1
// (two shared buffers, one barrier per k-tile; the loads have two k-tiles of mma to arrive in).

#define TC_ROW_BYTES 64
#define TC_TILE_BYTES (GEMM_TILE * TC_ROW_BYTES)

// Byte offset of 16-byte chunk ch (0..3) of row r in a staged tile: 8 consecutive rows at one chunk
// land in 8 different bank groups (two rows per 128-byte line, chunk XOR row bits 1..2).
__device__ __forceinline__ int swz(int r, int ch) {
    return r * TC_ROW_BYTES + ((ch ^ ((r >> 1) & 3)) << 4);
}

// One thread's share of a k-tile of one operand (128 rows) in flight, 8·KW floats: fetched from global
// memory, then rounded and stored to shared memory.
//   KC (k contiguous in memory): float4 q = tid + 256·i at row q / (4·KW), k 4·(q % (4·KW));
//   otherwise: rows R + 64·h with R = 8·warp + lane % 8, 32-bit words W + 4·j with W = lane / 8 (a warp's
//   loads: 4 runs of 8 consecutive floats; its stores: 32 different banks).
template <int KW, bool KC>
struct TcStage {
    float v[8 * KW];

    __device__ __forceinline__ void fetch(const Operand<KC>& x, int row0, int k0) {
        int tid = threadIdx.x;
        if (KC) {
#pragma unroll
            for (int i = 0; i < 2 * KW; i++) {
                int q = tid + GEMM_THREADS * i, r = q / (4 * KW), c4 = q % (4 * KW);
                float4 f = x.run4(row0 + r, k0 + 4 * c4);
                v[4 * i] = f.x;
                v[4 * i + 1] = f.y;
                v[4 * i + 2] = f.z;
                v[4 * i + 3] = f.w;
            }
        } else {
            int r = row0 + 8 * (tid >> 5) + (tid & 7), kk = k0 + KW * ((tid & 31) >> 3);
#pragma unroll
            for (int h = 0; h < 2; h++) {
#pragma unroll
                for (int j = 0; j < 4; j++) {
#pragma unroll
                    for (int e = 0; e < KW; e++) v[KW * (4 * h + j) + e] = x.at(r + 64 * h, kk + 4 * KW * j + e);
                }
            }
        }
    }

    __device__ __forceinline__ void store(char* tile) const {
        int tid = threadIdx.x;
        if (KC) {
#pragma unroll
            for (int i = 0; i < 2 * KW; i++) {
                int q = tid + GEMM_THREADS * i, r = q / (4 * KW), c4 = q % (4 * KW);
                const float* f = v + 4 * i;
                if (KW == 2) {
                    *reinterpret_cast<uint2*>(tile + swz(r, c4 >> 1) + (c4 & 1) * 8) =
                        make_uint2(pack_bf16(f[0], f[1]), pack_bf16(f[2], f[3]));
                } else {
                    *reinterpret_cast<uint4*>(tile + swz(r, c4)) =
                        make_uint4(to_tf32(f[0]), to_tf32(f[1]), to_tf32(f[2]), to_tf32(f[3]));
                }
            }
        } else {
            int r = 8 * (tid >> 5) + (tid & 7), w = (tid & 31) >> 3;
#pragma unroll
            for (int h = 0; h < 2; h++) {
#pragma unroll
                for (int j = 0; j < 4; j++) {
                    int i = 4 * h + j;
                    *reinterpret_cast<uint32_t*>(tile + swz(r + 64 * h, j) + 4 * w) =
                        KW == 2 ? pack_bf16(v[2 * i], v[2 * i + 1]) : to_tf32(v[i]);
                }
            }
        }
    }
};

// One k-tile of both operands in flight: A's 128 rows (of m) and B's 128 rows (of n), stored to one
// shared buffer, A's rows first.
template <int KW, bool A_KC, bool B_KC>
struct TcTile {
    TcStage<KW, A_KC> a;
    TcStage<KW, B_KC> b;

    __device__ __forceinline__ void fetch(const Operand<A_KC>& x, const Operand<B_KC>& y, int row0, int col0,
                                          int k0) {
        a.fetch(x, row0, k0);
        b.fetch(y, col0, k0);
    }

    __device__ __forceinline__ void store(char* buffer) const {
        a.store(buffer);
        b.store(buffer + TC_TILE_BYTES);
    }
};

// acc (the warp's 64 x 32 tile of C, at rows 64·wm and columns 32·wn of the block tile: 4 x 4 mma tiles of
// 16 x 8) += the staged k-tile, A from rows 64·wm .. +63 of sa, B from rows 32·wn .. +31 of sb.
template <int KW>
__device__ __forceinline__ void tc_multiply(float (&acc)[4][4][4], const char* sa, const char* sb, int wm, int wn,
                                            int lane) {
#pragma unroll
    for (int ks = 0; ks < 2; ks++) {
        uint32_t af[4][4], bf[4][2];
        // A, 16 rows x 32 bytes per ldmatrix: lanes 0-15 rows 0-15 at chunk 2·ks, lanes 16-31 at 2·ks + 1.
#pragma unroll
        for (int f = 0; f < 4; f++) {
            ldmatrix_x4(af[f], sa + swz(64 * wm + 16 * f + (lane & 15), 2 * ks + (lane >> 4)));
        }
        // B, two 8-column tiles per ldmatrix: matrices (cols 0-7, chunk 2·ks), (0-7, 2·ks+1), (8-15, 2·ks),
        // (8-15, 2·ks+1).
#pragma unroll
        for (int p = 0; p < 2; p++) {
            uint32_t r[4];
            int row = 32 * wn + 16 * p + (lane & 7) + ((lane >> 4) << 3);
            ldmatrix_x4(r, sb + swz(row, 2 * ks + ((lane >> 3) & 1)));
            bf[2 * p][0] = r[0];
            bf[2 * p][1] = r[1];
            bf[2 * p + 1][0] = r[2];
            bf[2 * p + 1][1] = r[3];
        }
#pragma unroll
        for (int f = 0; f < 4; f++) {
#pragma unroll
            for (int j = 0; j < 4; j++) {
                if (KW == 2) {
                    mma_bf16(acc[f][j], af[f], bf[j][0], bf[j][1]);
                } else {
                    mma_tf32(acc[f][j], af[f], bf[j][0], bf[j][1]);
                }
            }
        }
    }
}

template <int KW, bool A_KC, bool B_KC>
__device__ __forceinline__ void gemm_tc(float* c, const float* a, const float* b, int m, int n, int k, int batch,
                                        int accumulate) {
    __shared__ __align__(128) char smem[2][2 * TC_TILE_BYTES];  // [buffer]: A's 128 rows, then B's: 32 KiB
    int row0, col0;
    tile_origin(m, n, row0, col0);
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, wm = warp >> 2, wn = warp & 3;
    int bk = 16 * KW;
    int tiles = (k + bk - 1) / bk;
    for (int z = blockIdx.z; z < batch; z += gridDim.z) {
        Operand<A_KC> A(a + (long long) z * m * k, m, k);
        Operand<B_KC> B(b + (long long) z * k * n, n, k);
        Output C(c + (long long) z * m * n, m, n, accumulate);
        float acc[4][4][4];
#pragma unroll
        for (int f = 0; f < 4; f++) {
#pragma unroll
            for (int j = 0; j < 4; j++) {
#pragma unroll
                for (int e = 0; e < 4; e++) acc[f][j][e] = 0.f;
            }
        }
        // Two k-tiles in flight in registers: the even ones in s0, the odd ones in s1.
        TcTile<KW, A_KC, B_KC> s0, s1;
        s0.fetch(A, B, row0, col0, 0);
        if (tiles > 1) s1.fetch(A, B, row0, col0, bk);
        s0.store(smem[0]);
        __syncthreads();
        // k-tile t: fetch tile t + 2 into `next` (free: it held tile t, stored during k-tile t - 1), multiply
        // the staged tile t, store tile t + 1 from `ready` to the other buffer.
        auto step = [&](TcTile<KW, A_KC, B_KC>& next, const TcTile<KW, A_KC, B_KC>& ready, int t) {
            if (t + 2 < tiles) next.fetch(A, B, row0, col0, (t + 2) * bk);
            tc_multiply<KW>(acc, smem[t & 1], smem[t & 1] + TC_TILE_BYTES, wm, wn, lane);
            if (t + 1 < tiles) ready.store(smem[(t + 1) & 1]);
            __syncthreads();
        };
        for (int t = 0; t < tiles; t += 2) {
            step(s0, s1, t);
            if (t + 1 < tiles) step(s1, s0, t + 1);
        }
        int g = lane >> 2, t4 = lane & 3;
#pragma unroll
        for (int f = 0; f < 4; f++) {
            int r = row0 + 64 * wm + 16 * f + g;
#pragma unroll
            for (int j = 0; j < 4; j++) {
                int col = col0 + 32 * wn + 8 * j + 2 * t4;
                C.put2(r, col, acc[f][j][0], acc[f][j][1]);
                C.put2(r + 8, col, acc[f][j][2], acc[f][j][3]);
            }
        }
    }
}

// The entry points: gemm_PRECISION_FORM(c, a, b, m, n, k, batch, accumulate). KC flags: A is k-contiguous
// in ab and abt, B in abt.
#define GEMM_ENTRY(name, body)                                                                          \
    CHIMERA_KERNEL void __launch_bounds__(GEMM_THREADS)                                                 \
        name(float* __restrict__ c, const float* __restrict__ a, const float* __restrict__ b, int m, int n, \
             int k, int batch, int accumulate) {                                                        \
        body(c, a, b, m, n, k, batch, accumulate);                                                      \
    }

GEMM_ENTRY(gemm_fp32_ab, (gemm_fp32<true, false>))
GEMM_ENTRY(gemm_fp32_abt, (gemm_fp32<true, true>))
GEMM_ENTRY(gemm_fp32_atb, (gemm_fp32<false, false>))
GEMM_ENTRY(gemm_tf32_ab, (gemm_tc<1, true, false>))
GEMM_ENTRY(gemm_tf32_abt, (gemm_tc<1, true, true>))
GEMM_ENTRY(gemm_tf32_atb, (gemm_tc<1, false, false>))
GEMM_ENTRY(gemm_bf16_ab, (gemm_tc<2, true, false>))
GEMM_ENTRY(gemm_bf16_abt, (gemm_tc<2, true, true>))
GEMM_ENTRY(gemm_bf16_atb, (gemm_tc<2, false, false>))
