package dev.chimera.timeseries.data;

import static dev.chimera.timeseries.data.Fixtures.JULY_1_2016;
import static dev.chimera.timeseries.data.Fixtures.assertSameSeries;
import static dev.chimera.timeseries.data.Fixtures.hourly;
import static dev.chimera.timeseries.data.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wide and long CSV files read into the same tables; frequency inference; gaps and missing cells. */
class SeriesFilesTest {

    @TempDir
    Path dir;

    /** Three series over four hours, as every layout of the round-trip tests holds them. */
    static SeriesTable expected() {
        return hourly(List.of("a", "b", "c"), new double[][] {
            {1.5, 2.5, 3.5, 4.5},
            {-1, 0, 1e3, 2.25},
            {10, 20, 30, 40}});
    }

    static final String[] WIDE = {
        "date,a,b,c",
        "2016-07-01 00:00:00,1.5,-1,10",
        "2016-07-01 01:00:00,2.5,0,20",
        "2016-07-01 02:00:00,3.5,1e3,30",
        "2016-07-01 03:00:00,4.5,2.25,40"};

    @Test
    void wideCsvGivesTheTable() {
        SeriesTable t = SeriesFiles.read(text(dir, "ETTh9.csv", WIDE));
        assertSameSeries(expected(), t);
        assertEquals("ETTh9", t.name());
        assertEquals(dir.resolve("ETTh9.csv").toString(), t.source());
    }

    @Test
    void layoutIsToldFromTheHeader() {
        assertEquals(SeriesFiles.Layout.WIDE, SeriesFiles.layout(text(dir, "w.csv", WIDE)));
        assertEquals(SeriesFiles.Layout.LONG, SeriesFiles.layout(text(dir, "l.csv", "unique_id,ds,y",
                "a,2016-07-01 00:00,1.5")));
    }

    @Test
    void longCsvInterleavedOrSeriesAfterSeriesGivesTheSameTable() {
        Path interleaved = text(dir, "interleaved.csv",
                "series,timestamp,value",
                "a,2016-07-01T00:00:00,1.5", "b,2016-07-01T00:00:00,-1", "c,2016-07-01T00:00:00,10",
                "a,2016-07-01T01:00:00,2.5", "b,2016-07-01T01:00:00,0", "c,2016-07-01T01:00:00,20",
                "a,2016-07-01T02:00:00,3.5", "b,2016-07-01T02:00:00,1e3", "c,2016-07-01T02:00:00,30",
                "a,2016-07-01T03:00:00,4.5", "b,2016-07-01T03:00:00,2.25", "c,2016-07-01T03:00:00,40");
        assertSameSeries(expected(), SeriesFiles.read(interleaved));
        Path blocks = text(dir, "blocks.csv",
                "unique_id,ds,y",
                "a,2016-07-01 00:00,1.5", "a,2016-07-01 01:00,2.5", "a,2016-07-01 02:00,3.5", "a,2016-07-01 03:00,4.5",
                "b,2016-07-01 00:00,-1", "b,2016-07-01 01:00,0", "b,2016-07-01 02:00,1e3", "b,2016-07-01 03:00,2.25",
                "c,2016-07-01 00:00,10", "c,2016-07-01 01:00,20", "c,2016-07-01 02:00,30", "c,2016-07-01 03:00,40");
        assertSameSeries(expected(), SeriesFiles.read(blocks));
    }

    @Test
    void longColumnsMayComeInAnyOrder() {
        Path file = text(dir, "reordered.csv",
                "value,series,timestamp",
                "1,x,2016-07-01", "2,x,2016-07-02", "5,y,2016-07-01", "6,y,2016-07-02");
        SeriesTable t = SeriesFiles.read(file);
        assertEquals(List.of("x", "y"), t.columns());
        assertEquals(Duration.ofDays(1), t.step());
        assertArrayEquals(new double[] {5, 6}, t.values()[1]);
    }

    @Test
    void targetKeepsTheNamedColumnsInItsOrder() {
        SeriesTable t = SeriesFiles.read(text(dir, "wide.csv", WIDE), ReadOptions.defaults().withTarget("c", "a"));
        assertEquals(List.of("c", "a"), t.columns());
        assertArrayEquals(new double[] {10, 20, 30, 40}, t.values()[0]);
        assertArrayEquals(new double[] {1.5, 2.5, 3.5, 4.5}, t.values()[1]);
    }

