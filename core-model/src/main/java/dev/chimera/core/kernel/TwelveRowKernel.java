package dev.chimera.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 12 x 1-vector micro-kernel for AVX2 (12 x 8 floats): 12 accumulators, one vector of B and
 * one or two broadcasts of A take 14-15 of the 16 ymm registers. See {@link MicroKernel} for the
 * structure (Goto/BLIS) and why not BLIS's Haswell shape, 6 x 2 vectors.
 *
 * <p>Each step of k loads one vector of B and broadcasts twelve values of A: 13 loads for 12 FMAs,
 * which cores with three load ports (Zen 3, Golden Cove) issue within the 6 cycles the FMAs take
 * (cores with two, such as Skylake, need 6.5).
 * Blocking: KC = 256 as in BLIS's Haswell configuration, so an A panel (12 KiB) stays in L1 while B
 * panel rows stream through; MC = 192 rows, a packed A block of 192 KiB in L2. At 1024^3 on one
 * thread, MC from 96 to 288 and KC from 192 to 384 measured within the host's noise (about 5%) of
 * this; with the kernel's first loop (see {@link #multiply}) MC = 192 had been the best by 0-8%.
 */
final class TwelveRowKernel implements MicroKernel {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    private static final int ROWS = 12;

    @Override
    public int rows() {
        return ROWS;
    }

    @Override
    public int columns() {
        return L;
    }

    @Override
    public int rowBlock() {
        return 192;
    }

    @Override
    public int depthBlock() {
        return 256;
    }

