package dev.chimera.core.eval.fourier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Student t quantiles, 95% intervals, paired differences and the significance flag, against
 * values from SciPy 1.17 (scipy.stats.t.ppf, t.cdf, t.interval, ttest_rel) and closed forms.
 */
class SeedStatsTest {
    /** {df, t.ppf(0.975, df), t.ppf(0.995, df)} from SciPy. */
    private static final double[][] QUANTILES = {
        {1, 12.706204736174694, 63.656741162871526},
        {2, 4.302652729749462, 9.924843200918287},
        {3, 3.1824463052837078, 5.840909309733355},
        {4, 2.7764451051977934, 4.604094871349992},
        {5, 2.5705818356363146, 4.032142983555228},
        {7, 2.364624251592784, 3.4994832973504924},
        {10, 2.228138851986274, 3.16927267261695},
        {11, 2.200985160091639, 3.1058065155392804},
        {12, 2.1788128296672284, 3.0545395893929013},
        {29, 2.045229642132703, 2.756385903670605},
        {30, 2.0422724563012378, 2.7499956535672254},
        {35, 2.030107928250343, 2.7238055892080912},
        {100, 1.9839715185235518, 2.6258905214380173},
        {1000, 1.9623390808264083, 2.580754698065951},
    };

    @Test
    void tQuantilesMatchScipy() {
        for (double[] q : QUANTILES) {
            int df = (int) q[0];
            assertEquals(q[1], SeedStats.tQuantile(0.975, df), 1e-12 * q[1], "t(0.975, " + df + ")");
            assertEquals(q[2], SeedStats.tQuantile(0.995, df), 1e-12 * q[2], "t(0.995, " + df + ")");
            assertEquals(-q[1], SeedStats.tQuantile(0.025, df), 1e-12 * q[1], "symmetry, df " + df);
        }
        assertEquals(0.2671808657041451, SeedStats.tQuantile(0.6, 5), 1e-13);
        assertEquals(22.203742273205, SeedStats.tQuantile(0.9999, 3), 1e-10);
        assertEquals(0, SeedStats.tQuantile(0.5, 9), 0);
        assertEquals(0.020496109292876444, SeedStats.tCdf(-2.5, 7), 1e-14);
        assertEquals(0.6104392858612702, SeedStats.tCdf(0.3, 4), 1e-14);
        assertEquals(0.8128329581890011, SeedStats.tCdf(1.5, 1), 1e-14);
        assertEquals(0.9330349805889568, SeedStats.tCdf(1.5, 1000), 1e-13);
    }

    /** One degree of freedom is the Cauchy distribution, two have q = (2p - 1) / sqrt(2 p (1 - p)). */
    @Test
    void tQuantilesMatchTheClosedFormsForOneAndTwoDegrees() {
        for (double p = 0.01; p < 1; p += 0.0625) {
            double cauchy = Math.tan(Math.PI * (p - 0.5));
            assertEquals(cauchy, SeedStats.tQuantile(p, 1), 1e-12 * Math.max(1, Math.abs(cauchy)), "p " + p);
            double two = (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
            assertEquals(two, SeedStats.tQuantile(p, 2), 1e-12 * Math.max(1, Math.abs(two)), "p " + p);
            assertEquals(p, SeedStats.tCdf(SeedStats.tQuantile(p, 6), 6), 1e-14, "cdf inverts the quantile");
        }
    }

    @Test
    void theIntervalIsMeanPlusMinusTTimesTheStandardError() {
        SeedStats s = SeedStats.of(new double[] {1, 2, 3, 6});
        assertEquals(3, s.mean(), 1e-15);
        assertEquals(Math.sqrt(14.0 / 3), s.std(), 1e-15);
        assertEquals(-0.4374348818583087, s.ci95Low(), 1e-12);
        assertEquals(6.437434881858309, s.ci95High(), 1e-12);
        assertFalse(s.significant(), "the interval holds 0");
    }

    @Test
    void pairedDifferencesAndTheirSignificance() {
        // Fourier lower on every seed: significant, negative.
        SeedStats lower = SeedStats.paired(new double[] {0.10, 0.12, 0.09, 0.11, 0.10},
                new double[] {0.14, 0.15, 0.13, 0.18, 0.12});
        assertEquals(5, lower.n());
        assertEquals(-0.04, lower.mean(), 1e-15);
        assertEquals(0.01870828693386971, lower.std(), 1e-15);
        assertEquals(-0.0632294063538519, lower.ci95Low(), 1e-12);
        assertEquals(-0.01677059364614809, lower.ci95High(), 1e-12);
        assertEquals(0.008769659458325604, lower.pValue(), 1e-12);
        assertTrue(lower.significant());

        // Higher: significant the other way.
        SeedStats higher = SeedStats.paired(new double[] {0.30, 0.25, 0.28, 0.27}, new double[] {0.20, 0.21, 0.19, 0.24});
        assertEquals(0.065, higher.mean(), 1e-15);
        assertEquals(0.00911807940080897, higher.ci95Low(), 1e-12);
        assertEquals(0.12088192059919103, higher.ci95High(), 1e-12);
        assertEquals(0.034237249669863475, higher.pValue(), 1e-12);
        assertTrue(higher.significant());

        // Mixed signs: the interval holds 0.
        SeedStats mixed = SeedStats.paired(new double[] {1, 2, 3}, new double[] {2, 1, 3.5});
        assertEquals(-0.16666666666666666, mixed.mean(), 1e-15);
        assertEquals(-2.752239172937798, mixed.ci95Low(), 1e-12);
        assertEquals(2.418905839604465, mixed.ci95High(), 1e-12);
        assertEquals(0.8075499102701248, mixed.pValue(), 1e-12);
        assertFalse(mixed.significant());

        // Significant exactly when p < 0.05.
        for (SeedStats s : new SeedStats[] {lower, higher, mixed}) {
            assertEquals(s.pValue() < 0.05, s.significant(), s.toString());
        }
    }

    @Test
    void oneSeedHasNoIntervalAndIsNeverSignificant() {
        SeedStats one = SeedStats.paired(new double[] {0.1}, new double[] {0.5});
        assertEquals(-0.4, one.mean(), 1e-15);
        assertTrue(Double.isNaN(one.std()) && Double.isNaN(one.ci95Low()) && Double.isNaN(one.ci95High()));
        assertTrue(Double.isNaN(one.pValue()));
        assertFalse(one.significant());
        SeedStats constant = SeedStats.paired(new double[] {0.3, 0.4}, new double[] {0.1, 0.2});
        assertEquals(0.2, constant.ci95Low(), 1e-15);
        assertTrue(constant.significant(), "the same non-zero difference on every seed: a zero-width interval");
        assertEquals(0, constant.pValue(), 0);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SeedStats.paired(new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> SeedStats.of(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> SeedStats.tQuantile(1, 3));
        assertThrows(IllegalArgumentException.class, () -> SeedStats.tQuantile(0.975, 0));
    }
}
