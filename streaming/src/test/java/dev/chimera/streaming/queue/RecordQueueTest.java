package dev.chimera.streaming.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.UserException;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.streaming.record.Observation;
import dev.chimera.streaming.record.RecordFormatException;
import dev.chimera.streaming.record.StreamRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.WireOut;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every record type written to a real Chronicle queue and read back: equal records, bit-identical
 * doubles (-0.0, NaN payloads, subnormals, infinities), order and indexes; documents this build cannot
 * read are refused with their index and text, and reading goes on after them.
 */
class RecordQueueTest {
    @TempDir
    Path dir;

    /** A queue pinned to one day, so that every record of a test lands in one cycle file. */
    private ChronicleQueue queue(String name) {
        return Queues.builder(dir.resolve(name)).timeProvider(new SetTimeProvider(1_700_000_000_000L)).build();
    }

    private static final double[] AWKWARD = {
        -0.0, 0.0, Double.longBitsToDouble(0x7ff8_0000_dead_beefL), Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, 1.0, -1.0, 0.1, 12345.0, -3.0e-310};

    private static void assertBits(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
                    "value " + i + ": " + expected[i] + " read back as " + actual[i]);
        }
    }

    static List<StreamRecord> mixedRecords() {
        Random r = new Random(12);
        List<StreamRecord> records = new ArrayList<>();
        records.add(new Observation("ETTh1", 1_467_331_200L, AWKWARD.clone()));
        records.add(new Observation("série-ü", -86_400L, new double[] {r.nextGaussian()}));
        double[] point = new double[3 * 5];
        double[][] quantiles = new double[3][point.length];
        for (int i = 0; i < point.length; i++) {
            point[i] = r.nextGaussian();
            for (int q = 0; q < 3; q++) {
                quantiles[q][i] = point[i] + (q - 1) * r.nextDouble();
            }
        }
        records.add(new ForecastRecord("ETTh1", 81_604_378_624L, 1_467_334_800L, 5, 3, point,
                new double[] {0.1, 0.5, 0.9}, quantiles));
        records.add(ForecastRecord.point("OT", 7, 0, AWKWARD.clone()));
        records.add(new DeadLetter(42, "series OT: 2 values; expected 1", "{\"series\":\"OT\",\"values\":[1,2]}"));
        records.add(new DeadLetter(-1, "unparsable", null));
        return records;
    }

    @Test
    void everyRecordTypeRoundTripsBitForBitInOrder() {
        List<StreamRecord> records = mixedRecords();
        List<Long> indexes = new ArrayList<>();
        try (ChronicleQueue q = queue("mixed"); RecordAppender appender = new RecordAppender(q)) {
            for (StreamRecord record : records) {
                indexes.add(appender.append(record));
            }
        }
        for (int i = 1; i < indexes.size(); i++) {
            assertEquals(indexes.get(i - 1) + 1, indexes.get(i), "consecutive indexes within a cycle");
        }
        try (ChronicleQueue q = Queues.openExisting(dir.resolve("mixed"), "--queue");
             RecordTailer tailer = RecordTailer.fromStart(q)) {
            for (int i = 0; i < records.size(); i++) {
                QueueEntry e = tailer.next();
                assertEquals(indexes.get(i), e.index());
                assertEquals(records.get(i), e.record());
            }
            assertNull(tailer.next(), "nothing after the last record");
            QueueEntry first = null;
            try (RecordTailer again = RecordTailer.fromStart(q)) {
                first = again.next();
                again.next();
                ForecastRecord f = (ForecastRecord) again.next().record();
                ForecastRecord expected = (ForecastRecord) records.get(2);
                assertBits(expected.point(), f.point());
                assertArrayEquals(new double[] {0.1, 0.5, 0.9}, f.levels());
                assertBits(expected.quantiles()[2], f.quantiles()[2]);
                assertBits(AWKWARD, ((ForecastRecord) again.next().record()).point());
            }
            assertBits(AWKWARD, ((Observation) first.record()).values());
        }
    }

    @Test
    void aTailerFromTheEndSeesOnlyLaterRecords() {
        try (ChronicleQueue q = queue("later"); RecordAppender appender = new RecordAppender(q)) {
            appender.append(new Observation("a", 0, new double[] {1}));
            try (RecordTailer tailer = RecordTailer.fromEnd(q)) {
                assertNull(tailer.next());
                long index = appender.append(new Observation("a", 3600, new double[] {2}));
                QueueEntry e = tailer.next();
                assertEquals(index, e.index());
                assertEquals(new Observation("a", 3600, new double[] {2}), e.record());
                assertNull(tailer.next());
            }
        }
    }

    private static void writeRaw(ChronicleQueue q, Consumer<WireOut> content) {
        try (ExcerptAppender appender = q.createAppender(); DocumentContext dc = appender.writingDocument()) {
            content.accept(dc.wire());
        }
    }

    @Test
    void unreadableDocumentsAreRefusedWithTheirIndexAndTextAndReadingGoesOn() {
        try (ChronicleQueue q = queue("bad"); RecordAppender appender = new RecordAppender(q)) {
            writeRaw(q, w -> w.writeEventName("observation").marshallable(m -> {
                m.write("v").int32(2);
                m.write("series").text("OT");
            }));
            writeRaw(q, w -> w.writeEventName("heartbeat").marshallable(m -> m.write("v").int32(1)));
            writeRaw(q, w -> w.writeEventName("observation").marshallable(m -> {
                m.write("v").int32(1);
                m.write("series").text("OT");
                m.write("timestamp").int64(0);
            }));
            writeRaw(q, w -> w.writeEventName("forecast").marshallable(m -> {
                m.write("v").int32(1);
                m.write("series").text("OT");
                m.write("inputIndex").int64(1);
                m.write("timestamp").int64(0);
                m.write("horizon").int32(3);
                m.write("channels").int32(1);
                m.write("point").sequence(v -> v.float64(1.0));
                m.write("levels").sequence(v -> { });
                m.write("quantiles").sequence(v -> { });
            }));
            long good = appender.append(new Observation("OT", 0, new double[] {1.5}));
            try (RecordTailer tailer = RecordTailer.fromStart(q)) {
                RecordFormatException newer = assertThrows(RecordFormatException.class, tailer::next);
                assertEquals(good - 4, newer.index());
                assertEquals("record " + (good - 4) + ": observation format version 2; this build reads versions 1 "
                        + "to 1 (written by a newer Chimera?)", newer.getMessage());
                assertTrue(newer.raw().contains("v: 2") && newer.raw().contains("series: OT"), newer.raw());
                RecordFormatException unknown = assertThrows(RecordFormatException.class, tailer::next);
                assertEquals("a record of unknown type 'heartbeat'; expected observation, forecast or dead-letter",
                        unknown.reason());
                assertEquals("no field 'values'", assertThrows(RecordFormatException.class, tailer::next).reason());
                assertEquals("a forecast of series OT with 1 point values; expected channels * horizon = 1 * 3",
                        assertThrows(RecordFormatException.class, tailer::next).reason());
                QueueEntry e = tailer.next();
                assertEquals(good, e.index());
                assertEquals(new Observation("OT", 0, new double[] {1.5}), e.record());
            }
        }
    }

    @Test
    void aMissingOrForeignDirectoryIsAOneLineErrorAndIsLeftAlone() throws Exception {
        Path missing = dir.resolve("nope");
        UserException e = assertThrows(UserException.class, () -> Queues.openExisting(missing, "--queue"));
        assertEquals("--queue " + missing + ": no such queue directory; expected a queue that stream replay or "
                + "stream run wrote", e.getMessage());
        assertTrue(Files.notExists(missing));
        Path foreign = Files.createDirectories(dir.resolve("photos"));
        Files.writeString(foreign.resolve("cat.jpg"), "x");
        assertTrue(assertThrows(UserException.class, () -> Queues.openExisting(foreign, "--queue")).getMessage()
                .contains("not a Chronicle queue"));
        assertTrue(assertThrows(UserException.class, () -> Queues.openOrCreate(foreign, "--to")).getMessage()
                .contains("holds no Chronicle queue"));
        try (var files = Files.list(foreign)) {
            assertEquals(1, files.count(), "nothing created in a directory that is not a queue");
        }
    }
}
