package dev.chimera.streaming.cli;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.runtime.Checkout;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.UserException;
import dev.chimera.streaming.consumer.ConsumerSettings;
import dev.chimera.streaming.consumer.Emit;
import dev.chimera.streaming.consumer.SnapshotStore;
import dev.chimera.streaming.consumer.StreamConsumer;
import dev.chimera.streaming.consumer.StreamForecaster;
import dev.chimera.streaming.io.InputRecord;
import dev.chimera.streaming.io.QueueInputSource;
import dev.chimera.streaming.io.QueueRecordSink;
import dev.chimera.streaming.metrics.LatencySummary;
import dev.chimera.streaming.metrics.StreamMetrics;
import dev.chimera.streaming.queue.Queues;
import dev.chimera.streaming.queue.RecordAppender;
import dev.chimera.streaming.record.Clock;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.streaming.record.Observation;
import dev.chimera.streaming.replay.Pacer;
import dev.chimera.timeseries.model.TsModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ChronicleQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chimera bench stream}: the consumer's latency end to end through real Chronicle queues. A
 * producer thread appends observations of N synthetic hourly series, round robin, at a paced rate,
 * each stamped with its append time; the consumer (the same loop as {@code stream run}, snapshots
 * included, on the shipped model) processes them; the latency of each observation runs from its
 * append to the append of its tick's outputs. Before the measured part every series gets its first
 * lookback unpaced (the warm-up, whose throughput is reported as the most the consumer takes), then
 * five seconds at the rate are run and not counted (the just-in-time compiler's work on the
 * forecasting path would otherwise be counted as latency), and
 * series start at staggered points so their segment boundaries are spread as real series' are. The
 * reference in the same run: the same producer and queue with a consumer that only reads (the
 * transport's own latency).
 */
@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Latency of the stream consumer end to end through Chronicle queues, with the shipped model.")
public final class BenchStreamCommand implements Callable<Integer> {
    private static final long T0 = 1_483_228_800L; // 2017-01-01T00:00Z
    private static final double TARGET_P99_MICROS = 1000;
    private static final double PACED_WARMUP_SECONDS = 5;

    @Spec
    CommandSpec spec;

    @Option(names = "--series", defaultValue = "1000", paramLabel = "N", description = "Series (default: ${DEFAULT-VALUE}).")
    int series;

    @Option(names = "--rate", defaultValue = "10000", paramLabel = "N/s", converter = Rate.class,
            description = "Observations per second in the measured part (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--seconds", defaultValue = "30", paramLabel = "S",
            description = "Length of the measured part (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--model", defaultValue = "etth1-point", paramLabel = "DIR",
            description = "Model directory or shipped model name (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--snapshot-interval", defaultValue = "0", paramLabel = "MS",
            description = "Milliseconds between the consumer's snapshots, as in stream run (default: automatic).")
    long snapshotIntervalMillis;

    @Option(names = "--find-max-rate",
            description = "Then raise the rate (5 s runs, doubling, then halving the step) to the highest at which p99 "
                    + "stays under 1 ms.")
    boolean findMaxRate;

    @Mixin
    JsonOption json;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() throws Exception {
        if (series < 1 || !(seconds > 0)) {
            throw new UserException("--series and --seconds must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path work = Files.createTempDirectory("chimera-bench-stream");
        try (ComputePool pool = new ComputePool(compute.threads(1))) {
            TsModel m = TsModel.open(RunCommand.modelDirectory(model), compute.backend(pool).rowInvariant());
            SyntheticSeries data = new SyntheticSeries(series, m.settings().segment(), 20261207);
            Measured transport = transportReference(work.resolve("reference"), data);
            err.printf(Locale.ROOT, "bench stream: transport alone p50 %.0f us, p99 %.0f us%n", transport.p50, transport.p99);
            Session s = new Session(work.resolve("consumer"), m, data, err);
            s.measure(rate, PACED_WARMUP_SECONDS); // the forecasting code's first compilations, not counted
            // The warm-up's garbage and the 1,000 series' new states (hundreds of MB) are collected now, not
            // by the first young collection of the measured run, which would copy them (a 75 ms pause).
            System.gc();
            Measured main = s.measure(rate, seconds);
            String maxRate = "";
            double highest = Double.NaN;
            if (findMaxRate) {
                highest = s.highestRateUnder(rate, main.p99 < TARGET_P99_MICROS);
                maxRate = String.format(Locale.ROOT, ",\"max_rate_p99_under_1ms\":%.0f", highest);
            }
            s.close();
            if (json.enabled()) {
                out.printf(Locale.ROOT, "{\"series\":%d,\"rate\":%.0f,\"updates_per_s\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
                                + "\"p999_us\":%.1f,\"max_us\":%.1f,\"forecasts\":%d,\"max_updates_per_s\":%.0f,"
                                + "\"transport_p50_us\":%.1f,\"transport_p99_us\":%.1f,\"model\":\"%s\",\"threads\":%d%s}%n",
                        series, rate, main.updatesPerSecond, main.p50, main.p99, main.p999, main.max, main.forecasts,
                        s.warmupUpdatesPerSecond, transport.p50, transport.p99, model, pool.threads(), maxRate);
            } else {
                out.printf(Locale.ROOT, "%d series at %.0f observations/s for %.0f s (%s, %d thread%s): %.0f updates/s, "
                                + "latency p50 %.0f us, p99 %.0f us, p999 %.0f us, max %.0f us; %d forecasts%n",
                        series, rate, seconds, model, pool.threads(), pool.threads() == 1 ? "" : "s",
                        main.updatesPerSecond, main.p50, main.p99, main.p999, main.max, main.forecasts);
                out.printf(Locale.ROOT, "most the consumer takes (the unpaced warm-up): %.0f updates/s; transport alone: "
                        + "p50 %.0f us, p99 %.0f us%n", s.warmupUpdatesPerSecond, transport.p50, transport.p99);
                if (findMaxRate) {
                    out.printf(Locale.ROOT, "highest rate with p99 under 1 ms: %.0f observations/s%n", highest);
                }
            }
            out.flush();
        } finally {
            deleteTree(work);
        }
        return 0;
    }

    /** The figures of one measured part. */
    record Measured(double updatesPerSecond, double p50, double p99, double p999, double max, long forecasts) {
    }

    /**
     * N hourly series, value = level + daily sine + noise, seeded; series i starts a seeded random
     * number of steps (below S) late, so that segment boundaries fall at each series' own phase, as
     * those of series that began at different times do.
     */
    static final class SyntheticSeries {
        final int n;
        final int segment;
        final double[] level;
        final double[] phase;
        final int[] start;
        final Random noise;
        long round; // the next round of observations: one per series (a series not yet started skips it)

        SyntheticSeries(int n, int segment, long seed) {
            this.n = n;
            this.segment = segment;
            Random r = new Random(seed);
            this.level = new double[n];
            this.phase = new double[n];
            this.start = new int[n];
            for (int i = 0; i < n; i++) {
                level[i] = 10 + 5 * r.nextDouble();
                phase[i] = 2 * Math.PI * r.nextDouble();
                start[i] = r.nextInt(segment);
            }
            this.noise = new Random(seed + 1);
        }

        long startRound(int i) {
            return start[i];
        }

        /** Appends every observation of rounds [round, until) that exists; returns how many. */
        long appendRounds(RecordAppender appender, long until, Pacer pacer, long[] paced) {
            long appended = 0;
            for (; round < until; round++) {
                for (int i = 0; i < n; i++) {
                    if (round < startRound(i)) {
                        continue;
                    }
                    if (pacer != null) {
                        pacer.await(paced[0]++);
                    }
                    appender.append(observation(i, round).appendedNow());
                    appended++;
                }
            }
            return appended;
        }

        Observation observation(int i, long r) {
            double v = level[i] + 3 * Math.sin(2 * Math.PI * r / 24 + phase[i]) + noise.nextGaussian();
            return new Observation("s" + i, T0 + r * 3600, new double[] {v});
        }
    }

    /** A consumer on its own thread over fresh queues, with a producer that appends to its input. */
    private final class Session implements AutoCloseable {
        final StreamMetrics metrics = new StreamMetrics(-1);
        final ChronicleQueue input;
        final RecordAppender appender;
        final StreamConsumer consumer;
        final Thread thread;
        final SyntheticSeries data;
        final PrintWriter err;
        final StreamForecaster forecaster;
        double warmupUpdatesPerSecond;
        long appended;

        Session(Path dir, TsModel m, SyntheticSeries data, PrintWriter err) throws InterruptedException {
            this.data = data;
            this.err = err;
            this.input = Queues.openOrCreate(dir.resolve("in"), "--in");
            this.appender = new RecordAppender(input);
            ConsumerSettings settings = new ConsumerSettings(Emit.SEGMENT, m.settings().segment(),
                    new double[] {0.1, 0.5, 0.9}, false, 0, 6, null);
            this.forecaster = new StreamForecaster(m, settings, 256);
            QueueInputSource source = new QueueInputSource(dir.resolve("in"), "--in");
            QueueRecordSink<ForecastRecord> forecasts = new QueueRecordSink<>(dir.resolve("out"), "--out");
            QueueRecordSink<DeadLetter> dead = new QueueRecordSink<>(dir.resolve("dead"), "--dead-letter");
            this.consumer = new StreamConsumer(forecaster, source, forecasts, dead,
                    new SnapshotStore(dir.resolve("state"), "bench"), metrics,
                    new StreamConsumer.Options(256, snapshotIntervalMillis, 5000, false), null);
            this.thread = new Thread(() -> {
                try {
                    consumer.run();
                } finally {
                    source.close();
                    forecasts.close();
                    dead.close();
                }
            }, "consumer");
            thread.start();
            long lookbackRounds = m.settings().lookback() + data.segment;
            long start = System.nanoTime();
            appended += data.appendRounds(appender, lookbackRounds, null, null);
            awaitConsumed();
            warmupUpdatesPerSecond = appended / ((System.nanoTime() - start) / 1e9);
            err.printf(Locale.ROOT, "bench stream: warm-up of %,d observations (every series' first lookback) at "
                    + "%,.0f/s%n", appended, warmupUpdatesPerSecond);
        }

        Measured measure(double perSecond, double forSeconds) throws InterruptedException {
            metrics.resetLatency();
            long forecastsBefore = forecaster.counts().forecasts();
            long inputsBefore = forecaster.counts().inputs();
            long rounds = roundsFor(perSecond, forSeconds);
            Pacer pacer = new Pacer(perSecond);
            long start = System.nanoTime();
            appended += data.appendRounds(appender, data.round + rounds, pacer, new long[1]);
            awaitConsumed();
            double elapsed = (System.nanoTime() - start) / 1e9;
            LatencySummary l = metrics.latency();
            Measured m = new Measured((forecaster.counts().inputs() - inputsBefore) / elapsed, l.p50Micros(),
                    l.p99Micros(), l.p999Micros(), l.maxMicros(), forecaster.counts().forecasts() - forecastsBefore);
            err.printf(Locale.ROOT, "bench stream: %.0f/s for %.1f s: p50 %.0f us, p99 %.0f us, p999 %.0f us, max %.0f us%n",
                    perSecond, elapsed, m.p50, m.p99, m.p999, m.max);
            return m;
        }

        /** Doubles the rate while p99 stays under the target, then halves the step three times. */
        double highestRateUnder(double from, boolean fromPasses) throws InterruptedException {
            double good = fromPasses ? from : 0;
            double bad = fromPasses ? Double.NaN : from;
            while (Double.isNaN(bad)) {
                double r = good * 2;
                if (measure(r, 5).p99 < TARGET_P99_MICROS) {
                    good = r;
                } else {
                    bad = r;
                }
            }
            for (int i = 0; i < 3; i++) {
                double r = (good + bad) / 2;
                if (measure(r, 5).p99 < TARGET_P99_MICROS) {
                    good = r;
                } else {
                    bad = r;
                }
            }
            return good;
        }

        private void awaitConsumed() throws InterruptedException {
            while (consumer.inputsDone() < appended) {
                if (!thread.isAlive()) {
                    throw new IllegalStateException("the consumer stopped");
                }
                Thread.sleep(1);
            }
        }

        @Override
        public void close() throws InterruptedException {
            consumer.stop();
            thread.join();
            appender.close();
            input.close();
            metrics.close();
        }
    }

    /**
     * The transport alone: the same producer and queue, a reader that only reads and records each
     * observation's latency; one second of warm-up is not counted.
     */
    private Measured transportReference(Path dir, SyntheticSeries shape) throws InterruptedException {
        SyntheticSeries data = new SyntheticSeries(shape.n, shape.segment, 1);
        data.round = data.segment; // past every series' start: all series take part in every round
        try (StreamMetrics metrics = new StreamMetrics(-1);
             ChronicleQueue q = Queues.openOrCreate(dir, "--in");
             RecordAppender appender = new RecordAppender(q);
             QueueInputSource source = new QueueInputSource(dir, "--in")) {
            AtomicLong seen = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            Thread reader = new Thread(() -> {
                while (!done.get()) {
                    InputRecord r = source.next();
                    if (r == null) {
                        Thread.onSpinWait();
                        continue;
                    }
                    metrics.recordLatencyMicros(Math.max(0, Clock.micros() - r.observation().appendedMicros()));
                    seen.incrementAndGet();
                }
            }, "transport-reader");
            reader.start();
            Pacer pacer = new Pacer(rate);
            long[] paced = new long[1];
            long appended = data.appendRounds(appender, data.round + roundsFor(rate, 1), pacer, paced);
            while (seen.get() < appended) {
                Thread.sleep(1);
            }
            metrics.resetLatency();
            appended += data.appendRounds(appender, data.round + roundsFor(rate, Math.min(seconds, 5)), pacer, paced);
            while (seen.get() < appended) {
                Thread.sleep(1);
            }
            done.set(true);
            reader.join();
            LatencySummary l = metrics.latency();
            return new Measured(0, l.p50Micros(), l.p99Micros(), l.p999Micros(), l.maxMicros(), 0);
        }
    }

    /** Rounds of observations (one per series) that {@code forSeconds} at {@code perSecond} make, at least one. */
    private long roundsFor(double perSecond, double forSeconds) {
        return Math.max(1, (long) Math.ceil(perSecond * forSeconds / series));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
