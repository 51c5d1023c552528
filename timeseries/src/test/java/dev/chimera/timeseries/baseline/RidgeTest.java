package dev.chimera.timeseries.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.timeseries.data.Split;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RidgeTest {

    private static ComputePool pool;

    @BeforeAll
    static void start() {
        pool = new ComputePool(2);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    /** Channels whose differences follow AR(2): d[t] = 0.4 d[t-1] + 0.2 d[t-2] + noise. */
    private static double[][] ar2Differences(long seed, int channels, int length, double noise) {
        Random r = new Random(seed);
        double[][] y = new double[channels][length];
        for (double[] ch : y) {
            double d1 = 0;
            double d2 = 0;
            for (int t = 1; t < length; t++) {
                double d = 0.4 * d1 + 0.2 * d2 + noise * r.nextGaussian();
                ch[t] = ch[t - 1] + d;
                d2 = d1;
                d1 = d;
            }
        }
        return y;
    }

    /** The explicit regression rows of windows [first, last] of every channel. */
    private static double[][][] design(double[][] y, int lookback, int horizon, int first, int last) {
        List<double[]> xs = new ArrayList<>();
        List<double[]> ts = new ArrayList<>();
        for (double[] ch : y) {
            for (int o = first; o <= last; o++) {
                boolean nan = false;
                for (int t = o - lookback; t < o + horizon; t++) {
                    nan |= Double.isNaN(ch[t]);
                }
                if (nan) {
                    continue;
                }
                double c = ch[o - 1];
                double[] x = new double[lookback];
                double[] t = new double[horizon];
                for (int j = 0; j < lookback; j++) {
                    x[j] = ch[o - lookback + j] - c;
                }
                for (int h = 0; h < horizon; h++) {
                    t[h] = ch[o + h] - c;
                }
                xs.add(x);
                ts.add(t);
            }
        }
        return new double[][][] {xs.toArray(new double[0][]), ts.toArray(new double[0][])};
    }

    /** (X^T X + lambda I)^-1 X^T Y by LU, with lambda = r trace(X^T X) / L. */
    private static double[][] reference(double[][] x, double[][] t, double relative) {
        RealMatrix xm = new Array2DRowRealMatrix(x);
        RealMatrix xtx = xm.transpose().multiply(xm);
        double lambda = relative * xtx.getTrace() / xtx.getRowDimension();
        for (int i = 0; i < xtx.getRowDimension(); i++) {
            xtx.addToEntry(i, i, lambda);
        }
        return new LUDecomposition(xtx).getSolver().solve(xm.transpose().multiply(new Array2DRowRealMatrix(t)))
                .getData();
    }

    @Test
    void windowGramEqualsTheExplicitDesign() {
        double[][] y = ar2Differences(1, 2, 80, 1);
        y[1][37] = Double.NaN;  // splits channel 1's origins into two runs
        WindowGram g = new WindowGram(5, 3);
        for (double[] ch : y) {
            g.add(ch, 5, 70);
        }
        double[][][] d = design(y, 5, 3, 5, 70);
        RealMatrix x = new Array2DRowRealMatrix(d[0]);
        RealMatrix t = new Array2DRowRealMatrix(d[1]);
        assertEquals(d[0].length, g.rows());
        assertEquals(66 + 66 - 8, g.rows());  // the NaN row lies in 5 + 3 windows
        double[][] xtx = x.transpose().multiply(x).getData();
        double[][] xty = x.transpose().multiply(t).getData();
        // sums of ~100 products of values ~10 computed two ways: agree to ~1e-12 relative
        double tol = 1e-9;
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(xtx[i], g.xtx()[i], tol);
            assertArrayEquals(xty[i], g.xty(3)[i], tol);
        }
        for (int h = 0; h < 3; h++) {
            assertEquals(t.getColumnVector(h).dotProduct(t.getColumnVector(h)), g.yy()[h], tol);
        }
    }

    @Test
    void equalsTheNormalEquationsSolvedDirectly() {
        double[][] y = ar2Differences(2, 3, 120, 1);
        Split split = new Split(60, 90, 120);
        Ridge ridge = Ridge.withFixedLambda(pool, 0.05);
        ridge.fit(y, split, 6, new int[] {2, 3});
        // train + validation windows of the longest horizon: origins 6 .. 90 - 3
        double[][][] d = design(y, 6, 3, 6, 87);
        double[][] w = reference(d[0], d[1], 0.05);
        RidgeWeights w3 = ridge.weights(3);
        RidgeWeights w2 = ridge.weights(2);
        assertEquals(w3.lambda(), w2.lambda(), 0);
        for (int j = 0; j < 6; j++) {
            for (int h = 0; h < 3; h++) {
                // Cholesky vs LU of a well-conditioned 6x6 system
                assertEquals(w[j][h], w3.weight(j, h), 1e-10 + 1e-9 * Math.abs(w[j][h]), "w[" + j + "][" + h + "]");
                if (h < 2) {
                    assertEquals(w3.weight(j, h), w2.weight(j, h), 0, "the 2-step model is the first two columns");
                }
            }
        }
        assertEquals(0, w3.weight(5, 0), 0, "x_{L-1} is always 0: its weight is exactly 0");
    }

    @Test
    void recoversAKnownLinearMap() {
        // d[t] = 0.4 d[t-1] + 0.2 d[t-2]: with x_j = y[o-L+j] - y[o-1], d[t-1] = -x_{L-2},
        // d[t-2] = x_{L-2} - x_{L-3}, so y[o] - y[o-1] = -0.2 x_{L-2} - 0.2 x_{L-3}, and two steps ahead
        // y[o+1] - y[o-1] = -0.48 x_{L-2} - 0.28 x_{L-3}.
        double[][] y = ar2Differences(3, 4, 6000, 1);
        Ridge ridge = Ridge.withFixedLambda(pool, 1e-8);
        ridge.fit(y, new Split(4000, 5000, 6000), 8, new int[] {2});
        RidgeWeights w = ridge.weights(2);
        double[] step1 = new double[8];
        double[] step2 = new double[8];
        for (int j = 0; j < 8; j++) {
            step1[j] = w.weight(j, 0);
            step2[j] = w.weight(j, 1);
        }
        // ~20,000 rows with unit noise: standard errors ~0.01
        assertArrayEquals(new double[] {0, 0, 0, 0, 0, -0.2, -0.2, 0}, step1, 0.04);
        assertArrayEquals(new double[] {0, 0, 0, 0, 0, -0.28, -0.48, 0}, step2, 0.06);
    }

    @Test
    void lambdaIsTheValidationMinimum() {
        // few windows, long lookback, much noise: regularisation pays, so the minimum is inside the grid
        double[][] y = ar2Differences(4, 2, 260, 1);
        Split split = new Split(120, 200, 260);
        int lookback = 30;
        int[] horizons = {2, 4};
        double[] grid = {1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100};
        Ridge ridge = new Ridge(pool, grid);
        ridge.fit(y, split, lookback, horizons);
        RidgeValidation v = ridge.validation();
        double[][][] train = design(y, lookback, 4, lookback, 120 - 4);
        double[][][] val = design(y, lookback, 4, 120, 200 - 4);
        int best = 0;
        double[] mean = new double[grid.length];
        for (int g = 0; g < grid.length; g++) {
            double[][] w = reference(train[0], train[1], grid[g]);
            for (int k = 0; k < horizons.length; k++) {
                double sse = 0;
                for (int row = 0; row < val[0].length; row++) {
                    for (int h = 0; h < horizons[k]; h++) {
                        double f = 0;
                        for (int j = 0; j < lookback; j++) {
                            f += val[0][row][j] * w[j][h];
                        }
                        double e = val[1][row][h] - f;
                        sse += e * e;
                    }
                }
                double mse = sse / ((double) val[0].length * horizons[k]);
                // eigenbasis sums against explicit predictions: ~1e-12 relative
                assertEquals(mse, v.mse()[g][k], 1e-9 * mse, "validation MSE at grid " + g + ", horizon " + horizons[k]);
                mean[g] += mse / horizons.length;
            }
            if (mean[g] < mean[best]) {
                best = g;
            }
        }
        assertEquals(best, v.chosen());
        assertTrue(best > 0 && best < grid.length - 1, "this problem's minimum lies inside the grid, at " + best);
        assertEquals(grid[best], ridge.weights(4).relativeLambda(), 0);
        assertEquals(train[0].length, v.trainRows());
        assertEquals(val[0].length, v.validationRows());
    }

    @Test
    void shiftAndScaleEquivariant() {
        double[][] y = ar2Differences(5, 2, 400, 1);
        Ridge ridge = Ridge.withFixedLambda(pool, 1e-2);
        ridge.fit(y, new Split(200, 300, 400), 16, new int[] {5});
        double a = -3.5;
        double b = 42;
        double[][] moved = new double[2][400];
        for (int c = 0; c < 2; c++) {
            for (int t = 0; t < 400; t++) {
                moved[c][t] = a * y[c][t] + b;
            }
        }
        double[] f = new double[5];
        double[] g = new double[5];
        for (int o = 300; o <= 395; o += 19) {
            ridge.forecast(y, 1, o, 5, f);
            ridge.forecast(moved, 1, o, 5, g);
            for (int h = 0; h < 5; h++) {
                // a few roundings of values ~40
                assertEquals(a * f[h] + b, g[h], 1e-11 * (1 + Math.abs(g[h])));
            }
        }
    }

    @Test
    void blockForecastsMatchSingleOnesToFloatRounding() {
        double[][] y = ar2Differences(6, 2, 400, 1);
        Ridge ridge = Ridge.withFixedLambda(pool, 1e-2);
        ridge.fit(y, new Split(200, 300, 400), 16, new int[] {5, 7});
        double[][] block = new double[9][7];
        ridge.forecastBlock(y, 0, 310, 9, 7, block);
        double[] single = new double[7];
        for (int i = 0; i < 9; i++) {
            ridge.forecast(y, 0, 310 + i, 7, single);
            for (int h = 0; h < 7; h++) {
                // float32 GEMM over 16 terms of size ~10
                assertEquals(single[h], block[i][h], 1e-4 * (1 + Math.abs(single[h])));
            }
        }
    }

    @Test
    void saveAndLoadKeepTheWeightsToFloatPrecision(@TempDir Path dir) throws Exception {
        double[][] y = ar2Differences(7, 1, 300, 1);
        Ridge ridge = Ridge.withFixedLambda(pool, 0.3);
        ridge.fit(y, new Split(150, 230, 300), 12, new int[] {4});
        RidgeWeights w = ridge.weights(4);
        Path file = dir.resolve("ridge-4.safetensors");
        w.save(file);
        RidgeWeights back = RidgeWeights.load(file);
        assertEquals(12, back.lookback());
        assertEquals(4, back.horizon());
        assertEquals(w.lambda(), back.lambda(), 0);
        assertEquals(0.3, back.relativeLambda(), 0);
        for (int i = 0; i < w.weights().length; i++) {
            assertEquals((float) w.weights()[i], back.weights()[i], 0);
        }
        assertThrows(java.io.IOException.class, () -> RidgeWeights.load(dir.resolve("missing")));
    }

    @Test
    void refusesSplitsWithoutWindows() {
        double[][] y = ar2Differences(8, 1, 100, 1);
        Ridge ridge = new Ridge(pool);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ridge.fit(y, new Split(50, 60, 100), 10, new int[] {20}));
        assertTrue(e.getMessage().contains("validation part"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ridge.fit(y, new Split(50, 80, 100), 40, new int[] {20}));
        assertThrows(IllegalStateException.class, () -> ridge.weights(20));
    }
}
