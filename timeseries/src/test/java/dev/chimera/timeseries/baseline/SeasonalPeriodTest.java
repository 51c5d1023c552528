package dev.chimera.timeseries.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.timeseries.data.Split;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeasonalPeriodTest {

    private static final Split SPLIT = new Split(4000, 5000, 6000);

    private static double[][] series(long seed, double daily, double weekly, double noise, double trend) {
        Random r = new Random(seed);
        double[][] y = new double[3][6000];
        for (int c = 0; c < y.length; c++) {
            double phase = r.nextDouble() * 2 * Math.PI;
            for (int t = 0; t < 6000; t++) {
                y[c][t] = daily * Math.sin(2 * Math.PI * t / 24 + phase) + weekly * Math.sin(2 * Math.PI * t / 168)
                        + noise * r.nextGaussian() + trend * t;
            }
        }
        return y;
    }

    @Test
    void dailySineWithNoiseIs24() {
        assertEquals(24, SeasonalPeriod.infer(series(1, 1, 0, 0.5, 0), SPLIT, 672));
    }

    @Test
    void aClearlyStrongerWeeklyCycleIs168() {
        assertEquals(168, SeasonalPeriod.infer(series(2, 0.3, 2, 0.3, 0), SPLIT, 672));
    }

    @Test
    void aWeakWeeklyCycleKeepsTheDailyPeriod() {
        assertEquals(24, SeasonalPeriod.infer(series(3, 1, 0.3, 0.3, 0), SPLIT, 672));
    }

    @Test
    void aTrendWithNoiseHasNoPeriod() {
        assertEquals(1, SeasonalPeriod.infer(series(4, 0, 0, 1, 0.01), SPLIT, 672));
    }

    @Test
    void searchStopsAtHalfTheLookback() {
        // period 24 is beyond lookback / 2 = 20: the strongest peak below it is sought instead (none here)
        assertEquals(1, SeasonalPeriod.infer(series(5, 1, 0, 0.1, 0), SPLIT, 40));
    }
}
