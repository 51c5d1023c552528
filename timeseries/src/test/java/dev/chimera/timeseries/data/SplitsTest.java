package dev.chimera.timeseries.data;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.UserException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark protocol's borders, the --split override and the length check. */
class SplitsTest {

    /** A one-column table of {@code n} hourly rows named {@code name}. */
    static SeriesTable table(String name, int n) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = 3600L * i;
        }
        return new SeriesTable(name, name + ".csv", t, Duration.ofHours(1), List.of("OT"), new double[][] {new double[n]});
    }

    @Test
    void ettHourlyFilesGetTwelveFourFourMonths() {
        assertEquals(new Split(8640, 11520, 14400), Splits.protocol(table("ETTh1", 17420)));
        assertEquals(new Split(8640, 11520, 14400), Splits.protocol(table("ETTh2", 14400)));
    }

    @Test
    void ettQuarterHourlyFilesGetTheSameMonthsTimesFour() {
        assertEquals(new Split(34560, 46080, 57600), Splits.protocol(table("ETTm1", 69680)));
    }

    @Test
    void anEttFileShorterThanTwentyMonthsIsRefused() {
        UserException e = assertThrows(UserException.class, () -> Splits.protocol(table("ETTh1", 14399)));
        assertTrue(e.getMessage().startsWith("ETTh1.csv: found 14399 rows; expected at least 14400"), e.getMessage());
    }

    @Test
    void otherFilesSplitSeventyTenTwentyAsDatasetCustom() {
        // n = 101: int(70.7) = 70 train, int(20.2) = 20 test, 11 validation.
        assertEquals(new Split(70, 81, 101), Splits.protocol(table("sales", 101)));
        // n = 7: 7 * 0.7 is 4.8999999999999995 in doubles, so 4 train, as in Python.
        assertEquals(new Split(4, 6, 7), Splits.protocol(table("tiny", 7)));
        // Autoformer's weather.csv: 52,696 rows -> 36,887 / 5,270 / 10,539.
        assertEquals(new Split(36887, 36887 + 5270, 52696), Splits.protocol(table("weather", 52696)));
        assertThrows(UserException.class, () -> Splits.protocol(table("short", 4)));
    }

    @Test
    void overrideByFractionsOrRowCounts() {
        SeriesTable t = table("x", 101);
        assertEquals(Splits.protocol(t), Splits.parse("0.7,0.1,0.2", t));
        assertEquals(new Split(60, 80, 90), Splits.parse("0.6, 0.2, 0.1", table("x", 100)));
        assertEquals(new Split(8640, 11520, 14400), Splits.parse("8640,2880,2880", table("x", 17420)));
        assertEquals(new Split(10, 10, 15), Splits.parse("10,0,5", t));
        assertEquals(new Split(8640, 11520, 14400), Splits.resolve(null, table("ETTh1", 17420)));
        assertEquals(new Split(1, 2, 3), Splits.resolve("1,1,1", table("ETTh1", 17420)));
    }

    @Test
    void badOverridesAreRefused() {
        SeriesTable t = table("x", 100);
        for (String bad : List.of("0.7,0.1", "0.7,0.1,0.1,0.1", "a,b,c", "0.8,0.3,0.2", "-1,2,3", "1.5,0,0",
                "0.7,,0.2", "0,10,10", "0.001,0.5,0.4", "60,30,20")) {
            UserException e = assertThrows(UserException.class, () -> Splits.parse(bad, t), bad);
            assertTrue(e.getMessage().startsWith("--split '" + bad + "': "), e.getMessage());
        }
        String counts = assertThrows(UserException.class, () -> Splits.parse("60,30,20", t)).getMessage();
        assertTrue(counts.contains("found 110 rows in all; expected at most the 100 rows of x.csv"), counts);
    }

    @Test
    void lengthCheckNamesTheFileAndThePartWithoutAWindow() {
        SeriesTable ett = table("ETTh1", 17420);
        Split split = Splits.protocol(ett);
        assertDoesNotThrow(() -> Splits.requireLength(ett, split, 672, 96));
        UserException shortSeries = assertThrows(UserException.class,
                () -> Splits.requireLength(table("x", 100), new Split(70, 80, 100), 96, 8));
        assertEquals("x.csv: series of 100 rows is shorter than lookback + one segment (96 + 8 = 104 rows); "
                + "lower --lookback (and --segment)",
                shortSeries.getMessage());
        UserException train = assertThrows(UserException.class,
                () -> Splits.requireLength(table("x", 100), new Split(50, 80, 100), 48, 8));
        assertTrue(train.getMessage().startsWith("x.csv: the train part, rows [0, 50) (50 rows), has no window; "
                + "expected at least lookback + one segment (56 rows)"), train.getMessage());
        UserException validation = assertThrows(UserException.class,
                () -> Splits.requireLength(table("x", 100), new Split(60, 65, 100), 48, 8));
        assertTrue(validation.getMessage().contains("the validation part, rows [60, 65) (5 rows)"), validation.getMessage());
        UserException test = assertThrows(UserException.class,
                () -> Splits.requireLength(table("x", 100), new Split(60, 90, 97), 48, 8));
        assertTrue(test.getMessage().contains("the test part, rows [90, 97) (7 rows)"), test.getMessage());
        assertDoesNotThrow(() -> Splits.requireLength(table("x", 100), new Split(56, 64, 72), 48, 8));
        UserException beyond = assertThrows(UserException.class,
                () -> Splits.requireLength(table("x", 100), new Split(60, 80, 101), 48, 8));
        assertTrue(beyond.getMessage().contains("split ends at row 101"), beyond.getMessage());
    }
}
