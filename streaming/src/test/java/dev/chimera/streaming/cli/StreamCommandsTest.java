package dev.chimera.streaming.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.UserErrorHandler;
import dev.chimera.streaming.queue.Queues;
import dev.chimera.streaming.queue.RecordAppender;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.StringJoiner;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code stream replay} into real queues and {@code stream tail} out of them: the exact JSON lines
 * (count, order, indexes, values bit for bit), the ways a table becomes series, bad input, pacing and
 * following a growing queue.
 */
class StreamCommandsTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run stream(String... args) {
        return stream(new StringWriter(), new StringWriter(), args);
    }

    static Run stream(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = UserErrorHandler.install(new CommandLine(new StreamCommand()));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static final long START = 1_577_836_800L; // 2020-01-01T00:00:00Z

    /** A wide hourly CSV of seeded values (some awkward: -0.0, tiny, huge), as Double.toString writes them. */
    static double[][] writeWide(Path file, int rows, String... columns) throws IOException {
        Random r = new Random(7);
        double[][] values = new double[rows][columns.length];
        StringBuilder csv = new StringBuilder("date," + String.join(",", columns) + "\n");
        for (int t = 0; t < rows; t++) {
            csv.append(Instant.ofEpochSecond(START + 3600L * t).toString().replace('T', ' ').replace("Z", ""));
            for (int c = 0; c < columns.length; c++) {
                double v = switch ((t + c) % 7) {
                    case 0 -> -0.0;
                    case 1 -> r.nextDouble() * 1e-300;
                    case 2 -> r.nextGaussian() * 1e300;
                    default -> r.nextGaussian() * 100;
                };
                values[t][c] = v;
                csv.append(',').append(v);
            }
            csv.append('\n');
        }
        Files.writeString(file, csv.toString());
        return values;
    }

    /** The queue's document indexes in order, read with a plain Chronicle tailer. */
    static List<Long> indexes(Path queueDir) {
        List<Long> indexes = new ArrayList<>();
        try (ChronicleQueue q = Queues.openExisting(queueDir, "--queue"); ExcerptTailer t = q.createTailer()) {
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        return indexes;
                    }
                    indexes.add(dc.index());
                }
            }
        }
    }

    static String observationJson(long index, String series, long timestamp, double... values) {
        StringJoiner v = new StringJoiner(",", "[", "]");
        for (double d : values) {
            v.add(Double.toString(d));
        }
        return "{\"index\":" + index + ",\"type\":\"observation\",\"series\":\"" + series + "\",\"timestamp\":\""
                + Instant.ofEpochSecond(timestamp) + "\",\"values\":" + v + "}";
    }

    static List<String> tailJson(Path queue) {
        Run tail = stream("tail", "--queue", queue.toString(), "--json", "--from-start", "--drain");
        assertEquals(0, tail.code(), tail.err());
        assertEquals("", tail.err());
        return tail.out().lines().toList();
    }

    @Test
    void replayThenTailGivesEveryObservationExactly() throws IOException {
        Path csv = dir.resolve("toy.csv");
        double[][] values = writeWide(csv, 30, "a", "b", "c");
        Path queue = dir.resolve("q");
        Run replay = stream("replay", "--csv", csv.toString(), "--to", queue.toString());
        assertEquals(0, replay.code(), replay.err());
        List<Long> indexes = indexes(queue);
        assertEquals(30, indexes.size());
        assertEquals("appended 30 observations of 1 series to " + queue + ": indexes " + indexes.get(0) + " to "
                + indexes.get(29) + "\n", replay.out());
        assertTrue(replay.err().startsWith("replaying 30 observations of 1 series from " + csv), replay.err());

        List<String> expected = new ArrayList<>();
        for (int t = 0; t < 30; t++) {
            expected.add(observationJson(indexes.get(t), "toy", START + 3600L * t, values[t]));
        }
        List<String> lines = tailJson(queue);
        assertEquals(expected, lines);
        // Bit for bit: every printed number parses back to the very double of the file, -0.0 included.
        String first = lines.get(0);
        assertTrue(first.contains("\"values\":[-0.0,"), first);
        for (int t = 0; t < 30; t++) {
            String printed = lines.get(t).substring(lines.get(t).indexOf("\"values\":[") + 10, lines.get(t).length() - 2);
            String[] cells = printed.split(",");
            for (int c = 0; c < 3; c++) {
                assertEquals(Double.doubleToRawLongBits(values[t][c]), Double.doubleToRawLongBits(Double.parseDouble(cells[c])));
            }
        }

        // A second replay appends after the first.
        Run again = stream("replay", "--csv", csv.toString(), "--to", queue.toString(), "--target", "b");
        assertEquals(0, again.code(), again.err());
        List<String> all = tailJson(queue);
        assertEquals(60, all.size());
        assertEquals(observationJson(indexes(queue).get(59), "toy", START + 3600L * 29, values[29][1]), all.get(59));
    }

    @Test
    void seriesFromColumnsMakesOneSingleValueSeriesPerColumnInColumnOrder() throws IOException {
        Path csv = dir.resolve("ETTx.csv");
        double[][] values = writeWide(csv, 4, "HUFL", "OT");
        Path queue = dir.resolve("cols");
        Run replay = stream("replay", "--csv", csv.toString(), "--to", queue.toString(), "--series-from-columns");
        assertEquals(0, replay.code(), replay.err());
        assertTrue(replay.out().startsWith("appended 8 observations of 2 series to "), replay.out());
        List<Long> indexes = indexes(queue);
        List<String> expected = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            expected.add(observationJson(indexes.get(2 * t), "HUFL", START + 3600L * t, values[t][0]));
            expected.add(observationJson(indexes.get(2 * t + 1), "OT", START + 3600L * t, values[t][1]));
        }
        assertEquals(expected, tailJson(queue));
    }

    @Test
    void aLongFileIsOneSeriesPerId() throws IOException {
        Path csv = dir.resolve("long.csv");
        Files.writeString(csv, String.join("\n", "unique_id,ds,y",
                "x,2020-01-01 00:00,1.5", "x,2020-01-01 01:00,2.5", "y,2020-01-01 00:00,-1", "y,2020-01-01 01:00,0.25",
                ""));
        Path queue = dir.resolve("long");
        Run replay = stream("replay", "--csv", csv.toString(), "--to", queue.toString(), "--json");
        assertEquals(0, replay.code(), replay.err());
        List<Long> i = indexes(queue);
        assertEquals("{\"observations\":4,\"series\":2,\"first_index\":" + i.get(0) + ",\"last_index\":" + i.get(3)
                + "}\n", replay.out());
        assertEquals(List.of(observationJson(i.get(0), "x", START, 1.5), observationJson(i.get(1), "y", START, -1),
                observationJson(i.get(2), "x", START + 3600, 2.5), observationJson(i.get(3), "y", START + 3600, 0.25)),
                tailJson(queue));
    }

    @Test
    void aBadFileIsOneLineAndAppendsNothing() throws IOException {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "date,a\n2020-01-01 00:00:00,1\n2020-01-01 01:00:00,oops\n2020-01-01 02:00:00,3\n");
        Path fresh = dir.resolve("fresh");
        Run r = stream("replay", "--csv", bad.toString(), "--to", fresh.toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("stream replay: error: " + bad + ": line 3"), r.err());
        assertEquals("", r.out());
        assertFalse(Files.exists(fresh), "no queue created");

        Path good = dir.resolve("good.csv");
        writeWide(good, 3, "a");
        Path queue = dir.resolve("kept");
        assertEquals(0, stream("replay", "--csv", good.toString(), "--to", queue.toString()).code());
        Run r2 = stream("replay", "--csv", bad.toString(), "--to", queue.toString());
        assertEquals(1, r2.code());
        assertEquals(3, indexes(queue).size(), "nothing appended to an existing queue");

        Path gap = dir.resolve("gap.csv");
        Files.writeString(gap, "date,a\n2020-01-01 00:00:00,1\n2020-01-01 01:00:00,2\n2020-01-01 03:00:00,3\n");
        Run g = stream("replay", "--csv", gap.toString(), "--to", queue.toString());
        assertEquals(1, g.code());
        assertTrue(g.err().contains("or pass --on-missing interpolate|mask"), g.err());
        Run masked = stream("replay", "--csv", gap.toString(), "--to", dir.resolve("masked").toString(),
                "--on-missing", "mask");
        assertEquals(0, masked.code(), masked.err());
        assertTrue(tailJson(dir.resolve("masked")).get(2).endsWith("\"values\":[\"NaN\"]}"));

        assertEquals(2, stream("replay", "--csv", good.toString(), "--to", queue.toString(), "--rate", "0").code());
        assertEquals(2, stream("replay", "--csv", good.toString(), "--to", queue.toString(), "--rate", "fast").code());
    }

    @Test
    void rateNPerSecondPacesTheAppends() throws IOException {
        Path csv = dir.resolve("paced.csv");
        writeWide(csv, 200, "a");
        long t0 = System.nanoTime();
        Run r = stream("replay", "--csv", csv.toString(), "--to", dir.resolve("paced").toString(), "--rate", "1000/s");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, r.code(), r.err());
        // 200 appends at 1000/s: the last is due 0.199 s after the first.
        assertTrue(seconds >= 0.15, "took " + seconds + " s");
        assertTrue(seconds < 10, "took " + seconds + " s");
        assertTrue(r.err().contains("at 1000/s (about 0.2 s)"), r.err());
    }

    @Test
    void tailPrintsForecastsAndDeadLettersAndTextLines() {
        Path queue = dir.resolve("out");
        long f;
        long d;
        try (ChronicleQueue q = Queues.openOrCreate(queue, "--to"); RecordAppender a = new RecordAppender(q)) {
            f = a.append(new ForecastRecord("OT", 17, 1_508_803_200L, 2, 1, new double[] {1.5, -2.0},
                    new double[] {0.1, 0.9}, new double[][] {{1.0, -3.0}, {2.0, -1.0}}));
            a.append(new ForecastRecord("ETTh1", 18, 1_508_803_200L, 2, 2, new double[] {1, 2, 3, 4},
                    new double[] {0.5}, new double[][] {{1, 2, 3, 4}}));
            d = a.append(new DeadLetter(19, "series OT: NaN value; expected a number", "{\"values\":[NaN]}"));
        }
        List<String> lines = tailJson(queue);
        assertEquals(List.of(
                "{\"index\":" + f + ",\"type\":\"forecast\",\"series\":\"OT\",\"timestamp\":\"2017-10-24T00:00:00Z\","
                        + "\"input_index\":17,\"horizon\":2,\"point\":[1.5,-2.0],\"quantiles\":{\"0.1\":[1.0,-3.0],"
                        + "\"0.9\":[2.0,-1.0]}}",
                "{\"index\":" + (f + 1) + ",\"type\":\"forecast\",\"series\":\"ETTh1\",\"timestamp\":"
                        + "\"2017-10-24T00:00:00Z\",\"input_index\":18,\"horizon\":2,\"point\":[[1.0,2.0],[3.0,4.0]],"
                        + "\"quantiles\":{\"0.5\":[[1.0,2.0],[3.0,4.0]]}}",
                "{\"index\":" + d + ",\"type\":\"dead-letter\",\"input_index\":19,\"reason\":\"series OT: NaN value; "
                        + "expected a number\",\"raw\":\"{\\\"values\\\":[NaN]}\"}"), lines);
        Run text = stream("tail", "--queue", queue.toString(), "--from-start", "--no-follow");
        assertEquals(0, text.code(), text.err());
        assertEquals(f + " forecast series=OT timestamp=2017-10-24T00:00:00Z input_index=17 horizon=2 channels=1 "
                + "point=[1.5, -2.0] q0.1=[1.0, -3.0] q0.9=[2.0, -1.0]", text.out().lines().findFirst().orElseThrow());
    }

    @Test
    void tailOfAMissingQueueIsOneLine() {
        Path missing = dir.resolve("none");
        Run r = stream("tail", "--queue", missing.toString(), "--from-start", "--drain");
        assertEquals(1, r.code());
        assertEquals("stream tail: error: --queue " + missing + ": no such queue directory; expected a queue that "
                + "stream replay or stream run wrote\n", r.err().replace(System.lineSeparator(), "\n"));
        assertFalse(Files.exists(missing));
    }

    @Test
    void tailWithoutFromStartFollowsOnlyNewRecordsUntilInterrupted() throws Exception {
        Path csv = dir.resolve("f.csv");
        double[][] values = writeWide(csv, 3, "a");
        Path queue = dir.resolve("follow");
        assertEquals(0, stream("replay", "--csv", csv.toString(), "--to", queue.toString()).code());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int[] code = {-1};
        Thread tail = new Thread(() -> code[0] = stream(out, err, "tail", "--queue", queue.toString(), "--json").code());
        tail.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!err.toString().contains("following") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(err.toString().startsWith("following " + queue + " from its end"), err.toString());
        assertEquals(0, stream("replay", "--csv", csv.toString(), "--to", queue.toString()).code());
        while (out.toString().lines().count() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        tail.interrupt();
        tail.join(10_000);
        assertFalse(tail.isAlive());
        assertEquals(0, code[0]);
        List<Long> i = indexes(queue);
        assertEquals(String.format(Locale.ROOT, "%s%n%s%n%s%n", observationJson(i.get(3), "f", START, values[0]),
                observationJson(i.get(4), "f", START + 3600, values[1]),
                observationJson(i.get(5), "f", START + 7200, values[2])), out.toString());
    }
}
