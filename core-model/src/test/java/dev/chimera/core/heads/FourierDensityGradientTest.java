package dev.chimera.core.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link FourierDensity}'s backward passes against central finite differences of the independent
 * {@link ReferenceFourier} loss, all in double: the fused cross-entropy path and the general
 * dlogits path, each with and without the regulariser, and the regulariser alone.
 */
class FourierDensityGradientTest {
    private static final ComputePool POOL = new ComputePool(2);
    private static final int ROWS = 3;
    /** Large enough that R is of the order of the cross-entropy for N up to 14 with z ~ N(0, 1). */
    private static final double GAMMA = 1e-4;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @ParameterizedTest
    @CsvSource({"1, 8", "1, 50", "6, 8", "6, 50", "14, 8", "14, 50"})
    void crossEntropyBackwardMatchesFiniteDifferences(int n, int bins) {
        FourierDensity head = new FourierDensity(n, bins, POOL, true);
        FourierActivations act = head.allocate(ROWS);
        double[] z = FourierDensityTest.gaussian(100 * n + bins, ROWS * head.width(), 1);
        int[] targets = {likelyBin(z, 0, n, bins), -1, likelyBin(z, 2, n, bins)};
        double[] dlosses = {0.7, 1.3, -0.4};
        for (double gamma : new double[] {0, GAMMA}) {
            head.crossEntropy(new double[ROWS], z, targets, ROWS, act);
            double[] dz = new double[z.length];
            double r = head.crossEntropyBackward(dz, dlosses, targets, gamma, act);
            assertEquals(ReferenceFourier.regularizer(z, ROWS, n, gamma), r, 1e-12 * r);
            ToDoubleFunction<double[]> loss = zz -> {
                double sum = ReferenceFourier.regularizer(zz, ROWS, n, gamma);
                for (int row = 0; row < ROWS; row++) {
                    if (targets[row] >= 0) {
                        double[] l = ReferenceFourier.logits(ReferenceFourier.probabilities(zz, row * head.width(), n, bins));
                        sum += dlosses[row] * ReferenceFourier.crossEntropy(l, targets[row]);
                    }
                }
                return sum;
            };
            assertGradient(loss, z, dz, "CE N=" + n + " B=" + bins + " gamma=" + gamma);
            for (int i = head.width(); i < 2 * head.width() && gamma == 0; i++) {
                assertEquals(0, dz[i], "ignored row gets no gradient without the regulariser");
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 8", "1, 50", "6, 8", "6, 50", "14, 8", "14, 50"})
    void dlogitsBackwardMatchesFiniteDifferences(int n, int bins) {
        FourierDensity head = new FourierDensity(n, bins, POOL, true);
        FourierActivations act = head.allocate(ROWS);
        double[] z = FourierDensityTest.gaussian(200 * n + bins, ROWS * head.width(), 1);
        double[] dlogits = FourierDensityTest.gaussian(7, ROWS * bins, 1);
        for (double gamma : new double[] {0, GAMMA}) {
            head.forward(new double[ROWS * bins], new double[ROWS * bins], z, ROWS, act);
            double[] dz = new double[z.length];
            head.backward(dz, dlogits, gamma, act);
            ToDoubleFunction<double[]> loss = zz -> {
                double sum = ReferenceFourier.regularizer(zz, ROWS, n, gamma);
                for (int row = 0; row < ROWS; row++) {
                    double[] l = ReferenceFourier.logits(ReferenceFourier.probabilities(zz, row * head.width(), n, bins));
                    for (int m = 0; m < bins; m++) {
                        sum += dlogits[row * bins + m] * l[m];
                    }
                }
                return sum;
            };
            assertGradient(loss, z, dz, "dlogits N=" + n + " B=" + bins + " gamma=" + gamma);
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 8", "6, 8", "14, 50"})
    void regularizerAloneMatchesFiniteDifferences(int n, int bins) {
        FourierDensity head = new FourierDensity(n, bins, POOL, true);
        FourierActivations act = head.allocate(ROWS);
        double[] z = FourierDensityTest.gaussian(300 * n + bins, ROWS * head.width(), 1);
        head.crossEntropy(new double[ROWS], z, new int[] {0, 1, 2}, ROWS, act);
        double[] dz = new double[z.length];
        head.crossEntropyBackward(dz, new double[ROWS], new int[] {0, 1, 2}, 1.0, act);
        assertGradient(zz -> ReferenceFourier.regularizer(zz, ROWS, n, 1.0), z, dz, "R alone N=" + n);
    }

    @Test
    void float32PathMatchesFloat64Path() {
        int n = 14;
        int bins = 50;
        FourierDensity head = new FourierDensity(n, bins, POOL, true);
        FourierActivations act = head.allocate(ROWS);
        double[] z = FourierDensityTest.gaussian(9, ROWS * head.width(), 1);
        float[] zf = FourierDensityTest.toFloat(z);
        double[] zRounded = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            zRounded[i] = zf[i];
        }
        int[] targets = {4, 20, -1};
        double[] dz = new double[z.length];
        head.crossEntropy(new double[ROWS], zRounded, targets, ROWS, act);
        head.crossEntropyBackward(dz, new double[] {1, 0.5, 1}, targets, GAMMA, act);
        Tensor dzF = Tensor.zeros(ROWS, head.width());
        head.crossEntropy(Tensor.zeros(ROWS), Tensor.of(zf, ROWS, head.width()), targets, act);
        head.crossEntropyBackward(dzF, Tensor.of(new float[] {1, 0.5f, 1}, ROWS), targets, GAMMA, act);
        double scale = maxAbs(dz);
        for (int i = 0; i < z.length; i++) {
            // same double computation on the same (float-rounded) z; only the float32 store of dz rounds.
            assertEquals(dz[i], dzF.at(i), 1e-7 * scale, "dz[" + i + "]");
        }
    }

    /** A target bin whose probability is at least half the uniform 1/B, so log p_t is smooth at FD step scale. */
    private static int likelyBin(double[] z, int row, int n, int bins) {
        double[] p = ReferenceFourier.probabilities(z, row * 2 * (n + 1), n, bins);
        SplittableRandom random = new SplittableRandom(row);
        while (true) {
            int m = random.nextInt(bins);
            if (p[m] >= 0.5 / bins) {
                return m;
            }
        }
    }

    /**
     * dz against central differences (f(z + h) - f(z - h)) / 2h with h = 1e-6: truncation ~h^2 f''' and
     * rounding ~1e-16 |f| / h, both near 1e-10, far below the 1e-4 relative bound. Tolerance
     * atol + rtol |fd| with rtol = 1e-4 (the required relative error) and atol = 1e-6 max|fd|, so
     * entries that cancel to ~0 are judged on the gradient's own scale.
     */
    private static void assertGradient(ToDoubleFunction<double[]> loss, double[] z, double[] dz, String what) {
        double h = 1e-6;
        double[] fd = new double[z.length];
        double[] probe = z.clone();
        for (int i = 0; i < z.length; i++) {
            probe[i] = z[i] + h;
            double up = loss.applyAsDouble(probe);
            probe[i] = z[i] - h;
            double down = loss.applyAsDouble(probe);
            probe[i] = z[i];
            fd[i] = (up - down) / (2 * h);
        }
        double scale = maxAbs(fd);
        assertTrue(scale > 0, what + ": the loss must depend on z");
        double worst = 0;
        for (int i = 0; i < z.length; i++) {
            double err = Math.abs(dz[i] - fd[i]);
            assertTrue(err <= 1e-6 * scale + 1e-4 * Math.abs(fd[i]),
                    what + ": dz[" + i + "] = " + dz[i] + " vs finite difference " + fd[i]);
            worst = Math.max(worst, err / scale);
        }
        assertTrue(worst <= 1e-4, what + ": relative error " + worst);
    }

    private static double maxAbs(double[] x) {
        double max = 0;
        for (double v : x) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