    /** The twelve rows read together: each read stream and each group of twelve writes stays contiguous. */
    @Override
    public void packRowPanel(float[] dst, int d, float[] src, int s, int ld, int count) {
        for (int p = 0; p < count; p++, s++, d += ROWS) {
            dst[d] = src[s];
            dst[d + 1] = src[s + ld];
            dst[d + 2] = src[s + 2 * ld];
            dst[d + 3] = src[s + 3 * ld];
            dst[d + 4] = src[s + 4 * ld];
            dst[d + 5] = src[s + 5 * ld];
            dst[d + 6] = src[s + 6 * ld];
            dst[d + 7] = src[s + 7 * ld];
            dst[d + 8] = src[s + 8 * ld];
            dst[d + 9] = src[s + 9 * ld];
            dst[d + 10] = src[s + 10 * ld];
            dst[d + 11] = src[s + 11 * ld];
        }
    }

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
            dst[d + 8] = src[s + 8];
            dst[d + 9] = src[s + 9];
            dst[d + 10] = src[s + 10];
            dst[d + 11] = src[s + 11];
        }
    }

    /**
     * C[0..12, 0..L) = Apanel(12 x kc) · Bpanel(kc x L); the twelve accumulators stay in registers
     * for the whole loop. The loop counts over A's index, B's following it: C2 then proves the twelve
     * scalar reads of A in bounds once per call (B's vector reads go unchecked under the JVM flags'
     * VECTOR_ACCESS_OOB_CHECK=0), which leaves 5 scalar instructions per step beside the 25 loads
     * and FMAs. Counting over B's index instead kept two bounds checks in every step, 37-39
     * instructions, and ran ~8% slower alone (86-93 against 95-97 GFLOP/s). The stores are written
     * out, not passed to a helper: vectors passed to a method that C2 does not inline are boxed, and
     * the boxing spreads into the loop.
     */
    @Override
    public void multiply(float[] pa, int aAt, float[] pb, int bAt, int kc, float[] c, int cAt, int ldc) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S);
        FloatVector c5 = FloatVector.zero(S);
        FloatVector c6 = FloatVector.zero(S);
        FloatVector c7 = FloatVector.zero(S);
        FloatVector c8 = FloatVector.zero(S);
        FloatVector c9 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        int bi = bAt;
        for (int ai = aAt, aEnd = aAt + ROWS * kc; ai < aEnd; ai += ROWS, bi += L) {
            FloatVector b = FloatVector.fromArray(S, pb, bi);
            c0 = FloatVector.broadcast(S, pa[ai]).fma(b, c0);
            c1 = FloatVector.broadcast(S, pa[ai + 1]).fma(b, c1);
            c2 = FloatVector.broadcast(S, pa[ai + 2]).fma(b, c2);
            c3 = FloatVector.broadcast(S, pa[ai + 3]).fma(b, c3);
            c4 = FloatVector.broadcast(S, pa[ai + 4]).fma(b, c4);
            c5 = FloatVector.broadcast(S, pa[ai + 5]).fma(b, c5);
            c6 = FloatVector.broadcast(S, pa[ai + 6]).fma(b, c6);
            c7 = FloatVector.broadcast(S, pa[ai + 7]).fma(b, c7);
            c8 = FloatVector.broadcast(S, pa[ai + 8]).fma(b, c8);
            c9 = FloatVector.broadcast(S, pa[ai + 9]).fma(b, c9);
            c10 = FloatVector.broadcast(S, pa[ai + 10]).fma(b, c10);
            c11 = FloatVector.broadcast(S, pa[ai + 11]).fma(b, c11);
        }
        c0.intoArray(c, cAt);
        c1.intoArray(c, cAt + ldc);
        c2.intoArray(c, cAt + 2 * ldc);
        c3.intoArray(c, cAt + 3 * ldc);
        c4.intoArray(c, cAt + 4 * ldc);
        c5.intoArray(c, cAt + 5 * ldc);
        c6.intoArray(c, cAt + 6 * ldc);
        c7.intoArray(c, cAt + 7 * ldc);
        c8.intoArray(c, cAt + 8 * ldc);
        c9.intoArray(c, cAt + 9 * ldc);
        c10.intoArray(c, cAt + 10 * ldc);
        c11.intoArray(c, cAt + 11 * ldc);
    }

    /**
     * C[0..12, 0..L) += Apanel · Bpanel: the loop of {@link #multiply} with C added at the end. A
     * method of its own for the same reason as the 8-row kernel's: with both a store and an add path
     * in one method C2 went past its inlining budget and boxed the vectors.
     */
    @Override
    public void multiplyAdd(float[] pa, int aAt, float[] pb, int bAt, int kc, float[] c, int cAt, int ldc) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S);
        FloatVector c5 = FloatVector.zero(S);
        FloatVector c6 = FloatVector.zero(S);
        FloatVector c7 = FloatVector.zero(S);
        FloatVector c8 = FloatVector.zero(S);
        FloatVector c9 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        int bi = bAt;
        for (int ai = aAt, aEnd = aAt + ROWS * kc; ai < aEnd; ai += ROWS, bi += L) {
            FloatVector b = FloatVector.fromArray(S, pb, bi);
            c0 = FloatVector.broadcast(S, pa[ai]).fma(b, c0);
            c1 = FloatVector.broadcast(S, pa[ai + 1]).fma(b, c1);
            c2 = FloatVector.broadcast(S, pa[ai + 2]).fma(b, c2);
            c3 = FloatVector.broadcast(S, pa[ai + 3]).fma(b, c3);
            c4 = FloatVector.broadcast(S, pa[ai + 4]).fma(b, c4);
            c5 = FloatVector.broadcast(S, pa[ai + 5]).fma(b, c5);
            c6 = FloatVector.broadcast(S, pa[ai + 6]).fma(b, c6);
            c7 = FloatVector.broadcast(S, pa[ai + 7]).fma(b, c7);
            c8 = FloatVector.broadcast(S, pa[ai + 8]).fma(b, c8);
            c9 = FloatVector.broadcast(S, pa[ai + 9]).fma(b, c9);
            c10 = FloatVector.broadcast(S, pa[ai + 10]).fma(b, c10);
            c11 = FloatVector.broadcast(S, pa[ai + 11]).fma(b, c11);
        }
        c0.add(FloatVector.fromArray(S, c, cAt)).intoArray(c, cAt);
        c1.add(FloatVector.fromArray(S, c, cAt + ldc)).intoArray(c, cAt + ldc);
        c2.add(FloatVector.fromArray(S, c, cAt + 2 * ldc)).intoArray(c, cAt + 2 * ldc);
        c3.add(FloatVector.fromArray(S, c, cAt + 3 * ldc)).intoArray(c, cAt + 3 * ldc);
        c4.add(FloatVector.fromArray(S, c, cAt + 4 * ldc)).intoArray(c, cAt + 4 * ldc);
        c5.add(FloatVector.fromArray(S, c, cAt + 5 * ldc)).intoArray(c, cAt + 5 * ldc);
        c6.add(FloatVector.fromArray(S, c, cAt + 6 * ldc)).intoArray(c, cAt + 6 * ldc);
        c7.add(FloatVector.fromArray(S, c, cAt + 7 * ldc)).intoArray(c, cAt + 7 * ldc);
        c8.add(FloatVector.fromArray(S, c, cAt + 8 * ldc)).intoArray(c, cAt + 8 * ldc);
        c9.add(FloatVector.fromArray(S, c, cAt + 9 * ldc)).intoArray(c, cAt + 9 * ldc);
        c10.add(FloatVector.fromArray(S, c, cAt + 10 * ldc)).intoArray(c, cAt + 10 * ldc);
        c11.add(FloatVector.fromArray(S, c, cAt + 11 * ldc)).intoArray(c, cAt + 11 * ldc);
    }
}
