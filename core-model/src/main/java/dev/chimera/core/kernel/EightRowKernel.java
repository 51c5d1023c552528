package dev.chimera.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 8 x 2-vector micro-kernel for AVX-512 (8 x 32 floats, 16 accumulators of the 32 zmm
 * registers), with MC = 128 and KC = 256: a packed A block of 128 KiB stays in L2 and an A panel
 * (8 KiB) in L1. See {@link MicroKernel} for the structure (Goto/BLIS).
 */
final class EightRowKernel implements MicroKernel {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    private static final int ROWS = 8;

    @Override
    public int rows() {
        return ROWS;
    }

    @Override
    public int columns() {
        return 2 * L;
    }

    @Override
    public int rowBlock() {
        return 128;
    }

    @Override
    public int depthBlock() {
        return 256;
    }

    @Override
    public void packRowPanel(float[] dst, int d, float[] src, int s, int ld, int count) {
        PackedGemm.interleaveEightRows(dst, d, ROWS, src, s, ld, count);
    }

    /** The eight values copied one by one (System.arraycopy of them measured the same). */
    @Override
    public void packColumnPanel(float[] dst, int d, float[] src, int s, int ld, int count) {
        for (int p = 0; p < count; p++, s += ld, d += ROWS) {
            dst[d] = src[s];
            dst[d + 1] = src[s + 1];
            dst[d + 2] = src[s + 2];
            dst[d + 3] = src[s + 3];
            dst[d + 4] = src[s + 4];
            dst[d + 5] = src[s + 5];
            dst[d + 6] = src[s + 6];
            dst[d + 7] = src[s + 7];
        }
    }

    /**
     * C[0..8, 0..NR) = Apanel(8 x kc) · Bpanel(kc x NR). Sixteen accumulators stay in registers
     * for the whole kc loop; each step loads two vectors of B and broadcasts eight values of A.
     */
    @Override
    public void multiply(float[] pa, int aAt, float[] pb, int bAt, int kc, float[] c, int cAt, int ldc) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        FloatVector c71 = FloatVector.zero(S);
        int ai = aAt;
        int bi = bAt;
        for (int p = 0; p < kc; p++, ai += ROWS, bi += 2 * L) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, pa[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, pa[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, pa[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, pa[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        // The stores are written out here on purpose: passing vectors to a helper method that C2 does
        // not inline boxes them, and the boxing spreads into the loop (measured: 170 -> 10 GFLOP/s).
        c00.intoArray(c, cAt);
        c01.intoArray(c, cAt + L);
        c10.intoArray(c, cAt + ldc);
        c11.intoArray(c, cAt + ldc + L);
        c20.intoArray(c, cAt + 2 * ldc);
        c21.intoArray(c, cAt + 2 * ldc + L);
        c30.intoArray(c, cAt + 3 * ldc);
        c31.intoArray(c, cAt + 3 * ldc + L);
        c40.intoArray(c, cAt + 4 * ldc);
        c41.intoArray(c, cAt + 4 * ldc + L);
        c50.intoArray(c, cAt + 5 * ldc);
        c51.intoArray(c, cAt + 5 * ldc + L);
        c60.intoArray(c, cAt + 6 * ldc);
        c61.intoArray(c, cAt + 6 * ldc + L);
        c70.intoArray(c, cAt + 7 * ldc);
        c71.intoArray(c, cAt + 7 * ldc + L);
    }

    /**
     * The micro-kernel for a later KC block: C[0..8, 0..NR) += Apanel · Bpanel, the loop of
     * {@link #multiply} with C added at the end. A method of its own: with both a store and an add
     * path in one method, C2 recompiled it past its inlining budget and fell back to boxed
     * vectors (6 GFLOP/s).
     */
    @Override
    public void multiplyAdd(float[] pa, int aAt, float[] pb, int bAt, int kc, float[] c, int cAt, int ldc) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        FloatVector c71 = FloatVector.zero(S);
        int ai = aAt;
        int bi = bAt;
        for (int p = 0; p < kc; p++, ai += ROWS, bi += 2 * L) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, pa[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, pa[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, pa[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, pa[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.add(FloatVector.fromArray(S, c, cAt)).intoArray(c, cAt);
        c01.add(FloatVector.fromArray(S, c, cAt + L)).intoArray(c, cAt + L);
        c10.add(FloatVector.fromArray(S, c, cAt + ldc)).intoArray(c, cAt + ldc);
        c11.add(FloatVector.fromArray(S, c, cAt + ldc + L)).intoArray(c, cAt + ldc + L);
        c20.add(FloatVector.fromArray(S, c, cAt + 2 * ldc)).intoArray(c, cAt + 2 * ldc);
        c21.add(FloatVector.fromArray(S, c, cAt + 2 * ldc + L)).intoArray(c, cAt + 2 * ldc + L);
        c30.add(FloatVector.fromArray(S, c, cAt + 3 * ldc)).intoArray(c, cAt + 3 * ldc);
        c31.add(FloatVector.fromArray(S, c, cAt + 3 * ldc + L)).intoArray(c, cAt + 3 * ldc + L);
        c40.add(FloatVector.fromArray(S, c, cAt + 4 * ldc)).intoArray(c, cAt + 4 * ldc);
        c41.add(FloatVector.fromArray(S, c, cAt + 4 * ldc + L)).intoArray(c, cAt + 4 * ldc + L);
        c50.add(FloatVector.fromArray(S, c, cAt + 5 * ldc)).intoArray(c, cAt + 5 * ldc);
        c51.add(FloatVector.fromArray(S, c, cAt + 5 * ldc + L)).intoArray(c, cAt + 5 * ldc + L);
        c60.add(FloatVector.fromArray(S, c, cAt + 6 * ldc)).intoArray(c, cAt + 6 * ldc);
        c61.add(FloatVector.fromArray(S, c, cAt + 6 * ldc + L)).intoArray(c, cAt + 6 * ldc + L);
        c70.add(FloatVector.fromArray(S, c, cAt + 7 * ldc)).intoArray(c, cAt + 7 * ldc);
        c71.add(FloatVector.fromArray(S, c, cAt + 7 * ldc + L)).intoArray(c, cAt + 7 * ldc + L);
    }
}
