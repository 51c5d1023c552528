package dev.chimera.core.heads;

import static dev.chimera.core.heads.FourierDensityTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The smoothness metric of {@link Smoothness} and its wrap-mode Gaussian filter. */
class SmoothnessTest {

    @Test
    void constantVectorHasMetricZero() {
        double[] c = new double[50];
        Arrays.fill(c, 0.02);
        // the filter reproduces a constant up to rounding of the normalised taps.
        assertEquals(0, Smoothness.metric(c), 1e-15);
    }

    @Test
    void oneHotIsRougherThanASmoothBump() {
        double[] oneHot = new double[50];
        oneHot[20] = 1;
        double[] bump = new double[50];
        Bins bins = new Bins(50);
        bins.discretize(bump, x -> Math.exp(-x * x / 0.5));
        assertTrue(Smoothness.metric(oneHot) > 5 * Smoothness.metric(bump));
    }

    /**
     * Values from the reference code itself: smoothness_metric.py's get_smoothness with
     * scipy 1.17.1 (gaussian_filter1d, mode="wrap", radius=len-1) in numpy float64.
     */
    @Test
    void matchesTheReferenceImplementation() {
        double[] oneHot8 = new double[8];
        oneHot8[2] = 1;
        double[] oneHot50 = new double[50];
        oneHot50[10] = 1;
        double[] bump8 = {0.04508959826226984, 0.09545468027028407, 0.1573781617494972, 0.20207755971794894,
            0.20207755971794894, 0.1573781617494972, 0.09545468027028407, 0.04508959826226984};
        double[] five = {0.1, 0.2, 0.3, 0.15, 0.25};
        // 100 weighted norms of O(1) values, summed in another order than numpy: ~1e-15 relative.
        assertEquals(0.7799871551912594, Smoothness.metric(oneHot8), 1e-13);
        assertEquals(0.775611592939664, Smoothness.metric(oneHot50), 1e-13);
        assertEquals(0.085975236048928, Smoothness.metric(bump8), 1e-13);
        assertEquals(0.14719067371409295, Smoothness.metric(five), 1e-13);
    }

    /** The folded filter against the taps applied one by one with explicit wrapping, for radii shorter and longer than B. */
    @Test
    void filterMatchesAHandBuiltWrappedKernel() {
        double[] p = {0.3, 0.05, 0.1, 0.0, 0.25, 0.2, 0.1};
        for (double sigma : new double[] {0.7, 2, 9}) {
            for (int radius : new int[] {0, 3, 6, 25, (int) (4.0 * sigma + 0.5)}) {
                double[] taps = new double[2 * radius + 1];
                double total = 0;
                for (int j = -radius; j <= radius; j++) {
                    taps[j + radius] = Math.exp(-(double) j * j / (2 * sigma * sigma));
                    total += taps[j + radius];
                }
                double[] out = new double[p.length];
                Smoothness.gaussianFilterWrap(out, p, sigma, radius);
                for (int i = 0; i < p.length; i++) {
                    double expected = 0;
                    for (int j = -radius; j <= radius; j++) {
                        expected += taps[j + radius] / total * p[Math.floorMod(i + j, p.length)];
                    }
                    // the same products summed in a different grouping.
                    assertEquals(expected, out[i], 1e-15, "sigma " + sigma + " radius " + radius + " at " + i);
                }
            }
        }
    }

    @Test
    void badInputIsRefused() {
        assertMessage(() -> Smoothness.metric(new double[] {0.5, Double.NaN}), "value NaN at index 1");
        assertMessage(() -> Smoothness.gaussianFilterWrap(new double[2], new double[2], 0, 1),
                "sigma must be finite and > 0, got 0.0");
        assertMessage(() -> Smoothness.metric(new double[0]), "empty distribution");
    }
}
