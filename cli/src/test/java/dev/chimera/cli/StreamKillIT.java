package dev.chimera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.streaming.queue.QueueEntry;
import dev.chimera.streaming.queue.Queues;
import dev.chimera.streaming.queue.RecordTailer;
import dev.chimera.streaming.record.StreamRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.openhft.chronicle.queue.ChronicleQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream consumer killed for real: {@code stream replay} appends ETTh1 (every column a series)
 * at a paced rate while a {@code stream run} process, once it forecasts, is killed with SIGKILL at 20
 * random moments (one in each of 20 equal slots of the replay) and restarted each time; at the end
 * its output must be record for record, bit for bit, the output of one uninterrupted run over the
 * same input queue. Without ETTh1 ({@code shared/data/ett}) it runs on a synthetic seven-column
 * hourly file instead, and says so.
 *
 * <p>An integration test (failsafe, after {@code package}): the consumers are started as the
 * {@code ./chimera} launcher starts them, from the packaged jars with the JVM flags and the
 * class-data archive the build wrote to {@code target/}, so that a restart's time is a user's.
 */
class StreamKillIT {
    private static final int KILLS = 20;
    /** Long enough for all the kills to fall inside it, one in each of 20 slots, each after the last restart's first new forecast. */
    private static final double REPLAY_SECONDS = 100;
    /** The end of the replay kept free of kills: room for the last restart to forecast before the input stops. */
    private static final long TAIL_NANOS = 5_000_000_000L;

    @TempDir
    Path dir;

    private boolean warnedNoArchive;

    @Test
    void twentyKillsLeaveExactlyTheOutputOfAnUninterruptedRun() throws Exception {
        Path csv = etth1OrSynthetic();
        Path in = dir.resolve("in");
        long observations = 7L * (Files.lines(csv).count() - 1);
        double rate = observations / REPLAY_SECONDS;
        AtomicReference<CliRun> replayed = new AtomicReference<>();
        Thread replay = new Thread(() -> replayed.set(CliRun.run("stream", "replay", "--csv", csv.toString(), "--to",
                in.toString(), "--series-from-columns", "--rate", String.format(Locale.ROOT, "%.0f", rate))),
                "replay");
        replay.start();
        long replayStarted = System.nanoTime();
        while (!hasMoreThan(in, 0)) {
            assertTrue(replay.isAlive() || replayed.get().code == 0, () -> "replay failed: " + replayed.get().err);
            Thread.sleep(20);
        }

        Random random = new Random(20261207);
        List<Double> restartSeconds = new ArrayList<>();
        Process consumer = consumer(in, "out", false);
        // The kills start once the consumer forecasts (after every series' first lookback), so that each
        // restart's time to its first new forecast is a restart's, not the data's first lookback.
        long started = System.nanoTime();
        while (!hasMoreThan(dir.resolve("out"), 0)) {
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(60), () -> "no forecast: " + log("out"));
            Thread.sleep(10);
        }
        // Kill k falls at a random moment of its own slot of what remains of the replay (or, after a slow
        // restart, 0.2 s after that restart's first new forecast), so however long restarts take on a busy
        // machine the kills spread over the replay instead of running past its end.
        try (RecordCount forecasts = new RecordCount(dir.resolve("out"))) {
            long first = System.nanoTime();
            double slotNanos = (REPLAY_SECONDS * 1e9 - (first - replayStarted) - TAIL_NANOS) / KILLS;
            for (int k = 0; k < KILLS; k++) {
                long at = first + (long) ((k + random.nextDouble()) * slotNanos);
                Thread.sleep(Math.max(200, (at - System.nanoTime()) / 1_000_000));
                consumer.destroyForcibly(); // SIGKILL
                consumer.waitFor();
                int before = forecasts.count();
                long start = System.nanoTime();
                consumer = consumer(in, "out", false);
                assertTrue(replay.isAlive(), "kill " + (k + 1) + " fell after the replay; lengthen REPLAY_SECONDS");
                restartSeconds.add(untilMore(forecasts, before, start));
            }
        }
        replay.join();
        assertEquals(0, replayed.get().code, replayed.get().err);
        consumer.destroyForcibly();
        consumer.waitFor();
        assertEquals(0, consumer(in, "out", true).waitFor(), () -> "the last consumer: " + log("out"));
        assertEquals(0, consumer(in, "reference", true).waitFor(), () -> "the uninterrupted run: " + log("reference"));

