package dev.chimera.timeseries.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Binned densities read as continuous ones, calendar features, instance normalisation and the skip. */
class ReadoutTest {

    @Test
    void quantilesAndMeanOfABinnedDensity() {
        float[] uniform = {1, 1, 1, 1};
        assertEquals(0.0, BinnedQuantiles.mean(uniform, 0, 4), 1e-12);
        assertEquals(-0.8, BinnedQuantiles.quantile(uniform, 0, 4, 0.1), 1e-12);
        assertEquals(0.0, BinnedQuantiles.quantile(uniform, 0, 4, 0.5), 1e-12);
        float[] lastTwo = {0, 0, 0, 0, 0, 3, 1}; // offset 3: bins (0, 0, 3, 1) over [-1, 1]
        assertEquals(0.625 * 0 + (0.75 * 0.25 + 0.25 * 0.75), BinnedQuantiles.mean(lastTwo, 3, 4), 1e-12);
        // CDF reaches 0.5 inside bin 2 ([0, 0.5)), two thirds of the way: 0.5 * (0.5 / 0.75)
        assertEquals(0.5 * (0.5 / 0.75), BinnedQuantiles.quantile(lastTwo, 3, 4, 0.5), 1e-9);
    }

    @Test
    void allLevelsInOnePassEqualEachLevelAlone() {
        java.util.Random r = new java.util.Random(8);
        double[] levels = {0.01, 0.1, 0.25, 0.5, 0.5 + 1e-9, 0.9, 0.999};
        for (int trial = 0; trial < 50; trial++) {
            float[] p = new float[40];
            for (int m = 0; m < p.length; m++) {
                p[m] = r.nextInt(4) == 0 ? 0f : r.nextFloat();
            }
            double[] out = new double[levels.length];
            BinnedQuantiles.quantiles(p, 3, 37, levels, out);
            for (int k = 0; k < levels.length; k++) {
                // the same bits: a forecast reads a centred density's median among the levels asked for
                assertEquals(BinnedQuantiles.quantile(p, 3, 37, levels[k]), out[k], "trial " + trial);
            }
        }
    }

    @Test
    void calendarFeaturesOfAKnownInstant() {
        float[] f = new float[CalendarFeatures.COUNT];
        CalendarFeatures.of(1_467_331_200L + 6 * 3600, f, 0); // Friday 2016-07-01 06:00 UTC
        assertEquals(0f, f[0], 1e-6f);       // minute 0: sin 0
        assertEquals(1f, f[1], 1e-6f);
        assertEquals(1f, f[2], 1e-6f);       // 06:00 is a quarter day: sin(pi/2)
        assertEquals(0f, f[3], 1e-6f);
        double weekday = (4 + 0.25) / 7;     // Monday 0 .. Friday 4, plus a quarter day
        assertEquals(Math.sin(2 * Math.PI * weekday), f[4], 1e-6);
        assertEquals(Math.cos(2 * Math.PI * weekday), f[5], 1e-6);
    }

    @Test
    void instanceNormIgnoresMissingValuesAndNeverDividesByZero() {
        InstanceNorm n = InstanceNorm.of(new double[] {9, 1, Double.NaN, 3, 9}, 1, 4);
        assertEquals(2.0, n.mean(), 1e-12);
        assertEquals(Math.sqrt(1 + InstanceNorm.EPSILON), n.std(), 1e-12);
        InstanceNorm flat = InstanceNorm.of(new double[] {4, 4, 4}, 0, 3);
        assertEquals(0f, flat.normalise(4), 0f);
        assertEquals(4.0, flat.restore(0), 0);
    }

    @Test
    void theSkipIsShiftAndScaleEquivariant() {
        float[] w = {0.5f, -0.25f, 0.1f, 0.3f, 0.7f, 0.05f};
        LinearSkip skip = new LinearSkip(3, 2, w);
        float[] x = {1, 4, 2};
        float[] y = new float[2];
        skip.apply(x, 0, y, 0);
        // y_j = x_last + sum_i (x_i - x_last) W[i][j]
        assertEquals(2 + (-1) * 0.5f + 2 * 0.1f, y[0], 1e-6f);
        assertEquals(2 + (-1) * -0.25f + 2 * 0.3f, y[1], 1e-6f);
        float[] shifted = {3 * 1 + 7, 3 * 4 + 7, 3 * 2 + 7};
        float[] z = new float[2];
        skip.apply(shifted, 0, z, 0);
        assertEquals(3 * y[0] + 7, z[0], 1e-5f);
        assertEquals(3 * y[1] + 7, z[1], 1e-5f);
    }
}
