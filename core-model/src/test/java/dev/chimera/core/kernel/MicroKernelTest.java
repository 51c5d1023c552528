package dev.chimera.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GEMM micro-kernels on their own, every shape on whatever machine runs the tests: which shape
 * each vector width gets, and the tile each one computes from packed panels, against sums written
 * out by hand. Panels hold small integers (|products| <= 12, 256 of them at most), so every product
 * and partial sum is exact in float32 and the comparison is exact.
 */
class MicroKernelTest {
    private static final int LANES = Simd.FLOAT.length();

    @Test
    void vectorWidthChoosesTheShape() {
        assertEquals(8, MicroKernel.forLanes(16).rows(), "AVX-512: 8 rows x 2 vectors");
        assertEquals(12, MicroKernel.forLanes(8).rows(), "AVX2: 12 rows x 1 vector");
        assertEquals(12, MicroKernel.forLanes(4).rows(), "16 registers or fewer: 12 rows x 1 vector");
        assertEquals(2 * LANES, MicroKernel.ofRows(8).columns());
        assertEquals(LANES, MicroKernel.ofRows(12).columns());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MicroKernel.ofRows(6));
        assertTrue(e.getMessage().contains("must be 8 or 12, got 6"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} rows")
    @ValueSource(ints = {8, 12})
    void blockingFitsTheTile(int rows) {
        MicroKernel kernel = MicroKernel.ofRows(rows);
        assertEquals(0, kernel.rowBlock() % kernel.rows(), "MC must be whole row panels");
        assertTrue(kernel.depthBlock() > 0);
    }

    /** A(r, p), a small integer that depends on both indices. */
    private static int a(int r, int p) {
        return (r + p) % 5 - 2;
    }

    /** B(p, j). */
    private static int b(int p, int j) {
        return (j + 2 * p) % 7 - 3;
    }

    /** C(r, j) = sum_p A(r, p) B(p, j). */
    private static double expected(int r, int j, int kc) {
        double sum = 0;
        for (int p = 0; p < kc; p++) {
            sum += a(r, p) * b(p, j);
        }
        return sum;
    }

    @ParameterizedTest(name = "{0} rows")
    @ValueSource(ints = {8, 12})
    void tileEqualsTheSumsOfProducts(int rows) {
        MicroKernel kernel = MicroKernel.ofRows(rows);
        int mr = kernel.rows();
        int nr = kernel.columns();
        for (int kc : new int[] {1, 7, 256}) {
            // Panels at odd offsets inside larger arrays, C with a row stride wider than the tile.
            int aAt = 5;
            int bAt = 3;
            int cAt = 11;
            int ldc = nr + 9;
            float[] pa = new float[aAt + mr * kc + 4];
            float[] pb = new float[bAt + nr * kc + 4];
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < mr; r++) {
                    pa[aAt + p * mr + r] = a(r, p);
                }
                for (int j = 0; j < nr; j++) {
                    pb[bAt + p * nr + j] = b(p, j);
                }
            }
            float[] c = new float[cAt + mr * ldc];
            Arrays.fill(c, 1000f);
            kernel.multiply(pa, aAt, pb, bAt, kc, c, cAt, ldc);
            for (int r = 0; r < mr; r++) {
                for (int j = 0; j < nr; j++) {
                    assertEquals(expected(r, j, kc), c[cAt + r * ldc + j], 0.0,
                            "multiply, " + rows + " rows, kc=" + kc + ", C(" + r + ", " + j + ")");
                }
                for (int j = nr; j < ldc && cAt + r * ldc + j < c.length; j++) {
                    assertEquals(1000f, c[cAt + r * ldc + j], 0.0, "column " + j + " is outside the tile");
                }
            }
            kernel.multiplyAdd(pa, aAt, pb, bAt, kc, c, cAt, ldc);
            for (int r = 0; r < mr; r++) {
                for (int j = 0; j < nr; j++) {
                    assertEquals(2 * expected(r, j, kc), c[cAt + r * ldc + j], 0.0,
                            "multiplyAdd, " + rows + " rows, kc=" + kc + ", C(" + r + ", " + j + ")");
                }
            }
        }
    }

    /** The packing helpers put rows() values per step, in the layout the kernel reads. */
    @ParameterizedTest(name = "{0} rows")
    @ValueSource(ints = {8, 12})
    void packedPanelsHaveTheKernelsLayout(int rows) {
        MicroKernel kernel = MicroKernel.ofRows(rows);
        int mr = kernel.rows();
        int count = 5;
        int ld = 17;
        float[] src = new float[(mr + 2) * ld];
        for (int i = 0; i < src.length; i++) {
            src[i] = i;
        }
        float[] byRows = new float[2 + mr * count];
        kernel.packRowPanel(byRows, 2, src, 3, ld, count);
        float[] byColumns = new float[2 + mr * count];
        kernel.packColumnPanel(byColumns, 2, src, 3, ld, count);
        for (int p = 0; p < count; p++) {
            for (int r = 0; r < mr; r++) {
                assertEquals(src[3 + r * ld + p], byRows[2 + p * mr + r], 0.0, "row panel p=" + p + " r=" + r);
                assertEquals(src[3 + p * ld + r], byColumns[2 + p * mr + r], 0.0, "column panel p=" + p + " r=" + r);
            }
        }
    }
}