        List<QueueEntry> killed = entries(dir.resolve("out"));
        List<QueueEntry> reference = entries(dir.resolve("reference"));
        assertTrue(reference.size() > 100, "forecasts: " + reference.size());
        assertEquals(reference.size(), killed.size(), "records after " + KILLS + " kills");
        for (int i = 0; i < reference.size(); i++) {
            // The same record, bit for bit, at the same output index: stream tail --json prints the same line.
            assertEquals(reference.get(i), killed.get(i), "record " + i);
        }
        assertEquals(read(dir.resolve("reference.state/dead-letters")), read(dir.resolve("out.state/dead-letters")));
        restartSeconds.sort(null);
        String summary = String.format(Locale.ROOT, "stream kill test: %d kills during a %.0f s replay of %s (%d "
                + "observations at %.0f/s): %d forecasts, identical to the uninterrupted run; restart to first new "
                + "forecast: median %.2f s, max %.2f s (%d restarts)", KILLS, REPLAY_SECONDS,
                csv.getFileName(), observations, rate, killed.size(), restartSeconds.get(restartSeconds.size() / 2),
                restartSeconds.get(restartSeconds.size() - 1), restartSeconds.size());
        System.out.println(summary);
        Files.writeString(Path.of("target", "stream-kill-test.txt"), summary + "\n");
    }

    /**
     * A {@code chimera stream run} process on the shipped Fourier model, its output queue {@code name},
     * started as the launcher starts it: {@code target/jvm.flags}, the archive {@code target/chimera.jsa}
     * (the run says when the build made none), {@code target/chimera-cli.jar} and {@code target/lib/*}.
     */
    private Process consumer(Path in, String name, boolean drain) throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        Path jar = target.resolve("chimera-cli.jar");
        assertTrue(Files.isRegularFile(jar), () -> jar + " is missing: this test runs after package (mvn verify)");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(Files.readString(target.resolve("jvm.flags")).trim().split("\\s+")));
        Path archive = target.resolve("chimera.jsa");
        if (Files.isRegularFile(archive)) {
            command.add("-XX:SharedArchiveFile=" + archive);
        } else if (!warnedNoArchive) {
            System.err.println("StreamKillIT: no " + archive + " (the build made no class-data archive); "
                    + "consumers start without one");
            warnedNoArchive = true;
        }
        command.addAll(List.of("-Xmx1g", "-cp", jar + ":" + target.resolve("lib") + "/*", Chimera.class.getName(),
                "stream", "run", "--model", "etth1-fourier", "--in", in.toString(),
                "--out", dir.resolve(name).toString(), "--status-interval", "0"));
        if (drain) {
            command.add("--drain");
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
        return pb.start();
    }

    /** The last lines the consumers writing {@code name} printed. */
    private String log(String name) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Seconds from {@code start} until the queue holds more than {@code before} records (10 s at most). */
    private static double untilMore(RecordCount queue, int before, long start) throws InterruptedException {
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
            if (queue.count() > before) {
                break;
            }
            Thread.sleep(10);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * The records of a queue counted as they arrive through one open tailer, so that a poll reads only
     * what is new and the test's own work stays out of the restart times it measures.
     */
    private static final class RecordCount implements AutoCloseable {
        private final ChronicleQueue queue;
        private final RecordTailer tailer;
        private int count;

        RecordCount(Path dir) {
            queue = Queues.openExisting(dir, "--queue");
            tailer = RecordTailer.fromStart(queue);
        }

        int count() {
            while (tailer.next() != null) {
                count++;
            }
            return count;
        }

        @Override
        public void close() {
            tailer.close();
            queue.close();
        }
    }

    private static boolean hasMoreThan(Path queue, int count) {
        try {
            return read(queue).size() > count;
        } catch (RuntimeException e) {
            return false; // not created yet
        }
    }

    private static List<StreamRecord> read(Path queue) {
        return entries(queue).stream().map(QueueEntry::record).toList();
    }

    private static List<QueueEntry> entries(Path queue) {
        List<QueueEntry> list = new ArrayList<>();
        if (!Files.isDirectory(queue)) {
            return list;
        }
        try (ChronicleQueue q = Queues.openExisting(queue, "--queue"); RecordTailer t = RecordTailer.fromStart(q)) {
            for (QueueEntry e = t.next(); e != null; e = t.next()) {
                list.add(e);
            }
        }
        return list;
    }

    /** ETTh1 when the shared data is there; otherwise a synthetic seven-column hourly file, said on stderr. */
    private Path etth1OrSynthetic() throws IOException {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared/data/ett/ETTh1.csv");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        System.err.println("StreamKillIT: no shared/data/ett/ETTh1.csv above " + Path.of("").toAbsolutePath()
                + "; killing a replay of a synthetic seven-column hourly file instead");
        Path file = dir.resolve("synthetic.csv");
        Random r = new Random(7);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("date,a,b,c,d,e,f,OT");
            for (int t = 0; t < 6000; t++) {
                StringBuilder row = new StringBuilder(java.time.LocalDateTime.of(2016, 7, 1, 0, 0).plusHours(t)
                        .toString().replace('T', ' ') + ":00");
                for (int c = 0; c < 7; c++) {
                    row.append(',').append(String.format(Locale.ROOT, "%.3f",
                            10 + c + 3 * Math.sin(2 * Math.PI * (t + 3 * c) / 24) + r.nextGaussian()));
                }
                w.println(row);
            }
        }
        return file;
    }
}
