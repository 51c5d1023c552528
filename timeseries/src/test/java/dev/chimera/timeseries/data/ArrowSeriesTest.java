package dev.chimera.timeseries.data;

import static dev.chimera.timeseries.data.Fixtures.JULY_1_2016;
import static dev.chimera.timeseries.data.Fixtures.assertAt;
import static dev.chimera.timeseries.data.Fixtures.assertSameSeries;
import static dev.chimera.timeseries.data.Fixtures.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.ArrowTables;
import dev.chimera.timeseries.data.ArrowFixtures.Column;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Arrow IPC files and streams, wide and long, read into the same tables as their CSV forms. */
class ArrowSeriesTest {

    @TempDir
    Path dir;

    /** The round-trip table of {@link SeriesFilesTest#expected()}: values[c][t]. */
    private static final double[][] V = SeriesFilesTest.expected().values();

    private static final String[] IDS = {"a", "b", "c"};

    private static Field field(String name, ArrowType type) {
        return new Field(name, FieldType.nullable(type), null);
    }

    private static Column timestamp(String name, TimeUnit unit, String zone) {
        long perSecond = unit == TimeUnit.SECOND ? 1 : unit == TimeUnit.MILLISECOND ? 1_000
                : unit == TimeUnit.MICROSECOND ? 1_000_000 : 1_000_000_000;
        return new Column(field(name, new ArrowType.Timestamp(unit, zone)),
                (v, i, row) -> ((TimeStampVector) v).setSafe(i, (JULY_1_2016 + 3600L * row) * perSecond));
    }