    @Test
    void columnsTheTargetLeavesOutAreNotParsed() {
        Path file = text(dir, "labels.csv",
                "date,label,OT",
                "2016-07-01 00:00:00,calm,1", "2016-07-01 01:00:00,storm,2");
        SeriesTable t = SeriesFiles.read(file, ReadOptions.defaults().withTarget("OT"));
        assertArrayEquals(new double[] {1, 2}, t.values()[0]);
    }

    @Test
    void theTimestampColumnIsFoundByNameAnywhereElseIsTheFirst() {
        SeriesTable named = SeriesFiles.read(text(dir, "named.csv",
                "x,ds", "1,2016-07-01 00:00", "2,2016-07-01 00:15"));
        assertEquals(List.of("x"), named.columns());
        assertEquals(Duration.ofMinutes(15), named.step());
        SeriesTable first = SeriesFiles.read(text(dir, "first.csv",
                "when,x", "2016-07-01 00:00,1", "2016-07-01 00:15,2"));
        assertEquals(List.of("x"), first.columns());
        assertArrayEquals(named.timestamps(), first.timestamps());
    }

    @Test
    void frequencyIsInferredHourlyQuarterHourlyAndDaily() {
        SeriesTable hourly = SeriesFiles.read(text(dir, "h.csv", "date,x",
                "2016-07-01 00:00:00,1", "2016-07-01 01:00:00,2", "2016-07-01 02:00:00,3"));
        assertEquals(Duration.ofHours(1), hourly.step());
        SeriesTable quarter = SeriesFiles.read(text(dir, "m.csv", "date,x",
                "2016-07-01 00:00,1", "2016-07-01 00:15,2", "2016-07-01 00:30,3"));
        assertEquals(Duration.ofMinutes(15), quarter.step());
        SeriesTable daily = SeriesFiles.read(text(dir, "d.csv", "date,x",
                "2016-07-01,1", "2016-07-02,2", "2016-07-03,3", "2016-07-04,4"));
        assertEquals(Duration.ofDays(1), daily.step());
        assertArrayEquals(new long[] {JULY_1_2016, JULY_1_2016 + 86_400, JULY_1_2016 + 2 * 86_400,
            JULY_1_2016 + 3 * 86_400}, daily.timestamps());
    }

    @Test
    void theMostCommonDifferenceIsTheStepAndItsMultiplesAreGaps() {
        // Differences 1h, 1h, 3h, 1h: the step is 1h and the 3h difference leaves two rows out.
        Path file = text(dir, "gap.csv", "date,x",
                "2016-07-01 00:00,0", "2016-07-01 01:00,1", "2016-07-01 02:00,2", "2016-07-01 05:00,8",
                "2016-07-01 06:00,9");
        SeriesTable t = SeriesFiles.read(file, ReadOptions.defaults().withOnMissing(MissingPolicy.INTERPOLATE));
        assertEquals(Duration.ofHours(1), t.step());
        assertEquals(7, t.length());
        assertArrayEquals(new double[] {0, 1, 2, 4, 6, 8, 9}, t.values()[0], 0.0);
        assertEquals(JULY_1_2016 + 4 * 3600, t.timestamps()[4]);
    }

    @Test
    void interpolationIsLinearInsideAndRepeatsTheNearestValueAtTheEnds() {
        Path file = text(dir, "holes.csv", "date,x,y",
                "2016-07-01 00:00,,1",
                "2016-07-01 01:00,NaN,2",
                "2016-07-01 02:00,3,nan",
                "2016-07-01 03:00,NA,",
                "2016-07-01 04:00,null,",
                "2016-07-01 05:00,6,7",
                "2016-07-01 07:00,10,NA");
        SeriesTable t = SeriesFiles.read(file, ReadOptions.defaults().withOnMissing(MissingPolicy.INTERPOLATE));
        assertEquals(8, t.length());
        // x: 3 at 02:00 and 6 at 05:00 -> 4, 5 between; 06:00 is a grid gap between 6 and 10 -> 8.
        assertArrayEquals(new double[] {3, 3, 3, 4, 5, 6, 8, 10}, t.values()[0], 0.0);
        // y: 2 at 01:00, 7 at 05:00 -> steps of 5/4; after the last value, 7 repeated.
        assertArrayEquals(new double[] {1, 2, 3.25, 4.5, 5.75, 7, 7, 7}, t.values()[1], 0.0);
    }

