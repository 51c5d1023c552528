package dev.chimera.streaming.io;

import static dev.chimera.streaming.io.ArrowTestFiles.AWKWARD;
import static dev.chimera.streaming.io.ArrowTestFiles.assertOneLineNaming;
import static dev.chimera.streaming.io.ArrowTestFiles.assertSameForecasts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chimera.runtime.UserException;
import dev.chimera.streaming.record.ForecastRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forecasts written as Arrow IPC streams and read back bit for bit; a forecast file continued after
 * a restart, and after a kill that cut its last batch at any byte; files that are not forecast
 * streams refused without being touched.
 */
class ArrowForecastSinkTest {
    @TempDir
    Path dir;

    /** Forecasts answering inputs {@code first}, {@code first + 1}, ...: point-only and with quantiles, 1 to 3 channels. */
    private static List<ForecastRecord> forecasts(long first, int n) {
        List<ForecastRecord> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long index = first + i;
            int channels = 1 + (int) (index % 3);
            int horizon = 2;
            double[] point = new double[channels * horizon];
            for (int j = 0; j < point.length; j++) {
                point[j] = AWKWARD[(int) ((index + j) % AWKWARD.length)];
            }
            if (index % 2 == 0) {
                list.add(ForecastRecord.point("OT-" + index % 4, index, 1_467_331_200L + index, point));
                continue;
            }
            double[] levels = {0.1, 0.5, 0.9};
            double[][] quantiles = new double[levels.length][];
            for (int q = 0; q < levels.length; q++) {
                quantiles[q] = point.clone();
                quantiles[q][0] = q - 1.0;
            }
            list.add(new ForecastRecord("série-ü", index, -3600L * index, horizon, channels, point, levels, quantiles));
        }
        return list;
    }

    private static void write(ArrowForecastSink sink, List<ForecastRecord> batch) {
        batch.forEach(sink::append);
        sink.flush();
    }

    private static List<ForecastRecord> concat(List<ForecastRecord> a, List<ForecastRecord> b) {
        List<ForecastRecord> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void forecastsRoundTripBitForBitAndAFileIsContinuedAfterARestart() throws IOException {
        Path file = dir.resolve("forecasts.arrows");
        List<ForecastRecord> first = forecasts(0, 9);
        try (ArrowForecastSink sink = ArrowForecastSink.open(file)) {
            assertEquals(-1, sink.lastInputIndex());
            write(sink, first.subList(0, 4));
            long size = Files.size(file);
            sink.flush();
            assertEquals(size, Files.size(file), "an empty flush writes nothing");
            write(sink, first.subList(4, 9));
            assertSameForecasts(first, ArrowForecastReader.readAll(file));
        }
        assertSameForecasts(first, ArrowForecastReader.readAll(file));

        List<ForecastRecord> second = forecasts(9, 3);
        try (ArrowForecastSink sink = ArrowForecastSink.open(file)) {
            assertEquals(8, sink.lastInputIndex());
            write(sink, second);
        }
        // The end-of-stream marker of the first run is gone: a reader reads on into the second.
        assertSameForecasts(concat(first, second), ArrowForecastReader.readAll(file));
        try (ArrowForecastSink sink = ArrowForecastSink.open(file)) {
            assertEquals(11, sink.lastInputIndex());
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArrowForecastSink sink = ArrowForecastSink.toStream(out, "standard output")) {
            assertEquals(-1, sink.lastInputIndex());
            write(sink, first.subList(0, 2));
            write(sink, first.subList(2, 9));
        }
        assertSameForecasts(first, ArrowForecastReader.readAll(new ByteArrayInputStream(out.toByteArray()), "out"));
    }

    @Test
    void aFileCutAtAnyByteOfItsLastBatchIsContinuedAfterThePreviousBatch() throws IOException {
        Path whole = dir.resolve("whole.arrows");
        List<ForecastRecord> firstBatch = forecasts(0, 2);
        List<ForecastRecord> lastBatch = forecasts(2, 1);
        long firstEnd;
        long lastEnd;
        try (ArrowForecastSink sink = ArrowForecastSink.open(whole)) {
            write(sink, firstBatch);
            firstEnd = Files.size(whole);
            write(sink, lastBatch);
            lastEnd = Files.size(whole);
        }
        byte[] bytes = Files.readAllBytes(whole);
        assertEquals(lastEnd + 8, bytes.length, "an end-of-stream marker closes the file");
        List<ForecastRecord> after = forecasts(100, 2);
        Path file = dir.resolve("cut.arrows");
        // Every cut inside the last batch (a killed writer) and inside the end-of-stream marker.
        for (int cut = (int) firstEnd + 1; cut <= bytes.length; cut++) {
            Files.write(file, Arrays.copyOf(bytes, cut));
            boolean lastWhole = cut >= lastEnd;
            try (ArrowForecastSink sink = ArrowForecastSink.open(file)) {
                assertEquals(lastWhole ? 2 : 1, sink.lastInputIndex(), "cut at byte " + cut);
                assertEquals(lastWhole ? lastEnd : firstEnd, Files.size(file), "cut at byte " + cut);
                write(sink, after);
            }
            assertSameForecasts(concat(lastWhole ? concat(firstBatch, lastBatch) : firstBatch, after),
                    ArrowForecastReader.readAll(file));
        }
    }

    @Test
    void aFileThatIsNotAForecastStreamIsRefusedUntouched() throws IOException {
        Path observations = dir.resolve("observations.arrows");
        try (ArrowObservationWriter writer = ArrowObservationWriter.create(observations)) {
            ArrowTestFiles.observations(3).forEach(writer::append);
        }
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "not arrow\n");
        for (Path file : List.of(observations, text)) {
            byte[] before = Files.readAllBytes(file);
            UserException e = assertThrows(UserException.class, () -> ArrowForecastSink.open(file));
            assertOneLineNaming(e.getMessage(), file + ": ");
            assertOneLineNaming(e.getMessage(), file == text ? "not an Arrow IPC stream"
                    : "holds columns series: Utf8, timestamp: Int(64, true), values: List<FloatingPoint(DOUBLE)>, "
                    + "appended: Int(64, true); expected forecasts: series: Utf8, input_index: Int(64, true)");
            assertArrayEquals(before, Files.readAllBytes(file));
        }
        UserException e = assertThrows(UserException.class, () -> ArrowForecastReader.readAll(observations));
        assertOneLineNaming(e.getMessage(), observations + ": holds columns series: Utf8");
    }

    @Test
    void aFileWithAnotherStreamAfterItsEndOrOpenForWritingIsRefused() throws IOException {
        Path file = dir.resolve("forecasts.arrows");
        try (ArrowForecastSink sink = ArrowForecastSink.open(file)) {
            write(sink, forecasts(0, 1));
            UserException e = assertThrows(UserException.class, () -> ArrowForecastSink.open(file));
            assertOneLineNaming(e.getMessage(), file + ": is open for writing by another consumer");
        }
        byte[] one = Files.readAllBytes(file);
        byte[] two = Arrays.copyOf(one, 2 * one.length);
        System.arraycopy(one, 0, two, one.length, one.length);
        Files.write(file, two);
        UserException e = assertThrows(UserException.class, () -> ArrowForecastSink.open(file));
        assertOneLineNaming(e.getMessage(), file + ": has " + one.length + " bytes after its end-of-stream marker at "
                + "byte " + (one.length - 8));
        assertArrayEquals(two, Files.readAllBytes(file));
    }
}
