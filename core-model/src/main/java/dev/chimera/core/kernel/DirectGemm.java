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

    /** C[i, j] (+)= A[i,:] · B[j,:] for j in [j0, j1). */
    private static void dotColumns(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                                   int m, int n, int k, boolean accumulate, int j0, int j1) {
        int vectorEnd = S.loopBound(k);
        for (int j = j0; j < j1; j++) {
            int bRow = bOff + j * k;
            for (int i = 0; i < m; i++) {
                int aRow = aOff + i * k;
                FloatVector acc = FloatVector.zero(S);
                int p = 0;
                for (; p < vectorEnd; p += L) {
                    acc = FloatVector.fromArray(S, a, aRow + p).fma(FloatVector.fromArray(S, b, bRow + p), acc);
                }
                float sum = acc.reduceLanes(VectorOperators.ADD);
                for (; p < k; p++) {
                    sum += a[aRow + p] * b[bRow + p];
                }
                int at = cOff + i * n + j;
                c[at] = accumulate ? c[at] + sum : sum;
            }
        }
    }
}