    @Test
    void maskKeepsMissingCellsAndGapRowsAsNaN() {
        Path file = text(dir, "holes.csv", "date,x",
                "2016-07-01 00:00,1", "2016-07-01 01:00,NA", "2016-07-01 02:00,3", "2016-07-01 04:00,5");
        SeriesTable t = SeriesFiles.read(file, ReadOptions.defaults().withOnMissing(MissingPolicy.MASK));
        assertArrayEquals(new double[] {1, Double.NaN, 3, Double.NaN, 5}, t.values()[0], 0.0);
        assertEquals(5, t.length());
    }

    @Test
    void longSeriesWithDifferentTimestampsAreAlignedOnTheUnion() {
        Path file = text(dir, "ragged.csv", "series,timestamp,value",
                "a,2016-07-01 00:00,1", "a,2016-07-01 01:00,2", "a,2016-07-01 02:00,3",
                "b,2016-07-01 01:00,20", "b,2016-07-01 03:00,40");
        SeriesTable mask = SeriesFiles.read(file, ReadOptions.defaults().withOnMissing(MissingPolicy.MASK));
        assertEquals(4, mask.length());
        assertArrayEquals(new double[] {1, 2, 3, Double.NaN}, mask.values()[0], 0.0);
        assertArrayEquals(new double[] {Double.NaN, 20, Double.NaN, 40}, mask.values()[1], 0.0);
        SeriesTable filled = SeriesFiles.read(file, ReadOptions.defaults().withOnMissing(MissingPolicy.INTERPOLATE));
        assertArrayEquals(new double[] {1, 2, 3, 3}, filled.values()[0], 0.0);
        assertArrayEquals(new double[] {20, 20, 30, 40}, filled.values()[1], 0.0);
    }

    @Test
    void longTargetSelectsSeriesById() {
        Path file = text(dir, "ids.csv", "unique_id,ds,y",
                "a,2016-07-01,1", "a,2016-07-02,2", "b,2016-07-01,bad", "c,2016-07-01,5", "c,2016-07-02,6");
        SeriesTable t = SeriesFiles.read(file, ReadOptions.defaults().withTarget("c", "a"));
        assertEquals(List.of("c", "a"), t.columns());
        assertArrayEquals(new double[] {5, 6}, t.values()[0], 0.0);
    }

    @Test
    void zonesOffsetsAndQuotingAreRead() {
        // 02:00+02:00 is 00:00Z; a quoted cell with a comma in a column the target leaves out.
        Path file = text(dir, "zones.csv", "timestamp,x,note",
                "2016-07-01T02:00:00+02:00,1,\"a, b\"",
                "2016-07-01T01:00:00Z,2,\"c\"",
                "\"2016-07-01 02:00:00\",\"3\",");
        SeriesTable t = SeriesFiles.read(file, ReadOptions.defaults().withTarget("x"));
        assertArrayEquals(new long[] {JULY_1_2016, JULY_1_2016 + 3600, JULY_1_2016 + 7200}, t.timestamps());
        assertArrayEquals(new double[] {1, 2, 3}, t.values()[0], 0.0);
    }

    @Test
    void blankLinesAndAByteOrderMarkAreSkipped() {
        Path file = text(dir, "bom.csv", "\uFEFFdate,x", "", "2016-07-01 00:00,1", "   ", "2016-07-01 01:00,2", "");
        SeriesTable t = SeriesFiles.read(file);
        assertEquals(List.of("x"), t.columns());
        assertArrayEquals(new double[] {1, 2}, t.values()[0], 0.0);
    }

    @Test
    void formatIsToldByMagicBytesThenExtension() {
        assertEquals(SeriesFiles.Format.CSV, SeriesFiles.detect(text(dir, "x.csv", WIDE), "x"));
        assertEquals(SeriesFiles.Format.CSV, SeriesFiles.detect(text(dir, "x.txt", WIDE), "x"));
        assertEquals(SeriesFiles.Format.ARROW_STREAM, SeriesFiles.detect(text(dir, "x.arrows", WIDE), "x"));
        assertEquals(SeriesFiles.Format.ARROW_STREAM, SeriesFiles.detect(text(dir, "x.feather", WIDE), "x"));
        assertEquals(SeriesFiles.Format.ARROW_FILE, SeriesFiles.detect(text(dir, "x.csv", "ARROW1"), "x"));
        assertTrue(SeriesFiles.name(Path.of("/a/b/ETTm2.csv")).equals("ETTm2"));
    }
}
