package dev.chimera.core.eval.fourier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.heads.Bins;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The three generators against their definitions (support and moments), and each true pmf against its generator. */
class ToyDatasetTest {
    private static final int N = 40_000;
    private static final double VAR = 0.01;
    private static final Bins BINS = new Bins(50);

    @Test
    void gaussianHasTheStatedSupportAndMoments() {
        ToyDataset.Samples s = ToyDataset.GAUSSIAN.generate(N, VAR, 7);
        assertSupport(s.x(), -0.8, 0.8);
        double[] dy = new double[N];
        double[] dz = new double[N];
        for (int i = 0; i < N; i++) {
            dy[i] = s.y()[i] - s.x()[i];
            dz[i] = s.z()[i] - s.y()[i];
        }
        // Standard errors: mean 0.1/sqrt(N) = 5e-4, variance 0.01*sqrt(2/N) = 7e-5; bounds are ~5 of them.
        assertEquals(0, mean(dy), 0.0025);
        assertEquals(0, mean(dz), 0.0025);
        assertEquals(VAR, variance(dy), 4e-4);
        assertEquals(VAR, variance(dz), 4e-4);
        assertEquals(0, covariance(dy, dz), 4e-4, "the two noises are independent");
        assertEquals(0, mean(s.x()), 0.02, "x is centred");
        assertEquals(0.64 / 3, variance(s.x()), 0.006, "U(-0.8, 0.8) has variance 0.8^2/3");
    }

    @Test
    void gmm2HasTheStatedSupportAndMoments() {
        ToyDataset.Samples s = ToyDataset.GMM2.generate(N, VAR, 8);
        assertSupport(s.x(), -0.8, 0.8);
        assertSupport(s.y(), -0.8, 0.8);
        double[] product = new double[N];
        int nearerX = 0;
        int near = 0;
        for (int i = 0; i < N; i++) {
            double ex = s.z()[i] - s.x()[i];
            double ey = s.z()[i] - s.y()[i];
            // z = c + e with c the chosen mean: E[(z - x)(z - y)] = E[e^2] + E[e (c - other)] = s^2.
            product[i] = ex * ey;
            nearerX += Math.abs(ex) < Math.abs(ey) ? 1 : 0;
            near += Math.min(Math.abs(ex), Math.abs(ey)) < 0.2 ? 1 : 0;
        }
        // sd of the product ~0.065, so its mean has standard error ~3e-4.
        assertEquals(VAR, mean(product), 0.0015);
        assertEquals(0.5, nearerX / (double) N, 0.015, "both components are equally likely");
        assertTrue(near / (double) N > 0.95, "z lies within 2 sd of one of the means: " + near / (double) N);
        assertEquals(0.64 / 3, variance(s.y()), 0.006, "y is uniform, not normal, in gmm2");
    }

    @Test
    void betaHasTheStatedSupportAndMoments() {
        ToyDataset.Samples s = ToyDataset.BETA.generate(N, VAR, 9);
        assertSupport(s.x(), -0.8, 0.8);
        int positive = 0;
        double[] meanGap = new double[N];
        double[] varGap = new double[N];
        for (int i = 0; i < N; i++) {
            double z = s.z()[i];
            assertTrue(z >= -1 && z <= 1, "beta z out of [-1, 1]: " + z);
            positive += z > 0 ? 1 : 0;
            double a = 100 * Math.abs(s.x()[i]);
            double b = 100 * Math.abs(s.y()[i]);
            double m = a / (a + b);
            meanGap[i] = Math.abs(z) - m;
            varGap[i] = (Math.abs(z) - m) * (Math.abs(z) - m) - a * b / ((a + b) * (a + b) * (a + b + 1));
        }
        assertEquals(0.5, positive / (double) N, 0.015, "the sign is a fair coin");
        assertEquals(0, mean(meanGap), 0.004, "|z| has mean a / (a + b)");
        assertEquals(0, mean(varGap), 0.003, "|z| has variance ab / ((a+b)^2 (a+b+1))");
    }