    /** Wide columns a (float64), b (float32), c (int32), as the expected table. */
    private static List<Column> wideValues() {
        return List.of(
                new Column(field("a", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                        (v, i, row) -> ((Float8Vector) v).setSafe(i, V[0][row])),
                new Column(field("b", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
                        (v, i, row) -> ((Float4Vector) v).setSafe(i, (float) V[1][row])),
                new Column(field("c", new ArrowType.Int(32, true)),
                        (v, i, row) -> ((IntVector) v).setSafe(i, (int) V[2][row])));
    }

    private static List<Column> wide(Column time) {
        return List.of(time, wideValues().get(0), wideValues().get(1), wideValues().get(2));
    }

    private static void setText(org.apache.arrow.vector.FieldVector v, int i, String text) {
        ((VarCharVector) v).setSafe(i, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Long columns, rows interleaved by series: row r is series r % 3 at hour r / 3. */
    private static List<Column> longColumns(Column time) {
        return List.of(
                new Column(field("series", ArrowType.Utf8.INSTANCE), (v, i, row) -> setText(v, i, IDS[row % 3])),
                time,
                new Column(field("value", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                        (v, i, row) -> ((Float8Vector) v).setSafe(i, V[row % 3][row / 3])));
    }

    @Test
    void wideArrowFileInSeveralBatches() {
        Path file = ArrowFixtures.write(dir.resolve("wide.arrow"), false, 4, 3,
                wide(timestamp("date", TimeUnit.MILLISECOND, "UTC")));
        SeriesTable t = SeriesFiles.read(file);
        assertSameSeries(SeriesFilesTest.expected(), t);
        assertEquals("wide", t.name());
    }

    @Test
    void wideArrowStreamToldByExtensionOrByItsBytes() {
        Path arrows = ArrowFixtures.write(dir.resolve("wide.arrows"), true, 4, 2,
                wide(timestamp("timestamp", TimeUnit.NANOSECOND, null)));
        assertSameSeries(SeriesFilesTest.expected(), SeriesFiles.read(arrows));
        // A stream under a .csv name is still a stream: its first bytes are the continuation marker.
        Path disguised = ArrowFixtures.write(dir.resolve("wide.csv"), true, 4, 4,
                wide(timestamp("timestamp", TimeUnit.SECOND, null)));
        assertSameSeries(SeriesFilesTest.expected(), SeriesFiles.read(disguised));
    }

    @Test
    void longArrowFileWithTextTimestamps() {
        Column time = new Column(field("timestamp", ArrowType.Utf8.INSTANCE),
                (v, i, row) -> setText(v, i, Timestamps.format(JULY_1_2016 + 3600L * (row / 3))));
        Path file = ArrowFixtures.write(dir.resolve("long.feather"), false, 12, 5, longColumns(time));
        assertSameSeries(SeriesFilesTest.expected(), SeriesFiles.read(file));
    }

    @Test
    void longArrowStreamWithEpochSecondTimestamps() {
        Column time = new Column(field("timestamp", new ArrowType.Int(64, true)),
                (v, i, row) -> ((BigIntVector) v).setSafe(i, JULY_1_2016 + 3600L * (row / 3)));
        Path file = ArrowFixtures.write(dir.resolve("long.arrows"), true, 12, 7, longColumns(time));
        assertSameSeries(SeriesFilesTest.expected(), SeriesFiles.read(file));
    }

    @ParameterizedTest
    @EnumSource(TimeUnit.class)
    void everyTimestampUnitWithOrWithoutAZone(TimeUnit unit) {
        Path file = ArrowFixtures.write(dir.resolve("unit.arrow"), false, 4, 4,
                wide(timestamp("date", unit, unit == TimeUnit.MICROSECOND ? "America/New_York" : null)));
        assertSameSeries(SeriesFilesTest.expected(), SeriesFiles.read(file));
    }

    @Test
    void dateDayTimestampsAreDaily() {
        Path file = ArrowFixtures.write(dir.resolve("days.arrow"), false, 3, 3, List.of(
                new Column(field("date", new ArrowType.Date(DateUnit.DAY)),
                        (v, i, row) -> ((DateDayVector) v).setSafe(i, (int) (JULY_1_2016 / 86_400) + row)),
                new Column(field("x", new ArrowType.Int(64, true)),
                        (v, i, row) -> ((BigIntVector) v).setSafe(i, 10L * row))));
        SeriesTable t = SeriesFiles.read(file);
        assertEquals(Duration.ofDays(1), t.step());
        assertEquals(JULY_1_2016, t.timestamps()[0]);
        assertArrayEquals(new double[] {0, 10, 20}, t.values()[0], 0.0);
    }

    @Test
    void theRuntimeArrowWriterRoundTrips() {
        Path file = dir.resolve("runtime.arrow");
        try (ArrowTables.Writer w = ArrowTables.create(file, List.of(ArrowTables.Column.int64("ds"),
                ArrowTables.Column.float64("a"), ArrowTables.Column.float64("b"), ArrowTables.Column.float64("c")),
                3, Map.of())) {
            for (int t = 0; t < 4; t++) {
                w.set(0, JULY_1_2016 + 3600L * t);
                for (int c = 0; c < 3; c++) {
                    w.set(c + 1, V[c][t]);
                }
                w.endRow();
            }
            w.commit();
        }
        assertSameSeries(SeriesFilesTest.expected(), SeriesFiles.read(file));
    }

    @Test
    void dictionaryEncodedSeriesIds() {
        try (BufferAllocator allocator = new RootAllocator();
             VarCharVector ids = new VarCharVector("ids", allocator)) {
            ids.allocateNew();
            for (int i = 0; i < 3; i++) {
                ids.setSafe(i, IDS[i].getBytes(StandardCharsets.UTF_8));
            }
            ids.setValueCount(3);
            DictionaryEncoding encoding = new DictionaryEncoding(7L, false, new ArrowType.Int(32, true));
            DictionaryProvider provider = new DictionaryProvider.MapDictionaryProvider(new Dictionary(ids, encoding));
            Column series = new Column(new Field("unique_id", new FieldType(false, new ArrowType.Int(32, true),
                    encoding), null), (v, i, row) -> ((IntVector) v).setSafe(i, row % 3));
            Column time = new Column(field("ds", new ArrowType.Int(64, true)),
                    (v, i, row) -> ((BigIntVector) v).setSafe(i, JULY_1_2016 + 3600L * (row / 3)));
            Column value = new Column(field("y", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                    (v, i, row) -> ((Float8Vector) v).setSafe(i, V[row % 3][row / 3]));
            for (boolean stream : new boolean[] {false, true}) {
                Path file = ArrowFixtures.write(dir.resolve("dict" + stream + ".arrow"), stream, 12, 5,
                        List.of(series, time, value), provider);
                assertSameSeries(SeriesFilesTest.expected(), SeriesFiles.read(file));
            }
        }
    }

    /** Column x of 6 hourly rows in batches of 4, where row 5 (the second batch's first) is null or NaN. */
    private Path withMissingRowFive(String name, boolean nullNotNaN) {
        return ArrowFixtures.write(dir.resolve(name), false, 6, 4, List.of(
                timestamp("date", TimeUnit.SECOND, null),
                new Column(field("x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), (v, i, row) -> {
                    if (row != 4) {
                        ((Float8Vector) v).setSafe(i, row);
                    } else if (nullNotNaN) {
                        ((Float8Vector) v).setNull(i);
                    } else {
                        ((Float8Vector) v).setSafe(i, Double.NaN);
                    }
                })));
    }

    @Test
    void nullsAndNaNAreMissingValues() {
        String m = failure(withMissingRowFive("nulls.arrow", true));
        assertAt(m, "row 5", "x");
        assertTrue(m.contains("found null, a missing value; expected a number, or pass --on-missing"), m);
        assertAt(failure(withMissingRowFive("nans.arrow", false)), "row 5", "x");
        SeriesTable masked = SeriesFiles.read(withMissingRowFive("masked.arrow", true),
                ReadOptions.defaults().withOnMissing(MissingPolicy.MASK));
        assertArrayEquals(new double[] {0, 1, 2, 3, Double.NaN, 5}, masked.values()[0], 0.0);
        SeriesTable filled = SeriesFiles.read(withMissingRowFive("filled.arrow", false),
                ReadOptions.defaults().withOnMissing(MissingPolicy.INTERPOLATE));
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, filled.values()[0], 0.0);
    }

    @Test
    void columnTypesThatCannotHoldTheirPart() {
        Path textValues = ArrowFixtures.write(dir.resolve("text.arrow"), false, 2, 2, List.of(
                timestamp("date", TimeUnit.SECOND, null),
                new Column(field("OT", ArrowType.Utf8.INSTANCE), (v, i, row) -> setText(v, i, "1.5"))));
        String m = failure(textValues);
        assertAt(m, "the schema", "OT");
        assertTrue(m.contains("found type Utf8; expected a number column"), m);
        Path floatTimes = ArrowFixtures.write(dir.resolve("floattime.arrow"), false, 2, 2, List.of(
                new Column(field("date", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                        (v, i, row) -> ((Float8Vector) v).setSafe(i, row)),
                wideValues().get(0)));
        assertAt(failure(floatTimes), "the schema", "date");
    }

    @Test
    void badTimestampsAndDuplicatesNameTheRow() {
        Path text = ArrowFixtures.write(dir.resolve("badtime.arrow"), false, 4, 4, List.of(
                new Column(field("date", ArrowType.Utf8.INSTANCE),
                        (v, i, row) -> setText(v, i, row == 2 ? "yesterday" : Timestamps.format(JULY_1_2016 + 3600L * row))),
                wideValues().get(0)));
        String m = failure(text);
        assertAt(m, "row 3", "date");
        assertTrue(m.contains("found 'yesterday'; expected a timestamp"), m);
        Path dup = ArrowFixtures.write(dir.resolve("dup.arrows"), true, 4, 3, List.of(
                new Column(field("date", new ArrowType.Int(64, true)),
                        (v, i, row) -> ((BigIntVector) v).setSafe(i, JULY_1_2016 + 3600L * Math.min(row, 2))),
                wideValues().get(0)));
        String d = failure(dup);
        assertAt(d, "row 4", "date");
        assertTrue(d.contains("duplicate timestamp") && d.contains("(also on row 3)"), d);
        Path nullTime = ArrowFixtures.write(dir.resolve("nulltime.arrow"), false, 3, 3, List.of(
                new Column(field("date", new ArrowType.Int(64, true)), (v, i, row) -> {
                    if (row == 1) {
                        ((BigIntVector) v).setNull(i);
                    } else {
                        ((BigIntVector) v).setSafe(i, JULY_1_2016 + 3600L * row);
                    }
                }),
                wideValues().get(0)));
        assertAt(failure(nullTime), "row 2", "date");
        Path millis = ArrowFixtures.write(dir.resolve("millis.arrow"), false, 3, 3, List.of(
                new Column(field("date", new ArrowType.Int(64, true)),
                        (v, i, row) -> ((BigIntVector) v).setSafe(i, (JULY_1_2016 + 3600L * row) * 1000)),
                wideValues().get(0)));
        String ms = failure(millis);
        assertAt(ms, "row 1", "date");
        assertTrue(ms.contains("found 1467331200000, past the year 5000 as epoch seconds"), ms);
    }

    @Test
    void anEmptyTableAndCorruptFiles() throws IOException {
        Path empty = ArrowFixtures.write(dir.resolve("empty.arrow"), false, 0, 1, wide(timestamp("date", TimeUnit.SECOND, null)));
        assertTrue(failure(empty).contains("the schema: found the column names but no rows"));
        Path corrupt = dir.resolve("corrupt.arrow");
        Files.write(corrupt, "ARROW1\0\0 this is not a footer".getBytes(StandardCharsets.US_ASCII));
        assertTrue(failure(corrupt).contains("not a readable Arrow IPC file"));
        Path text = dir.resolve("text.arrow");
        Files.writeString(text, "date,x\n2016-07-01,1\n");
        assertTrue(failure(text).contains("not a readable Arrow IPC stream"));
        Path feather1 = dir.resolve("old.feather");
        Files.writeString(feather1, "FEA1....");
        assertTrue(failure(feather1).contains("Feather v1"));
    }
}
