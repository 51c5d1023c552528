package dev.chimera.core.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Forward pass, fused cross-entropy, regulariser value and argument checks of {@link FourierDensity}. */
class FourierDensityTest {
    private static final ComputePool POOL = new ComputePool(2);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    static double[] gaussian(long seed, int n, double scale) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller: standard normal values from the seeded generator.
            x[i] = scale * Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
        }
        return x;
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    @ParameterizedTest
    @CsvSource({"1, 2", "1, 8", "6, 50", "14, 8", "14, 50", "40, 33"})
    void probabilitiesAreNonNegativeAndSumToOneAtAnyScale(int n, int bins) {
        FourierDensity head = new FourierDensity(n, bins, POOL, true);
        int rows = 5;
        FourierActivations act = head.allocate(rows);
        for (double scale : new double[] {1, 1e-3, 1e3}) {
            double[] z = gaussian(11 * n + bins, rows * head.width(), scale);
            Tensor probs = Tensor.zeros(rows, bins);
            Tensor logits = Tensor.zeros(rows, bins);
            head.forward(probs, logits, Tensor.of(toFloat(z), rows, head.width()), act);
            double[] p = new double[rows * bins];
            double[] l = new double[rows * bins];
            head.forward(p, l, z, rows, act);
            for (int r = 0; r < rows; r++) {
                double sumF = 0;
                double sumD = 0;
                for (int m = 0; m < bins; m++) {
                    float pf = probs.get(r, m);
                    assertTrue(pf >= 0 && p[r * bins + m] >= 0, "p >= 0 at row " + r + " bin " + m + " scale " + scale);
                    assertTrue(Float.isFinite(logits.get(r, m)) && Double.isFinite(l[r * bins + m]));
                    sumF += pf;
                    sumD += p[r * bins + m];
                }
                // float32 rows: B roundings of values <= 1, each within 6e-8 relative.
                assertEquals(1, sumF, 1e-5, "float row sum, scale " + scale);
                // double rows: only rounding of the normalising division.
                assertEquals(1, sumD, 1e-13, "double row sum, scale " + scale);
            }
        }
    }

    @Test
    void scalingZDoesNotChangeTheDensity() {
        FourierDensity head = new FourierDensity(6, 50, POOL, true);
        FourierActivations act = head.allocate(3);
        double[] z = gaussian(5, 3 * head.width(), 1);
        double[] p = new double[150];
        double[] l = new double[150];
        head.forward(p, l, z, 3, act);
        for (double scale : new double[] {1e-3, 1e3}) {
            double[] zs = z.clone();
            for (int i = 0; i < zs.length; i++) {
                zs[i] *= scale;
            }
            double[] ps = new double[150];
            head.forward(ps, new double[150], zs, 3, act);
            for (int i = 0; i < p.length; i++) {
                // q depends on a only through a / |a|; what differs is rounding of c_0 and A_m.
                assertEquals(p[i], ps[i], 1e-15 + 1e-12 * p[i], "bin " + i + " at scale " + scale);
            }
        }
    }

    @Test
    void onlyA0GivesTheUniformDensity() {
        int n = 6;
        int bins = 50;
        FourierDensity head = new FourierDensity(n, bins, POOL, true);
        FourierActivations act = head.allocate(2);
        double[] z = new double[2 * head.width()];
        z[0] = 0.7;                       // row 0: a_0 real
        z[head.width() + n + 1] = -3e-4;  // row 1: a_0 imaginary
        double[] p = new double[2 * bins];
        double[] l = new double[2 * bins];
        head.forward(p, l, z, 2, act);
        for (int i = 0; i < p.length; i++) {
            // q = |a_0|^2 / (2|a_0|^2) = 1/2 exactly at every bin; only the division by S rounds.
            assertEquals(1.0 / bins, p[i], 1e-17, "bin " + i);
            assertEquals(Math.log(1.0 / bins + 1e-5), l[i], 1e-15, "logit " + i);
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 8", "6, 50", "14, 8", "14, 50", "30, 17"})
    void forwardMatchesTheReferenceSeries(int n, int bins) {
        FourierDensity head = new FourierDensity(n, bins, POOL, true);
        int rows = 4;
        FourierActivations act = head.allocate(rows);
        double[] z = gaussian(3 * n + bins, rows * head.width(), 1);
        double[] p = new double[rows * bins];
        double[] l = new double[rows * bins];
        head.forward(p, l, z, rows, act);
        Tensor probs = Tensor.zeros(rows, bins);
        Tensor logits = Tensor.zeros(rows, bins);
        head.forward(probs, logits, Tensor.of(toFloat(z), rows, head.width()), act);
        for (int r = 0; r < rows; r++) {
            double[] ref = ReferenceFourier.probabilities(z, r * head.width(), n, bins);
            double[] refLogits = ReferenceFourier.logits(ref);
            for (int m = 0; m < bins; m++) {
                // double: the two forms differ only by rounding, ~N * 1e-16 relative to the largest q.
                assertEquals(ref[m], p[r * bins + m], 1e-14 + 1e-10 * ref[m], "p row " + r + " bin " + m);
                assertEquals(refLogits[m], l[r * bins + m], 1e-9, "logit row " + r + " bin " + m);
                // float32 z and outputs: ~1e-7 relative rounding of z, amplified at most by the condition of p.
                assertEquals(ref[m], probs.get(r, m), 1e-6 + 1e-4 * ref[m], "float p row " + r + " bin " + m);
            }
        }
    }

    /** The inference path writes forward's probabilities, bit for bit, with the vector or the scalar loops. */
    @ParameterizedTest
    @CsvSource({"1, 2", "6, 50", "24, 128", "24, 131"})
    void probabilitiesAreForwardsProbabilitiesBitForBit(int n, int bins) {
        int rows = 7;
        FourierDensity vector = new FourierDensity(n, bins, POOL, true);
        FourierDensity scalar = new FourierDensity(n, bins, POOL, false);
        Tensor z = Tensor.of(toFloat(gaussian(5 * n + bins, rows * vector.width(), 1)), rows, vector.width());
        Tensor expected = Tensor.zeros(rows, bins);
        vector.forward(expected, Tensor.zeros(rows, bins), z, vector.allocate(rows));
        for (FourierDensity head : List.of(vector, scalar)) {
            Tensor probs = Tensor.zeros(rows, bins);
            head.probabilities(probs, z, head.allocate(rows));
            assertArrayEquals(expected.toArray(), probs.toArray());
        }
    }

    @Test
    void crossEntropyIsLogSoftmaxOfTheLogits() {
        int n = 14;
        int bins = 50;
        FourierDensity head = new FourierDensity(n, bins, POOL, true);
        int rows = 4;
        FourierActivations act = head.allocate(rows);
        double[] z = gaussian(77, rows * head.width(), 1);
        int[] targets = {3, -1, 49, 0};
        double[] losses = new double[rows];
        head.crossEntropy(losses, z, targets, rows, act);
        Tensor lossesF = Tensor.zeros(rows);
        head.crossEntropy(lossesF, Tensor.of(toFloat(z), rows, head.width()), targets, act);
        for (int r = 0; r < rows; r++) {
            double expected = targets[r] < 0 ? 0 : ReferenceFourier.crossEntropy(
                    ReferenceFourier.logits(ReferenceFourier.probabilities(z, r * head.width(), n, bins)), targets[r]);
            // double: log-sum-exp over 50 logits of size ~10, rounding ~1e-14.
            assertEquals(expected, losses[r], 1e-11, "row " + r);
            // float32 z and loss: relative rounding of p_t through log, a few 1e-7.
            assertEquals(expected, lossesF.get(r), 1e-5 + 1e-5 * expected, "float row " + r);
        }
    }

    @Test
    void regularizerMatchesTheReferenceWithUnnormalisedCoefficients() {
        int n = 6;
        FourierDensity head = new FourierDensity(n, 8, POOL, true);
        int rows = 3;
        FourierActivations act = head.allocate(rows);
        double[] z = gaussian(8, rows * head.width(), 2);
        head.forward(new double[rows * 8], new double[rows * 8], z, rows, act);
        double gamma = 1e-6;
        double expected = ReferenceFourier.regularizer(z, rows, n, gamma);
        // a sum of ~N^2 products of size ~|z|^4 k^2; rounding ~1e-15 relative.
        assertEquals(expected, head.regularizer(gamma, act), 1e-12 * expected);
        double fromBackward = head.backward(new double[rows * head.width()], new double[rows * 8], gamma, act);
        assertEquals(expected, fromBackward, 1e-12 * expected);
        assertEquals(0, head.backward(new double[rows * head.width()], new double[rows * 8], 0, act));
    }

    @Test
    void badInputIsRefusedWithShapesValuesAndRows() {
        assertMessage(() -> new FourierDensity(0, 8, POOL, true), "frequencies N must be >= 1, got 0");
        assertMessage(() -> new FourierDensity(3, 1, POOL, true), "bins B must be >= 2, got 1");
        FourierDensity head = new FourierDensity(3, 8, POOL, true);
        FourierActivations act = head.allocate(2);
        IllegalStateException early = assertThrows(IllegalStateException.class,
                () -> head.backward(new double[16], new double[16], 0, act));
        assertTrue(early.getMessage().contains("before a successful forward"), early.getMessage());
        assertMessage(() -> head.forward(Tensor.zeros(2, 8), Tensor.zeros(2, 8), Tensor.zeros(2, 7), act),
                "z must be (rows, 8), got (2, 7)");
        assertMessage(() -> head.forward(Tensor.zeros(2, 9), Tensor.zeros(2, 8), Tensor.zeros(2, 8), act),
                "probs must be (rows, 8), got (2, 9)");
        assertMessage(() -> head.probabilities(Tensor.zeros(2, 9), Tensor.zeros(2, 8), act),
                "probs must be (rows, 8), got (2, 9)");
        assertMessage(() -> head.forward(new double[24], new double[24], new double[24], 3, act),
                "3 rows, but the activations hold 1..2");
        double[] z = gaussian(1, 16, 1);
        assertMessage(() -> head.crossEntropy(new double[2], z, new int[] {2, 8}, 2, act),
                "target 8 at row 1 is outside [0, 8)");
        assertMessage(() -> head.crossEntropy(new double[2], z, new int[] {-2, 0}, 2, act),
                "target -2 at row 0 is outside [0, 8)");
        assertMessage(() -> head.crossEntropy(new double[2], z, new int[] {1}, 2, act), "1 targets for 2 rows");
        double[] zeroRow = z.clone();
        Arrays.fill(zeroRow, 8, 16, 0);
        assertMessage(() -> head.crossEntropy(new double[2], zeroRow, new int[] {1, 1}, 2, act),
                "row 1 of z is all zeros");
        double[] nan = z.clone();
        nan[11] = Double.NaN;
        assertMessage(() -> head.crossEntropy(new double[2], nan, new int[] {1, 1}, 2, act), "z[1, 3] = NaN");
        head.crossEntropy(new double[2], z, new int[] {1, 1}, 2, act);
        assertMessage(() -> head.crossEntropyBackward(new double[16], new double[2], new int[] {1, 1}, -1, act),
                "gamma must be finite and >= 0, got -1.0");
        assertMessage(() -> head.crossEntropyBackward(Tensor.zeros(2, 8), Tensor.zeros(3), new int[] {1, 1}, 0, act),
                "dlosses must be (2), got (3)");
        assertMessage(() -> head.backward(new double[15], new double[16], 0, act), "dz must be (2, 8) = 16 values, got 15");
        FourierActivations other = new FourierDensity(3, 8, POOL, true).allocate(2);
        assertMessage(() -> head.regularizer(0, other), "allocated by another head");
    }

    static void assertMessage(Runnable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(fragment), () -> "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
}
