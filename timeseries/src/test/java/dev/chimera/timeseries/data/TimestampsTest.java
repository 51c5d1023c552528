package dev.chimera.timeseries.data;

import static dev.chimera.timeseries.data.Fixtures.JULY_1_2016;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DateTimeException;
import org.junit.jupiter.api.Test;

/** The accepted timestamp forms, all as epoch seconds UTC. */
class TimestampsTest {

    @Test
    void acceptedForms() {
        assertEquals(JULY_1_2016, Timestamps.parse("2016-07-01T00:00:00"));
        assertEquals(JULY_1_2016, Timestamps.parse("2016-07-01T00:00:00Z"));
        assertEquals(JULY_1_2016, Timestamps.parse("2016-07-01T02:00:00+02:00"));
        assertEquals(JULY_1_2016, Timestamps.parse("2016-06-30T19:00:00-05:00"));
        assertEquals(JULY_1_2016, Timestamps.parse("2016-07-01 00:00:00+00:00"));
        assertEquals(JULY_1_2016, Timestamps.parse("2016-07-01"));
        assertEquals(JULY_1_2016, Timestamps.parse("2016-07-01 00:00:00"));
        assertEquals(JULY_1_2016, Timestamps.parse("2016-07-01 00:00"));
        assertEquals(JULY_1_2016, Timestamps.parse("2016-07-01T00:00:00.000"));
        assertEquals(JULY_1_2016 + 15 * 60 + 7, Timestamps.parse(" 2016-07-01 00:15:07 "));
        assertEquals(0, Timestamps.parse("1970-01-01"));
        assertEquals(-86_400, Timestamps.parse("1969-12-31"));
    }

    @Test
    void refusedForms() {
        for (String bad : new String[] {"", "2016/07/01", "07/01/2016", "2016-02-30", "2016-07-01 24:00:00",
            "2016-07-01T00:00:00.5", "2016-07-01T", "2016-7-1", "1467331200", "2016-07-01 00"}) {
            assertThrows(DateTimeException.class, () -> Timestamps.parse(bad), bad);
        }
    }

    @Test
    void formatsForMessages() {
        assertEquals("2016-07-01 00:00:00", Timestamps.format(JULY_1_2016));
        assertEquals("1h", Frequency.describe(3600));
        assertEquals("15min", Frequency.describe(900));
        assertEquals("1d", Frequency.describe(86_400));
        assertEquals("90s", Frequency.describe(90));
    }

    @Test
    void theMostCommonDifferenceWinsAndTiesGoToTheSmaller() {
        assertEquals(3600, Frequency.infer(new long[] {0, 3600, 7200, 18000, 21600}));
        assertEquals(60, Frequency.infer(new long[] {0, 60, 180}));
    }
}