    @Test
    void theTruePmfIsTheGeneratorsBinnedDistribution() {
        double[][] cases = {{0.1, 0.3}, {-0.5, 0.2}, {0.3, 0.5}};
        for (ToyDataset d : ToyDataset.values()) {
            for (double[] c : cases) {
                double[] pmf = new double[50];
                d.truePmf(pmf, BINS, c[0], c[1], VAR);
                assertEquals(1, Arrays.stream(pmf).sum(), 1e-12, d + " sums to 1");
                double[] hist = new double[50];
                SplittableRandom r = new SplittableRandom(11);
                int draws = 200_000;
                for (int i = 0; i < draws; i++) {
                    hist[ToyData.bin(BINS, d.sampleZ(r, c[0], c[1], VAR))] += 1.0 / draws;
                }
                double tv = 0;
                for (int m = 0; m < 50; m++) {
                    tv += 0.5 * Math.abs(hist[m] - pmf[m]);
                }
                // Sampling noise ~0.006 and the pdf-at-centres vs bin-mass discretisation ~0.005; a wrong mean,
                // spread or mirror costs > 0.1.
                assertTrue(tv < 0.025, d + " at " + Arrays.toString(c) + ": total variation " + tv);
            }
        }
    }

    @Test
    void truePmfShapes() {
        double[] g = new double[50];
        ToyDataset.GAUSSIAN.truePmf(g, BINS, -0.7, 0.31, VAR);
        assertEquals(BINS.index(0.31), argmax(g), "the gaussian peaks at y, not x");
        double[] mix = new double[50];
        ToyDataset.GMM2.truePmf(mix, BINS, -0.5, 0.5, VAR);
        assertEquals(mix[BINS.index(-0.5)], mix[BINS.index(0.5)], 1e-12, "equal weights at both means");
        double[] beta = new double[50];
        ToyDataset.BETA.truePmf(beta, BINS, 0.3, 0.5, VAR);
        for (int m = 0; m < 25; m++) {
            assertEquals(beta[49 - m], beta[m], 0, "mirrored about 0");
        }
        assertEquals(BINS.index(30.0 / 80), argmax(Arrays.copyOfRange(beta, 25, 50)) + 25, 1,
                "Beta(30, 50) peaks near its mean 0.375");
        double[] extreme = new double[50];
        ToyDataset.BETA.truePmf(extreme, BINS, 0.8, 0.79, VAR);
        assertTrue(Arrays.stream(extreme).allMatch(Double::isFinite), "Beta(80, 79) must not underflow to 0/0");
    }

    @Test
    void seedsReproduceAndDiffer() {
        ToyDataset.Samples a = ToyDataset.BETA.generate(100, VAR, 3);
        ToyDataset.Samples b = ToyDataset.BETA.generate(100, VAR, 3);
        ToyDataset.Samples c = ToyDataset.BETA.generate(100, VAR, 4);
        assertArrayEquals(a.z(), b.z());
        assertFalse(Arrays.equals(a.z(), c.z()));
    }

    @Test
    void badInputsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ToyDataset.parse("gmm3"));
        assertTrue(e.getMessage().contains("gmm3") && e.getMessage().contains("gaussian, gmm2, beta"), e.getMessage());
        assertEquals(ToyDataset.GMM2, ToyDataset.parse(" GMM2 "));
        assertThrows(IllegalArgumentException.class, () -> ToyDataset.GAUSSIAN.generate(0, VAR, 1));
        assertThrows(IllegalArgumentException.class, () -> ToyDataset.GAUSSIAN.generate(10, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> ToyDataset.BETA.truePmf(new double[51], new Bins(51), 0.3,
                0.3, VAR));
    }

    private static void assertSupport(double[] v, double lo, double hi) {
        for (double x : v) {
            assertTrue(x >= lo && x < hi, x + " outside [" + lo + ", " + hi + ")");
        }
        assertTrue(Arrays.stream(v).min().getAsDouble() < lo + 0.01 && Arrays.stream(v).max().getAsDouble() > hi - 0.01,
                "the whole range is covered");
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            best = p[i] > p[best] ? i : best;
        }
        return best;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).sum() / v.length;
    }

    private static double variance(double[] v) {
        return covariance(v, v);
    }

    private static double covariance(double[] a, double[] b) {
        double ma = mean(a);
        double mb = mean(b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - ma) * (b[i] - mb);
        }
        return s / (a.length - 1);
    }
}
