package dev.chimera.genomics.vep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Quartiles and the Mann-Whitney AUROC against hand-computed values and a brute-force pair count. */
class ScoreStatsTest {
    @Test
    void aurocOfAHandComputedCaseWithTies() {
        // Pairs (x from higher, y from lower): 3 beats 1; each 5 beats 1 and ties 5; 7 beats all three.
        // (1 + 1.5 + 1.5 + 3) / (4 * 3) = 7/12.
        double[] higher = {5, 3, 7, 5};
        double[] lower = {6, 1, 5};
        assertEquals(7.0 / 12, ScoreStats.auroc(higher, lower), 1e-15);
        assertEquals(5.0 / 12, ScoreStats.auroc(lower, higher), 1e-15, "the two orders sum to 1");
        assertEquals(1.0, ScoreStats.auroc(new double[] {2, 3}, new double[] {0, 1}), 0);
        assertEquals(0.5, ScoreStats.auroc(new double[] {1, 1}, new double[] {1}), 0, "all tied: chance");
        assertEquals(7.0 / 12, ScoreStats.auroc(new double[] {5, 3, Double.NaN, 7, 5}, lower), 1e-15, "NaN left out");
        assertTrue(Double.isNaN(ScoreStats.auroc(new double[0], lower)));
    }

    @Test
    void aurocStandardErrorIsHanleyAndMcNeils() {
        // a = 0.8, n1 = n2 = 10: q1 = 0.8/1.2 = 0.66667, q2 = 1.28/1.8 = 0.71111,
        // (0.16 + 9 * 0.026667 + 9 * 0.071111) / 100 = 0.0104, sqrt = 0.10198
        assertEquals(0.10198, ScoreStats.aurocStandardError(0.8, 10, 10), 1e-5);
        assertEquals(0.0, ScoreStats.aurocStandardError(1.0, 50, 70), 1e-12, "perfect separation");
    }

    @Test
    void aurocEqualsTheFractionOfOrderedPairs() {
        Random r = new Random(3);
        double[] a = new double[301];
        double[] b = new double[177];
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.round(r.nextGaussian() * 4) / 2.0;  // coarse values: many ties
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = Math.round(r.nextGaussian() * 4 - 1) / 2.0;
        }
        double pairs = 0;
        for (double x : a) {
            for (double y : b) {
                pairs += x > y ? 1 : x == y ? 0.5 : 0;
            }
        }
        assertEquals(pairs / (a.length * b.length), ScoreStats.auroc(a, b), 1e-12);
    }

    @Test
    void quartilesInterpolateBetweenOrderStatistics() {
        ScoreStats.Summary s = ScoreStats.summary(new double[] {10, 1, 3, 2, 4});
        assertEquals(new ScoreStats.Summary(5, 4.0, 2.0, 3.0, 4.0), s);
        // n = 4: h = 0.75, 1.5, 2.25 over 1 2 3 4
        assertEquals(new ScoreStats.Summary(4, 2.5, 1.75, 2.5, 3.25), ScoreStats.summary(new double[] {4, 3, 2, 1}));
        assertEquals(new ScoreStats.Summary(1, -2.0, -2.0, -2.0, -2.0), ScoreStats.summary(new double[] {-2, Double.NaN}));
        assertEquals(0, ScoreStats.summary(new double[0]).count());
    }
}
