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
// cuda-emu (src/test/emulator) runs no PTX: these stand-ins only let gemm.cu compile there, where the
// tensor-core kernels are registered as not emulated.
__device__ __forceinline__ void ldmatrix_x4(uint32_t (&)[4], const void*) { emu::not_emulated("tensor-core instructions"); }
__device__ __forceinline__ void mma_bf16(float (&)[4], const uint32_t (&)[4], uint32_t, uint32_t) { emu::not_emulated("tensor-core instructions"); }
__device__ __forceinline__ void mma_tf32(float (&)[4], const uint32_t (&)[4], uint32_t, uint32_t) { emu::not_emulated("tensor-core instructions"); }
__device__ __forceinline__ uint32_t to_tf32(float) { emu::not_emulated("tensor-core instructions"); }
__device__ __forceinline__ uint32_t pack_bf16(float, float) { emu::not_emulated("tensor-core instructions"); }
#endif  // CHIMERA_EMULATOR
