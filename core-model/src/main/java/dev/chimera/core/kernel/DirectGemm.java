package dev.chimera.core.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM for very few rows of C (a decoding step, a handful of sequences), without packing.
 * Every element of B is used only m times, so the cost is reading B once: the AB and AtB
 * forms stream B row by row into a block of C that stays in L1; ABt takes dot products of
 * A's rows with B's rows. Work is split over column blocks of C.
 */
final class DirectGemm {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** Columns of C per task: m rows of this many floats stay in L1 while B streams past. */
    private static final int COLUMN_BLOCK = 512;

    private DirectGemm() {
    }

    /** C (+)= op(A)·op(B); {@code pool} null runs on the calling thread. */
    static void multiply(GemmForm form, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                         int m, int n, int k, boolean accumulate, ComputePool pool) {
        int blocks = (n + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
        java.util.function.IntConsumer task = block -> {
            int j0 = block * COLUMN_BLOCK;
            int j1 = Math.min(n, j0 + COLUMN_BLOCK);
            if (form == GemmForm.ABt) {
                dotColumns(c, cOff, a, aOff, b, bOff, m, n, k, accumulate, j0, j1);
            } else {
                streamRows(form, c, cOff, a, aOff, b, bOff, m, n, k, accumulate, j0, j1);
            }
        };
        if (pool == null) {
            for (int block = 0; block < blocks; block++) {
                task.accept(block);
            }
        } else {
            pool.parallelFor(blocks, task);
        }
    }

    /** C[i, j0..j1) (+)= sum_p op(A)(i,p) * B[p, j0..j1); A is (m,k) for AB and (k,m) for AtB. */
    private static void streamRows(GemmForm form, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                                   int m, int n, int k, boolean accumulate, int j0, int j1) {
        if (!accumulate) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, cOff + i * n + j0, cOff + i * n + j1, 0f);
            }
        }
        int vectorEnd = j0 + S.loopBound(j1 - j0);
        for (int p = 0; p < k; p++) {
            int bRow = bOff + p * n;
            for (int i = 0; i < m; i++) {
                float av = form == GemmForm.AtB ? a[aOff + p * m + i] : a[aOff + i * k + p];
                FloatVector va = FloatVector.broadcast(S, av);
                int cRow = cOff + i * n;
                int j = j0;
                for (; j < vectorEnd; j += L) {
                    FloatVector.fromArray(S, b, bRow + j).fma(va, FloatVector.fromArray(S, c, cRow + j))
                            .intoArray(c, cRow + j);
                }
                for (; j < j1; j++) {
                    c[cRow + j] += av * b[bRow + j];
                }
            }
        }
    }

    /**
     * C[i, j] (+)= A[i,:] · B[j,:] for j in [j0, j1). Four columns at a time: their four dot
     * products share the loads of A and run as four independent FMA chains (one chain waits on
     * the FMA latency at every step; decoding one token was bound by it). Each dot product is
     * summed in the same order either way.
     */
    private static void dotColumns(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                                   int m, int n, int k, boolean accumulate, int j0, int j1) {
        int j = j0;
        for (; j + 4 <= j1; j += 4) {
            int b0 = bOff + j * k;
            for (int i = 0; i < m; i++) {
                dotFour(c, cOff + i * n + j, a, aOff + i * k, b, b0, k, accumulate);
            }
        }
        for (; j < j1; j++) {
            for (int i = 0; i < m; i++) {
                int at = cOff + i * n + j;
                float sum = dot(a, aOff + i * k, b, bOff + j * k, k);
                c[at] = accumulate ? c[at] + sum : sum;
            }
        }
    }

    /** C[at .. at+4) (+)= A row · B rows b0, b0+k, b0+2k, b0+3k. */
    private static void dotFour(float[] c, int at, float[] a, int aRow, float[] b, int b0, int k, boolean accumulate) {
        int vectorEnd = S.loopBound(k);
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        FloatVector acc2 = FloatVector.zero(S);
        FloatVector acc3 = FloatVector.zero(S);
        int p = 0;
        for (; p < vectorEnd; p += L) {
            FloatVector av = FloatVector.fromArray(S, a, aRow + p);
            acc0 = av.fma(FloatVector.fromArray(S, b, b0 + p), acc0);
            acc1 = av.fma(FloatVector.fromArray(S, b, b0 + k + p), acc1);
            acc2 = av.fma(FloatVector.fromArray(S, b, b0 + 2 * k + p), acc2);
            acc3 = av.fma(FloatVector.fromArray(S, b, b0 + 3 * k + p), acc3);
        }
        float s0 = acc0.reduceLanes(VectorOperators.ADD);
        float s1 = acc1.reduceLanes(VectorOperators.ADD);
        float s2 = acc2.reduceLanes(VectorOperators.ADD);
        float s3 = acc3.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            float av = a[aRow + p];
            s0 += av * b[b0 + p];
            s1 += av * b[b0 + k + p];
            s2 += av * b[b0 + 2 * k + p];
            s3 += av * b[b0 + 3 * k + p];
        }
        c[at] = accumulate ? c[at] + s0 : s0;
        c[at + 1] = accumulate ? c[at + 1] + s1 : s1;
        c[at + 2] = accumulate ? c[at + 2] + s2 : s2;
        c[at + 3] = accumulate ? c[at + 3] + s3 : s3;
    }

    /** A row · B row: the same order of operations as one column of {@link #dotFour}. */
    private static float dot(float[] a, int aRow, float[] b, int bRow, int k) {
        int vectorEnd = S.loopBound(k);
        FloatVector acc = FloatVector.zero(S);
        int p = 0;
        for (; p < vectorEnd; p += L) {
            acc = FloatVector.fromArray(S, a, aRow + p).fma(FloatVector.fromArray(S, b, bRow + p), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            sum += a[aRow + p] * b[bRow + p];
        }
        return sum;
    }
}
