package dev.chimera.timeseries.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.runtime.UserException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Z-scores fitted on the train rows only. */
class ScalerTest {

    private static final double N = Double.NaN;

    /** Train rows are the first four; the fifth (1000, -1000, 5) must not move the statistics. */
    private static SeriesTable table() {
        return Fixtures.hourly(List.of("rising", "gappy", "flat"), new double[][] {
            {1, 2, 3, 4, 1000},
            {1, N, 3, N, -1000},
            {0.1, 0.1, 0.1, 0.1, 5}});
    }

    private static final Split SPLIT = new Split(4, 4, 5);

    @Test
    void meanAndPopulationStdOfTheTrainRowsIgnoringNaN() {
        Scaler s = Scaler.fit(table(), SPLIT);
        // rising: mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
        assertEquals(2.5, s.mean(0), 0.0);
        assertEquals(Math.sqrt(1.25), s.std(0), 1e-15);
        // gappy: 1 and 3 -> mean 2, std 1.
        assertEquals(2.0, s.mean(1), 0.0);
        assertEquals(1.0, s.std(1), 0.0);
        // flat: std 0 -> 1, and the value itself as mean, so it scales to exactly 0.
        assertEquals(0.1, s.mean(2), 0.0);
        assertEquals(1.0, s.std(2), 0.0);
        assertEquals(0.0, s.scale(2, 0.1), 0.0);
    }

    @Test
    void scalingCopiesAndUnscalingUndoes() {
        SeriesTable t = table();
        Scaler s = Scaler.fit(t, SPLIT);
        double[][] z = s.scale(t.values());
        assertNotSame(t.values()[0], z[0]);
        assertEquals(1.0, t.values()[0][0], 0.0, "input untouched");
        assertEquals((1 - 2.5) / Math.sqrt(1.25), z[0][0], 1e-15);
        assertTrue(Double.isNaN(z[1][1]), "NaN stays NaN");
        double[][] back = s.unscale(z);
        for (int c = 0; c < 3; c++) {
            // Round trip: (x - m) / s * s + m, within a few ulps of the largest magnitude (1000).
            assertArrayEquals(t.values()[c], back[c], 1e-12 * 1000);
        }
        assertEquals(s.scale(0, 7.0), s.scale(0, new double[] {7.0})[0], 0.0);
        assertEquals(7.0, s.unscale(0, s.scale(0, 7.0)), 1e-15);
        assertArrayEquals(z[0], s.scale(t).values()[0], 0.0);
    }

    @Test
    void randomSeriesScaleToZeroMeanUnitStdOnTrain() {
        Random random = new Random(42);
        int n = 1001;
        double[][] v = new double[2][n];
        for (int i = 0; i < n; i++) {
            v[0][i] = 50 + 7 * random.nextGaussian();
            v[1][i] = -3e6 + 1e4 * random.nextGaussian();
        }
        SeriesTable t = Fixtures.hourly(List.of("a", "b"), v);
        Split split = new Split(700, 800, 1001);
        double[][] z = Scaler.fit(t, split).scale(v);
        for (int c = 0; c < 2; c++) {
            double mean = 0;
            double squares = 0;
            for (int i = 0; i < 700; i++) {
                mean += z[c][i] / 700;
            }
            for (int i = 0; i < 700; i++) {
                squares += (z[c][i] - mean) * (z[c][i] - mean);
            }
            // Sums of 700 terms of size ~1: rounding of order 700 * 1e-16.
            assertEquals(0.0, mean, 1e-12);
            assertEquals(1.0, Math.sqrt(squares / 700), 1e-12);
        }
    }

    @Test
    void savesToJsonAndLoadsBackEqual() throws Exception {
        Scaler s = Scaler.fit(table(), SPLIT);
        ObjectMapper json = new ObjectMapper();
        String text = json.writeValueAsString(s);
        assertTrue(text.contains("\"columns\":[\"rising\",\"gappy\",\"flat\"]") && text.contains("\"means\":[2.5,2.0,0.1]"),
                text);
        assertEquals(s, json.readValue(text, Scaler.class));
        double[] means = s.means();
        means[0] = 99;
        assertEquals(2.5, s.mean(0), 0.0, "accessors copy");
    }

    @Test
    void aSeriesWithNoTrainValueIsRefused() {
        SeriesTable t = Fixtures.hourly(List.of("x"), new double[][] {{N, N, 1}});
        UserException e = assertThrows(UserException.class, () -> Scaler.fit(t, new Split(2, 2, 3)));
        assertTrue(e.getMessage().startsWith("table.csv: column 'x': found no value in the 2 train rows"),
                e.getMessage());
    }
}
