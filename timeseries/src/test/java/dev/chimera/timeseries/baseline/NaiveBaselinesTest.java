package dev.chimera.timeseries.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chimera.timeseries.data.Split;
import org.junit.jupiter.api.Test;

/** Repeat-last, seasonal naive and its residual quantiles, on series small enough to check by hand. */
class NaiveBaselinesTest {

    /** Period-4 pattern plus 10 per season: y[t] = p[t % 4] + 10 (t / 4). */
    private static double[][] seasonalSeries(int length) {
        double[] p = {1, 3, 2, 0};
        double[] y = new double[length];
        for (int t = 0; t < length; t++) {
            y[t] = p[t % 4] + 10 * (t / 4);
        }
        return new double[][] {y};
    }

    @Test
    void repeatLastRepeatsTheLastObservedValue() {
        double[][] y = seasonalSeries(60);
        RepeatLast b = new RepeatLast();
        b.fit(y, new Split(30, 40, 50), 12, new int[] {6});
        double[] out = new double[6];
        b.forecast(y, 0, 41, 6, out);
        // y[40] = p[0] + 10 * 10 = 101
        assertArrayEquals(new double[] {101, 101, 101, 101, 101, 101}, out, 0);
        y[0][40] = Double.NaN;  // masked: the last observed value before it, y[39] = p[3] + 90 = 90
        b.forecast(y, 0, 41, 6, out);
        assertArrayEquals(new double[] {90, 90, 90, 90, 90, 90}, out, 0);
    }

    @Test
    void seasonalNaiveRepeatsTheLastSeason() {
        double[][] y = seasonalSeries(60);
        SeasonalNaive b = new SeasonalNaive(4);
        b.fit(y, new Split(30, 40, 50), 12, new int[] {6});
        double[] out = new double[6];
        b.forecast(y, 0, 42, 6, out);
        // last season of the lookback: rows 38..41 = p[2]+90, p[3]+90, p[0]+100, p[1]+100
        assertArrayEquals(new double[] {92, 90, 101, 103, 92, 90}, out, 0);
    }

    @Test
    void periodIsInferredOnThePureSeason() {
        double[] p = {1, 3, 2, 0};
        double[] y = new double[60];
        for (int t = 0; t < y.length; t++) {
            y[t] = p[t % 4];
        }
        SeasonalNaive b = new SeasonalNaive();
        b.fit(new double[][] {y}, new Split(30, 40, 50), 12, new int[] {6});
        assertEquals(4, b.period());
        double[] out = new double[6];
        for (int o = 40; o <= 44; o++) {
            b.forecast(new double[][] {y}, 0, o, 6, out);
            for (int h = 0; h < 6; h++) {
                assertEquals(y[o + h], out[h], 0, "a pure season is forecast exactly");
            }
        }
    }

    @Test
    void quantilesAddTheTrainResidualQuantilesPerSeasonMultiple() {
        // train rows 0..9; period 2
        double[] y = {0, 0, 1, 0, 1, 1, 3, 1, 2, 2, 5, 6, 7, 8, 9, 10};
        // lag-2 differences over the train rows: 1, 0, 0, 1, 2, 0, -1, 1 -> sorted -1 0 0 0 1 1 1 2
        //   type 7: q.1 at 0.7 -> -0.3; q.5 at 3.5 -> 0.5; q.9 at 6.3 -> 1.3
        // lag-4 differences: 1, 1, 2, 1, 1, 1 -> sorted 1 1 1 1 1 2
        //   q.1 at 0.5 -> 1; q.5 at 2.5 -> 1; q.9 at 4.5 -> 1.5
        SeasonalNaive b = new SeasonalNaive(2);
        double[][] s = {y};
        b.fit(s, new Split(10, 13, 16), 4, new int[] {3});
        double[] levels = {0.1, 0.5, 0.9};
        double[][] q = new double[3][3];
        b.quantiles(s, 0, 12, 3, levels, q);
        // point forecast at origin 12: last season rows 10, 11 -> 5, 6, 5
        double tol = 1e-12;  // one interpolation
        assertArrayEquals(new double[] {5 - 0.3, 6 - 0.3, 5 + 1}, q[0], tol);
        assertArrayEquals(new double[] {5 + 0.5, 6 + 0.5, 5 + 1}, q[1], tol);
        assertArrayEquals(new double[] {5 + 1.3, 6 + 1.3, 5 + 1.5}, q[2], tol);
        assertThrows(IllegalArgumentException.class, () -> b.quantiles(s, 0, 12, 5, levels, new double[3][5]));
    }

    @Test
    void typeSevenQuantile() {
        double[] sorted = {1, 2, 4};
        assertEquals(1, SeasonalNaive.quantileOfSorted(sorted, 0), 0);
        assertEquals(2, SeasonalNaive.quantileOfSorted(sorted, 0.5), 0);
        assertEquals(3, SeasonalNaive.quantileOfSorted(sorted, 0.75), 0);
        assertEquals(4, SeasonalNaive.quantileOfSorted(sorted, 1), 0);
    }

    @Test
    void lookbackFillsMaskedValuesForward() {
        double nan = Double.NaN;
        double[] y = {nan, nan, 3, nan, 5, nan, 7};
        assertArrayEquals(new double[] {3, 3, 3, 3, 5, 5}, Lookback.copy(y, 6, 6, new double[6]), 0);
        double[] out = Lookback.copy(new double[] {nan, nan}, 2, 2, new double[2]);
        assertEquals(true, Double.isNaN(out[0]) && Double.isNaN(out[1]), "nothing observed stays NaN");
        assertThrows(IllegalArgumentException.class, () -> Lookback.copy(y, 3, 4, new double[4]));
    }

    @Test
    void forecastBeforeFitFails() {
        assertThrows(IllegalStateException.class, () -> new RepeatLast().forecast(new double[1][5], 0, 3, 1,
                new double[1]));
    }
}
