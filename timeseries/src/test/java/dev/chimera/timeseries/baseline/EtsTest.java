package dev.chimera.timeseries.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.UserException;
import dev.chimera.timeseries.data.Split;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EtsTest {

    /** A series from the ETS(A,A,A) innovations model itself (see {@link HoltWinters}). */
    private static double[] simulate(long seed, int length, int m, EtsParameters p, double sigma) {
        Random r = new Random(seed);
        double level = 10;
        double trend = 0.01;
        double[] season = new double[m];
        for (int i = 0; i < m; i++) {
            season[i] = 3 * Math.sin(2 * Math.PI * i / m);
        }
        double[] y = new double[length];
        for (int t = 0; t < length; t++) {
            int k = t % m;
            double e = sigma * r.nextGaussian();
            y[t] = level + p.phi() * trend + season[k] + e;
            level = level + p.phi() * trend + p.alpha() * e;
            trend = p.phi() * trend + p.alpha() * p.beta() * e;
            season[k] += p.gamma() * e;
        }
        return y;
    }

    @Test
    void forecastsALineWithASeasonExactly() {
        int m = 24;
        double[] y = new double[3000];
        for (int t = 0; t < y.length; t++) {
            y[t] = 0.5 + 0.01 * t + Math.sin(2 * Math.PI * (t % m) / m) + 0.3 * ((t % m) == 5 ? 1 : 0);
        }
        double[][] s = {y};
        for (boolean damped : new boolean[] {false}) {
            Ets ets = new Ets(m, damped);
            ets.fit(s, new Split(1500, 2200, 3000), 240, new int[] {48});
            double[] out = new double[48];
            for (int o = 2200; o < 2900; o += 97) {
                ets.forecast(s, 0, o, 48, out);
                // noiseless: every one-step error is rounding, so the states stay exact to ~1e-12
                assertArrayEquals(java.util.Arrays.copyOfRange(y, o, o + 48), out, 1e-9, "origin " + o);
            }
        }
    }

    @Test
    void recoversTheParametersOfASimulatedSeries() {
        EtsParameters truth = new EtsParameters(0.3, 0.1, 0.2, 1.0);
        double[][] y = {simulate(11, 14000, 12, truth, 1.0), simulate(12, 14000, 12, truth, 1.0)};
        Ets ets = new Ets(12, false);
        ets.fit(y, new Split(12000, 13000, 14000), 1200, new int[] {24});
        assertEquals(12, ets.period());
        for (int c = 0; c < 2; c++) {
            EtsParameters p = ets.parameters(c);
            // ~10,000 one-step errors: alpha and gamma to a few hundredths; the trend gain
            // alpha * beta = 0.03 is weakly identified, so beta only roughly
            System.err.println("EtsTest: channel " + c + " recovered " + p);
            assertEquals(truth.alpha(), p.alpha(), 0.05, "alpha of channel " + c + ": " + p);
            assertEquals(truth.gamma(), p.gamma(), 0.05, "gamma of channel " + c + ": " + p);
            assertEquals(truth.beta(), p.beta(), 0.08, "beta of channel " + c + ": " + p);
        }
    }

    @Test
    void quantilesAreGaussianAroundThePointForecast() {
        EtsParameters truth = new EtsParameters(0.3, 0.1, 0.2, 1.0);
        double[][] y = {simulate(13, 3000, 12, truth, 1.0)};
        Ets ets = new Ets(12, true);
        ets.fit(y, new Split(2000, 2500, 3000), 240, new int[] {30});
        assertEquals("ets-damped", ets.name());
        double phi = ets.parameters(0).phi();
        assertTrue(phi >= 0.8 && phi <= 0.98, "phi " + phi);
        double[] levels = {0.1, 0.5, 0.9};
        double[][] q = new double[3][30];
        double[] point = new double[30];
        ets.quantiles(y, 0, 2600, 30, levels, q);
        ets.forecast(y, 0, 2600, 30, point);
        for (int h = 0; h < 30; h++) {
            assertEquals(point[h], q[1][h], 1e-12, "the median is the point forecast");
            assertEquals(point[h] - q[0][h], q[2][h] - point[h], 1e-9, "symmetric");
            if (h > 0) {
                assertTrue(q[2][h] - q[0][h] >= q[2][h - 1] - q[0][h - 1], "the interval widens with h");
            }
        }
    }

    @Test
    void needsTwoSeasonsInTheLookback() {
        double[][] y = {simulate(14, 500, 12, new EtsParameters(0.3, 0.1, 0.2, 1.0), 1.0)};
        UserException e = assertThrows(UserException.class,
                () -> new Ets(12, false).fit(y, new Split(300, 400, 500), 20, new int[] {5}));
        assertTrue(e.getMessage().contains("two seasons") && e.getMessage().contains("--lookback"), e.getMessage());
    }
}
