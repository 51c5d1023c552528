// The sm_80 PTX that gemm.cu's tensor-core kernels are built from, one small wrapper each: fragment
// loads from shared memory (ldmatrix), the warp-wide products (mma.sync) and the rounding of fp32
// operands to tf32 / bf16. Fragment layouts (PTX ISA, "Matrix fragments for mma.m16n8k16 / m16n8k8"),
// g = lane / 4, t = lane % 4, one 32-bit register holding one tf32 or two bf16 (lower k in the low half):
//   A (16 x k) registers a0..a3: rows g, g+8, g, g+8; k words t, t, t+4, t+4 (a word: 1 tf32 or 2 bf16);
//   B (k x 8)  registers b0, b1: column g; k words t, t+4;
//   C (16 x 8) c0..c3: rows g, g, g+8, g+8; columns 2t, 2t+1, 2t, 2t+1.
#pragma once
#include <stdint.h>

#ifndef CHIMERA_EMULATOR

// Four 8 x 8 matrices of 16-bit elements (8 rows of 16 bytes) from shared memory: lanes 8i .. 8i+7 give
// the row addresses of matrix i, and r[i] receives word (lane % 4) of row (lane / 4) of matrix i.
__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* smem) {
    uint32_t address = (uint32_t) __cvta_generic_to_shared(smem);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(address));
}

// d += A (16 x 16, bf16) · B (16 x 8, bf16), fp32 accumulate.
__device__ __forceinline__ void mma_bf16(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// d += A (16 x 8, tf32) · B (8 x 8, tf32), fp32 accumulate.
__device__ __forceinline__ void mma_tf32(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// x rounded to tf32 (10-bit mantissa, to nearest, ties away from zero), as the 32 bits mma reads.
__device__ __forceinline__ uint32_t to_tf32(float x) {
    uint32_t r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
    return r;
}

// lo and hi rounded to bf16 (to nearest even), lo in the low half.
__device__ __forceinline__ uint32_t pack_bf16(float lo, float hi) {
    uint32_t r;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));
    return r;
}

#else
// cuda-emu (src/test/emulator) runs no PTX: the same operations built from the warp's exchange through a
// static scratch (one copy: the emulator runs one block at a time) between two __syncwarp()s, slowly and
// exactly as the fragment layouts above say; products summed in fp32 in k order.
#include <string.h>

namespace gemm_emu {
inline uint32_t exchange[32][32][6];        // [warp][lane][word]
inline const char* rows[32][32];            // ldmatrix's row addresses, [warp][lane]

__device__ __forceinline__ int lane() { return (threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z)) & 31; }
__device__ __forceinline__ int warp() { return (threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z)) >> 5; }

__device__ __forceinline__ float word_as_float(uint32_t w) { float f; memcpy(&f, &w, 4); return f; }

// d += A · B for one m16n8 tile: k = 8 words of tf32 (halves = 1) or of two bf16 each (halves = 2).
__device__ __forceinline__ void mma(int halves, float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    int w = warp(), l = lane(), g = l / 4, t = l % 4;
    uint32_t* mine = exchange[w][l];
    mine[0] = a[0]; mine[1] = a[1]; mine[2] = a[2]; mine[3] = a[3]; mine[4] = b0; mine[5] = b1;
    __syncwarp();
    uint32_t A[16][8], B[8][8];             // A: row, word; B: column, word
    for (int src = 0; src < 32; src++) {
        int gs = src / 4, ts = src % 4;
        const uint32_t* x = exchange[w][src];
        A[gs][ts] = x[0]; A[gs + 8][ts] = x[1]; A[gs][ts + 4] = x[2]; A[gs + 8][ts + 4] = x[3];
        B[gs][ts] = x[4]; B[gs][ts + 4] = x[5];
    }
    __syncwarp();
    const int row[4] = {g, g, g + 8, g + 8}, col[4] = {2 * t, 2 * t + 1, 2 * t, 2 * t + 1};
    for (int j = 0; j < 4; j++) {
        float acc = 0.f;
        for (int k = 0; k < 8; k++) {
            uint32_t x = A[row[j]][k], y = B[col[j]][k];
            if (halves == 1) {
                acc += word_as_float(x) * word_as_float(y);
            } else {
                acc += word_as_float(x << 16) * word_as_float(y << 16);
                acc += word_as_float(x & 0xffff0000u) * word_as_float(y & 0xffff0000u);
            }
        }
        d[j] += acc;
    }
}
}  // namespace gemm_emu

__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* smem) {
    int w = gemm_emu::warp(), l = gemm_emu::lane();
    gemm_emu::rows[w][l] = (const char*) smem;
    __syncwarp();
    for (int i = 0; i < 4; i++) memcpy(&r[i], gemm_emu::rows[w][8 * i + l / 4] + 4 * (l % 4), 4);
    __syncwarp();
}
__device__ __forceinline__ void mma_bf16(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    gemm_emu::mma(2, d, a, b0, b1);
}
__device__ __forceinline__ void mma_tf32(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    gemm_emu::mma(1, d, a, b0, b1);
}
__device__ __forceinline__ uint32_t to_tf32(float x) {  // cvt.rna: to nearest, ties away from zero
    uint32_t u;
    memcpy(&u, &x, 4);
    return (u + 0x1000u) & 0xffffe000u;
}
__device__ __forceinline__ uint32_t bf16_bits(float x) {  // cvt.rn: to nearest even
    uint32_t u;
    memcpy(&u, &x, 4);
    return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}
__device__ __forceinline__ uint32_t pack_bf16(float lo, float hi) { return bf16_bits(lo) | (bf16_bits(hi) << 16); }
#endif  // CHIMERA_EMULATOR
