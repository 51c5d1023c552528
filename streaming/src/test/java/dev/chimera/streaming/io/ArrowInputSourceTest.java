package dev.chimera.streaming.io;

import static dev.chimera.streaming.io.ArrowTestFiles.assertOneLineNaming;
import static dev.chimera.streaming.io.ArrowTestFiles.assertSameObservations;
import static dev.chimera.streaming.io.ArrowTestFiles.observationStream;
import static dev.chimera.streaming.io.ArrowTestFiles.observations;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.UserException;
import dev.chimera.streaming.record.Observation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Observations read from Arrow IPC streams: round trips bit for bit from a file and from a pipe, a
 * file read while it grows (byte by byte, and by a writer thread), startAfter, refused rows with their
 * reasons, the number-column and Timestamp forms, and files that are not streams.
 */
class ArrowInputSourceTest {
    @TempDir
    Path dir;

    /** Every input until the source ends, waiting for a pipe's reading thread at most a few seconds. */
    private static List<InputRecord> readUntilEnded(InputSource source) {
        List<InputRecord> records = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!source.ended()) {
            InputRecord record = source.next();
            if (record != null) {
                records.add(record);
            } else {
                assertTrue(System.nanoTime() < deadline, "no end of stream after " + records.size() + " inputs");
                Thread.onSpinWait();
            }
        }
        return records;
    }

    /** Every input there is now: until the first null. */
    private static List<InputRecord> readAvailable(InputSource source) {
        List<InputRecord> records = new ArrayList<>();
        for (InputRecord r = source.next(); r != null; r = source.next()) {
            records.add(r);
        }
        return records;
    }

    private static List<Observation> observationsOf(List<InputRecord> records, long firstIndex) {
        List<Observation> list = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            assertEquals(firstIndex + i, records.get(i).index(), "input index");
            assertNull(records.get(i).refusal(), records.get(i).refusal());
            list.add(records.get(i).observation());
        }
        return list;
    }

    @Test
    void observationsRoundTripBitForBitThroughAFileAndAPipe() throws IOException {
        List<Observation> written = observations(23);
        Path file = dir.resolve("in.arrows");
        try (ArrowObservationWriter writer = ArrowObservationWriter.create(file)) {
            for (int i = 0; i < written.size(); i++) {
                writer.append(written.get(i));
                if (i == 9 || i == 10) {
                    writer.flush();
                }
            }
            writer.flush();
            writer.flush();
        }
        try (ArrowInputSource source = ArrowInputSource.follow(file)) {
            source.startAfter(-1);
            assertSameObservations(written, observationsOf(readUntilEnded(source), 0));
            assertNull(source.next());
            assertEquals(0, source.backlog());
        }
        try (ArrowInputSource source = ArrowInputSource.fromStream(
                new ByteArrayInputStream(Files.readAllBytes(file)), "pipe")) {
            assertSameObservations(written, observationsOf(readUntilEnded(source), 0));
        }
    }

    @Test
    void aFileGrowingByteByByteYieldsEachBatchOnceItIsWhole() throws IOException {
        List<Observation> written = observations(7);
        List<Integer> ends = new ArrayList<>();
        byte[] stream = observationStream(List.of(written.subList(0, 3), written.subList(3, 4),
                written.subList(4, 7)), ends);
        int[] rowsBefore = {0, 0, 3, 4, 7, 7}; // rows whole once message k (schema, 3 batches, marker) is there
        Path file = dir.resolve("growing.arrows");
        Files.write(file, new byte[0]);
        List<InputRecord> read = new ArrayList<>();
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND);
             ArrowInputSource source = ArrowInputSource.follow(file)) {
            for (int length = 1; length <= stream.length; length++) {
                out.write(stream[length - 1]);
                out.flush();
                read.addAll(readAvailable(source));
                int whole = 0;
                while (whole < ends.size() && ends.get(whole) <= length) {
                    whole++;
                }
                assertEquals(rowsBefore[whole], read.size(), "inputs read from the first " + length + " bytes");
                assertEquals(length == stream.length, source.ended(), "ended after " + length + " bytes");
            }
        }
        assertSameObservations(written, observationsOf(read, 0));
    }

    @Test
    void aFileAppendedToByAWriterThreadYieldsEveryRowOnceInOrder() throws Exception {
        List<Observation> written = observations(40);
        List<List<Observation>> batches = new ArrayList<>();
        for (int i = 0; i < written.size(); i += 5) {
            batches.add(written.subList(i, i + 5));
        }
        List<Integer> ends = new ArrayList<>();
        byte[] stream = observationStream(batches, ends);
        Path file = dir.resolve("appended.arrows");
        Files.write(file, Arrays.copyOf(stream, ends.get(0)));
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
                for (int m = 1; m < ends.size(); m++) {
                    int start = ends.get(m - 1);
                    int end = ends.get(m);
                    // Every third message in two halves, a pause between them.
                    int half = m % 3 == 0 ? start + (end - start) / 2 : end;
                    out.write(stream, start, half - start);
                    out.flush();
                    Thread.sleep(m % 3 == 0 ? 30 : 2);
                    out.write(stream, half, end - half);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                failure.set(e);
            }
        });
        try (ArrowInputSource source = ArrowInputSource.follow(file)) {
            writer.start();
            List<InputRecord> read = readUntilEnded(source);
            writer.join();
            assertNull(failure.get());
            assertSameObservations(written, observationsOf(read, 0));
        }
    }

    @Test
    void startAfterSkipsTheRowsUpToTheIndexGiven() {
        List<Observation> written = observations(12);
        byte[] stream = observationStream(List.of(written.subList(0, 4), written.subList(4, 8),
                written.subList(8, 12)), new ArrayList<>());
        for (long after : new long[] {-1, 3, 5, 11, 40}) {
            try (ArrowInputSource source = ArrowInputSource.fromStream(new ByteArrayInputStream(stream), "pipe")) {
                source.startAfter(after);
                List<InputRecord> read = readUntilEnded(source);
                int first = (int) Math.min(after + 1, written.size());
                assertSameObservations(written.subList(first, written.size()), observationsOf(read, first));
            }
        }
        try (ArrowInputSource source = ArrowInputSource.fromStream(new ByteArrayInputStream(stream), "pipe")) {
            source.startAfter(5);
            InputRecord first = null;
            while (first == null) {
                first = source.next();
            }
            assertEquals(6, first.index());
            assertEquals(1, source.backlog(), "row 7 of the second batch is left");
        }
    }

    @Test
    void rowsThatAreNotObservationsAreRefusedWithWhereAndWhyAndReadingGoesOn() throws IOException {
        Field item = new Field("item", FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                null);
        Schema schema = new Schema(List.of(
                Field.nullable("series", ArrowType.Utf8.INSTANCE),
                Field.nullable("timestamp", new ArrowType.Int(64, true)),
                new Field("values", FieldType.nullable(ArrowType.List.INSTANCE), List.of(item))));
        String[] series = {"a", null, "a", "a", "a", "a", "", "a"};
        Long[] timestamps = {10L, 11L, null, 13L, 14L, 1_700_000_000_000L, 16L, 17L};
        double[][] values = {{1}, {1}, {1}, null, {}, {1}, {1}, {Double.NaN, 2}};
        byte[] stream = ArrowTestFiles.stream(schema, root -> {
            VarCharVector s = (VarCharVector) root.getVector("series");
            BigIntVector t = (BigIntVector) root.getVector("timestamp");
            ListVector v = (ListVector) root.getVector("values");
            Float8Vector items = (Float8Vector) v.getDataVector();
            for (int row = 0; row < series.length; row++) {
                if (series[row] != null) {
                    s.setSafe(row, series[row].getBytes(StandardCharsets.UTF_8));
                }
                if (timestamps[row] != null) {
                    t.setSafe(row, timestamps[row]);
                }
                if (values[row] != null) {
                    int first = v.startNewValue(row);
                    for (int c = 0; c < values[row].length; c++) {
                        if (Double.isNaN(values[row][c])) {
                            items.setNull(first + c);
                        } else {
                            items.setSafe(first + c, values[row][c]);
                        }
                    }
                    v.endValue(row, values[row].length);
                }
            }
            root.setRowCount(series.length);
        });
        Path file = dir.resolve("mixed.arrows");
        Files.write(file, stream);
        try (ArrowInputSource source = ArrowInputSource.follow(file)) {
            List<InputRecord> read = readUntilEnded(source);
            assertEquals(8, read.size());
            assertEquals(new Observation("a", 10, new double[] {1}), read.get(0).observation());
            assertEquals(new Observation("a", 17, new double[] {Double.NaN, 2}), read.get(7).observation());
            String[] expected = {null, "series is null; expected a series id",
                "timestamp is null; expected epoch seconds", "values is null; expected a list",
                "values is empty; expected a list", "timestamp 1700000000000 is past the year 5000",
                "series is empty; expected a series id", null};
            for (int row = 0; row < 8; row++) {
                InputRecord r = read.get(row);
                assertEquals(row, r.index());
                if (expected[row] == null) {
                    assertNull(r.refusal());
                    continue;
                }
                assertNull(r.observation());
                assertOneLineNaming(r.refusal(), file + ", batch 0 row " + row + " (input index " + row + "): ");
                assertOneLineNaming(r.refusal(), expected[row]);
            }
            assertEquals("{series: null, timestamp: 11, values: [1.0]}", read.get(1).raw());
            assertEquals("{series: a, timestamp: null, values: [1.0]}", read.get(2).raw());
        }
    }

    @Test
    void valuesMayBeNumberColumnsAndTimestampsAnArrowTimestamp() {
        Schema schema = new Schema(List.of(
                Field.notNullable("series", ArrowType.Utf8.INSTANCE),
                Field.notNullable("timestamp", new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC")),
                Field.nullable("HUFL", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
                Field.nullable("count", new ArrowType.Int(32, true)),
                Field.nullable("OT", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                Field.nullable("appended", new ArrowType.Int(64, true))));
        byte[] stream = ArrowTestFiles.stream(schema, root -> {
            for (int row = 0; row < 3; row++) {
                ((VarCharVector) root.getVector("series")).setSafe(row, "ETTh1".getBytes(StandardCharsets.UTF_8));
                ((TimeStampMilliTZVector) root.getVector("timestamp")).setSafe(row,
                        1_467_331_200_000L + 3_600_000L * row + (row == 2 ? 500 : 0));
                ((Float4Vector) root.getVector("HUFL")).setSafe(row, 5.827f);
                ((IntVector) root.getVector("count")).setSafe(row, -row);
            }
            ((Float8Vector) root.getVector("OT")).setSafe(0, 30.531);
            ((BigIntVector) root.getVector("appended")).setSafe(1, 42);
            root.setRowCount(3);
        });
        try (ArrowInputSource source = ArrowInputSource.fromStream(new ByteArrayInputStream(stream), "pipe")) {
            List<InputRecord> read = readUntilEnded(source);
            assertEquals(new Observation("ETTh1", 1_467_331_200L, new double[] {5.827f, 0, 30.531}),
                    read.get(0).observation());
            assertEquals(new Observation("ETTh1", 1_467_334_800L, new double[] {5.827f, -1, Double.NaN}, 42),
                    read.get(1).observation());
            assertOneLineNaming(read.get(2).refusal(), "pipe, batch 0 row 2 (input index 2): timestamp 1467338400500 "
                    + "(MILLISECOND) has a fraction of a second; expected whole seconds");
        }
    }

    @Test
    void everyRowOfASchemaThatDoesNotFitIsRefusedWithTheReason() {
        Schema schema = new Schema(List.of(Field.notNullable("series", new ArrowType.Int(64, true)),
                Field.notNullable("timestamp", new ArrowType.Int(64, true)),
                Field.notNullable("OT", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
        byte[] stream = ArrowTestFiles.stream(schema, root -> {
            for (int row = 0; row < 2; row++) {
                ((BigIntVector) root.getVector("series")).setSafe(row, 7);
                ((BigIntVector) root.getVector("timestamp")).setSafe(row, 100 + row);
                ((Float8Vector) root.getVector("OT")).setSafe(row, 1.5);
            }
            root.setRowCount(2);
        });
        try (ArrowInputSource source = ArrowInputSource.fromStream(new ByteArrayInputStream(stream), "pipe")) {
            List<InputRecord> read = readUntilEnded(source);
            assertEquals(2, read.size());
            for (int row = 0; row < 2; row++) {
                assertOneLineNaming(read.get(row).refusal(), "pipe, batch 0 row " + row + " (input index " + row
                        + "): column 'series' is Int(64, true); expected Utf8");
                assertEquals("{series: 7, timestamp: " + (100 + row) + ", OT: 1.5}", read.get(row).raw());
            }
        }
    }

    @Test
    void aPipeEndingInsideAMessageRefusesItOnceThenEnds() {
        List<Observation> written = observations(6);
        List<Integer> ends = new ArrayList<>();
        byte[] stream = observationStream(List.of(written.subList(0, 2), written.subList(2, 6)), ends);
        byte[] cut = Arrays.copyOf(stream, ends.get(1) + 20);
        try (ArrowInputSource source = ArrowInputSource.fromStream(new ByteArrayInputStream(cut), "pipe")) {
            List<InputRecord> read = readUntilEnded(source);
            assertEquals(3, read.size());
            assertSameObservations(written.subList(0, 2), observationsOf(read.subList(0, 2), 0));
            assertEquals(2, read.get(2).index());
            assertOneLineNaming(read.get(2).refusal(), "pipe: the stream ends 20 bytes into the message at byte "
                    + ends.get(1) + "; expected the rest of the message, or an end-of-stream marker");
            assertNull(source.next());
        }
    }

    @Test
    void aFileThatIsNotAnArrowStreamIsAOneLineErrorNamingIt() throws IOException {
        Path csv = dir.resolve("obs.csv");
        Files.writeString(csv, "series,timestamp,value\nOT,0,1.5\n");
        UserException e = assertThrows(UserException.class, () -> ArrowInputSource.follow(csv));
        assertOneLineNaming(e.getMessage(), csv + ": not an Arrow IPC stream: it starts with bytes 73 65 72 69; "
                + "expected FF FF FF FF");

        Path arrowFile = dir.resolve("table.arrow");
        Files.write(arrowFile, "ARROW1\0\0".getBytes(StandardCharsets.US_ASCII));
        e = assertThrows(UserException.class, () -> ArrowInputSource.follow(arrowFile));
        assertOneLineNaming(e.getMessage(), "an Arrow IPC file, the random-access format");

        Path missing = dir.resolve("missing.arrows");
        e = assertThrows(UserException.class, () -> ArrowInputSource.follow(missing));
        assertOneLineNaming(e.getMessage(), missing + ": no such file");

        try (ArrowInputSource source = ArrowInputSource.fromStream(new ByteArrayInputStream(Files.readAllBytes(csv)),
                "standard input")) {
            e = assertThrows(UserException.class, () -> readUntilEnded(source));
            assertOneLineNaming(e.getMessage(), "standard input: not an Arrow IPC stream");
        }
    }

    @Test
    void aStreamCorruptAfterItsStartIsAnErrorNamingTheByte() throws IOException {
        List<Integer> ends = new ArrayList<>();
        byte[] stream = observationStream(List.of(observations(2)), ends);
        byte[] corrupt = stream.clone();
        corrupt[ends.get(0)] = 0x12;
        Path file = dir.resolve("corrupt.arrows");
        Files.write(file, corrupt);
        try (ArrowInputSource source = ArrowInputSource.follow(file)) {
            UserException e = assertThrows(UserException.class, source::next);
            assertOneLineNaming(e.getMessage(), file + ": at byte " + ends.get(0) + ": found bytes 12 FF FF FF where a "
                    + "message starts");
        }
        assertArrayEquals(corrupt, Files.readAllBytes(file));
        assertFalse(Files.size(file) == 0);
    }
}
