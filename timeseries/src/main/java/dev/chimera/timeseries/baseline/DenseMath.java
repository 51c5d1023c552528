package dev.chimera.timeseries.baseline;

import dev.chimera.core.kernel.ComputePool;

/**
 * The few dense double-precision products the ridge needs, split over a {@link ComputePool} by
 * output rows. Each output row is summed in the same order whatever the thread count, so results
 * are bit-identical at any number of threads. The inner loops are axpy over contiguous rows,
 * which the JIT vectorises.
 */
final class DenseMath {

    private DenseMath() {
    }

    /** a b. // a: (n, k), b: (k, m) -> (n, m) */
    static double[][] multiply(ComputePool pool, double[][] a, double[][] b) {
        int n = a.length;
        int k = b.length;
        int m = b[0].length;
        double[][] out = new double[n][m];
        pool.parallelFor(n, i -> {
            double[] ai = a[i];
            double[] oi = out[i];
            for (int p = 0; p < k; p++) {
                double v = ai[p];
                if (v == 0) {
                    continue;
                }
                double[] bp = b[p];
                for (int j = 0; j < m; j++) {
                    oi[j] += v * bp[j];
                }
            }
        });
        return out;
    }

    /** a^T b. // a: (k, n), b: (k, m) -> (n, m) */
    static double[][] transposeMultiply(ComputePool pool, double[][] a, double[][] b) {
        int k = a.length;
        int n = a[0].length;
        int m = b[0].length;
        double[][] out = new double[n][m];
        pool.parallelFor(n, i -> {
            double[] oi = out[i];
            for (int p = 0; p < k; p++) {
                double v = a[p][i];
                if (v == 0) {
                    continue;
                }
                double[] bp = b[p];
                for (int j = 0; j < m; j++) {
                    oi[j] += v * bp[j];
                }
            }
        });
        return out;
    }

    /** Mean of the diagonal, trace(a) / n. */
    static double meanDiagonal(double[][] a) {
        double t = 0;
        for (int i = 0; i < a.length; i++) {
            t += a[i][i];
        }
        return t / a.length;
    }
}
