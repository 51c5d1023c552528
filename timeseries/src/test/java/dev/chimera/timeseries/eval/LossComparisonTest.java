package dev.chimera.timeseries.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Diebold-Mariano statistic against hand-computed values, and its verdicts on seeded losses. */
class LossComparisonTest {

    @Test
    void matchesTheFormulaWorkedByHand() {
        double[] a = {3, 5, 4, 6};
        double[] b = {1, 2, 3, 2};
        // d = 2, 3, 1, 4; mean 2.5; deviations -0.5, 0.5, -1.5, 1.5
        double g0 = (0.25 + 0.25 + 2.25 + 2.25) / 4;             // 1.25
        double g1 = (0.5 * -0.5 + -1.5 * 0.5 + 1.5 * -1.5) / 4;  // -0.8125
        assertEquals(2.5 / Math.sqrt(g0 / 4), LossComparison.statistic(a, b, 0), 1e-12);
        double lrv = g0 + 2 * 0.5 * g1;
        assertEquals(2.5 / Math.sqrt(lrv / 4), LossComparison.statistic(a, b, 1), 1e-12);
        assertEquals(-LossComparison.statistic(a, b, 1), LossComparison.statistic(b, a, 1), 1e-12);
    }

    @Test
    void dropsNaNOriginsAndCapsTheLag() {
        double[] a = {3, Double.NaN, 5, 4, 6};
        double[] b = {1, 7, 2, 3, 2};
        assertEquals(LossComparison.statistic(new double[] {3, 5, 4, 6}, new double[] {1, 2, 3, 2}, 3),
                LossComparison.statistic(a, b, 50), 1e-12);
        assertTrue(Double.isNaN(LossComparison.statistic(new double[] {1}, new double[] {0}, 0)));
        assertEquals(Double.POSITIVE_INFINITY, LossComparison.statistic(new double[] {2, 2, 2}, new double[] {1, 1, 1}, 1));
        assertEquals(0.0, LossComparison.statistic(new double[] {1, 1}, new double[] {1, 1}, 1));
        assertThrows(IllegalArgumentException.class, () -> LossComparison.statistic(new double[2], new double[3], 0));
    }

    @Test
    void criticalValuesAreTheNormalQuantiles() {
        assertEquals(1.6448536269514722, LossComparison.critical(0.05), 1e-9);
        assertEquals(2.8070337683438042, LossComparison.critical(0.05 / 20), 1e-9); // Bonferroni over 20 checks
        assertThrows(IllegalArgumentException.class, () -> LossComparison.critical(0));
    }

    @Test
    void aRealGainIsFoundAndNoiseIsNot() {
        SplittableRandom random = new SplittableRandom(11);
        int n = 400;
        double[] base = new double[n];
        double[] better = new double[n];
        double[] same = new double[n];
        double shared = 0;
        for (int i = 0; i < n; i++) {
            shared = 0.9 * shared + random.nextGaussian(); // losses correlated over origins, as overlapping windows are
            base[i] = 1 + 0.3 * shared + 0.1 * random.nextGaussian();
            better[i] = base[i] - 0.05 + 0.1 * random.nextGaussian();
            same[i] = base[i] + 0.1 * random.nextGaussian();
        }
        double fivePercent = LossComparison.critical(0.05);
        assertTrue(LossComparison.statistic(base, better, 24) > fivePercent);
        assertFalse(LossComparison.statistic(base, same, 24) > fivePercent);
        assertFalse(LossComparison.statistic(better, base, 24) > fivePercent);
        assertEquals(24, LossComparison.overlapLag(96, 4));
        assertEquals(25, LossComparison.overlapLag(97, 4));
    }
}
