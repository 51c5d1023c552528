package dev.chimera.streaming.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The records refuse inconsistent fields when made (a bug of the writer, not of the input). */
class RecordsTest {

    @Test
    void inconsistentRecordsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Observation("", 0, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new Observation("a", 0, new double[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ForecastRecord("a", 0, 0,
                2, 2, new double[3], new double[0], new double[0][]));
        assertEquals("series a: a forecast with 3 point values; expected channels * horizon = 2 * 2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ForecastRecord("a", 0, 0, 1, 1, new double[1],
                new double[] {0.5, 0.5}, new double[][] {{1}, {1}}));
        assertThrows(IllegalArgumentException.class, () -> new ForecastRecord("a", 0, 0, 1, 1, new double[1],
                new double[] {1.0}, new double[][] {{1}}));
        assertThrows(IllegalArgumentException.class, () -> new ForecastRecord("a", 0, 0, 2, 1, new double[2],
                new double[] {0.5}, new double[][] {{1}}));
    }

    @Test
    void channelViewsAreChannelMajor() {
        ForecastRecord f = new ForecastRecord("a", 0, 0, 2, 3, new double[] {0, 1, 10, 11, 20, 21},
                new double[] {0.5}, new double[][] {{5, 6, 7, 8, 9, 10}});
        assertEquals(10, f.point(1)[0]);
        assertEquals(21, f.point(2)[1]);
        assertEquals(8, f.quantile(0, 1)[1]);
        assertEquals(RecordType.FORECAST, RecordType.ofEventName("forecast"));
        assertEquals(null, RecordType.ofEventName("Forecast"));
    }
}
