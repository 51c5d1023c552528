package dev.chimera.streaming.cli;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.runtime.Checkout;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.UserException;
import dev.chimera.streaming.consumer.ConsumerSettings;
import dev.chimera.streaming.consumer.Counts;
import dev.chimera.streaming.consumer.SnapshotStore;
import dev.chimera.streaming.consumer.StreamConsumer;
import dev.chimera.streaming.consumer.StreamForecaster;
import dev.chimera.streaming.io.InputSource;
import dev.chimera.streaming.io.QueueRecordSink;
import dev.chimera.streaming.io.RecordSink;
import dev.chimera.streaming.metrics.StreamMetrics;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.timeseries.model.TsModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chimera stream run}: the stream consumer. Reads observations from a queue or an Arrow
 * stream, writes a forecast for each that completes a step (or each one, {@code --emit every}), sends
 * what it cannot use to a dead-letter queue, and snapshots its state so that a restart after any
 * kill goes on with exactly the output an uninterrupted run writes.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The stream consumer: observations in, probabilistic forecasts out, exactly once across kills.")
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A model 'ts train' wrote (run or step directory), or the name of a shipped one "
                    + "(etth1-point, etth1-fourier).")
    String model;

    @Option(names = "--in", required = true, paramLabel = "QUEUE|arrow:FILE|-",
            description = "Observations: a queue directory, an Arrow IPC stream file (followed as it grows), or - "
                    + "for an Arrow IPC stream on standard input.")
    String in;

    @Option(names = "--out", required = true, paramLabel = "QUEUE|arrow:FILE|-",
            description = "Forecasts: a queue directory (created if missing), an Arrow IPC stream file, or - for "
                    + "standard output.")
    String out;

    @Option(names = "--dead-letter", paramLabel = "QUEUE",
            description = "Queue for the inputs the consumer cannot use, each with its reason (default: "
                    + "dead-letters in the snapshot directory).")
    Path deadLetter;

    @Option(names = "--snapshot-dir", paramLabel = "D",
            description = "Where the state is snapshotted (default: <out>.state beside the output).")
    Path snapshotDir;

    @Option(names = "--snapshot-interval", paramLabel = "MS", defaultValue = "0",
            description = "Milliseconds between snapshots while inputs arrive; 0 (default) for automatic: 2,000 "
                    + "times as long as making the last one held the consumer (a copy of every series' values), "
                    + "at least a second, so snapshots cost at most 0.05%% of its time.")
    long snapshotIntervalMillis;

    @Option(names = "--metrics-port", paramLabel = "P",
            description = "Serve Prometheus metrics on http://localhost:P/metrics (default: none).")
    Integer metricsPort;

    @Option(names = "--status-interval", paramLabel = "S", defaultValue = "5",
            description = "Seconds between status lines on stderr; 0 for none (default: ${DEFAULT-VALUE}).")
    long statusIntervalSeconds;

    @Option(names = "--drain", description = "Process what the input holds and exit, instead of waiting for more.")
    boolean drain;

    @Option(names = "--strict", description = "Refuse (dead-letter) series not named by --series.")
    boolean strict;

    @Option(names = "--series", split = ",", paramLabel = "ID", description = "The series --strict accepts.")
    List<String> series;

    @Option(names = "--max-tick", defaultValue = "256", paramLabel = "N",
            description = "Most inputs processed together in one tick (default: ${DEFAULT-VALUE}).")
    int maxTick;

    @Mixin
    ConsumerOptions consumer;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        settings(1); // the options' own mistakes, before anything is opened (1: any horizon will do here)
        Path modelDir = modelDirectory(model);
        Path state = snapshotDir != null ? snapshotDir : Endpoints.defaultStateDir(out);
        Path deadLetters = deadLetter != null ? deadLetter : state.resolve("dead-letters");
        int threads = compute.threads(1); // one thread: a consumer's latency suffers from waking a pool
        try (ComputePool pool = new ComputePool(threads);
             StreamMetrics metrics = new StreamMetrics(metricsPort == null ? -1 : metricsPort)) {
            // The model loads while the queues open: both take a few hundred ms of a restart.
            CompletableFuture<TsModel> loading = CompletableFuture.supplyAsync(() -> open(modelDir, pool));
            try (InputSource source = Endpoints.input(in);
                 RecordSink<ForecastRecord> forecasts = Endpoints.forecasts(out);
                 RecordSink<DeadLetter> dead = new QueueRecordSink<>(deadLetters, "--dead-letter")) {
                TsModel m = loaded(loading);
                ConsumerSettings resolved = settings(m.settings().segment());
                StreamForecaster forecaster = new StreamForecaster(m, resolved, maxTick);
                SnapshotStore snapshots = new SnapshotStore(state, fingerprint(m, resolved));
                err.println("stream run: " + modelDir + " on " + in + " -> " + out + "; dead letters " + deadLetters
                        + ", state " + state + (metrics.port() >= 0 ? ", metrics http://localhost:" + metrics.port()
                        + "/metrics" : ""));
                err.flush();
                StreamConsumer consumer = new StreamConsumer(forecaster, source, forecasts, dead, snapshots, metrics,
                        // Standard input ends by itself (its end of stream); a pause in it is not its end.
                        new StreamConsumer.Options(maxTick, snapshotIntervalMillis, statusIntervalSeconds * 1000,
                                drain && !in.equals("-")),
                        statusIntervalSeconds > 0 ? err : null);
                CountDownLatch finished = new CountDownLatch(1);
                Thread hook = new Thread(() -> {
                    consumer.stop();
                    try {
                        finished.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "stream-run-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                Counts c;
                try {
                    c = consumer.run();
                } finally {
                    finished.countDown();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down: the hook waits for us
                }
                err.println(metrics.statusLine());
                err.println(String.format(Locale.ROOT, "stream run: %d inputs = %d forecasts + %d dead letters + %d "
                        + "that completed no step (%d late, %d restarted series, %d points interpolated)", c.inputs(),
                        c.forecasts(), c.deadLetters(), c.noStep(), c.late(), c.restarts(), c.filledPoints()));
                err.flush();
            }
        }
        return 0;
    }

    private TsModel open(Path modelDir, ComputePool pool) {
        try {
            // Row-invariant: a forecast must be the same bits however its inputs were ticked (exactly once).
            return TsModel.open(modelDir, compute.backend(pool).rowInvariant());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The loaded model, or the loader's own exception (a UserException stays one). */
    private static TsModel loaded(CompletableFuture<TsModel> loading) {
        try {
            return loading.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** The consumer's settings for a model of segment {@code segment}; a bad option is a usage error. */
    private ConsumerSettings settings(int segment) {
        if (strict && (series == null || series.isEmpty())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--strict needs --series: the ids it accepts");
        }
        if (maxTick < 1 || snapshotIntervalMillis < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-tick must be at least 1 and "
                    + "--snapshot-interval not negative");
        }
        try {
            return consumer.settings(segment, strict ? new LinkedHashSet<>(series) : null);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** {@code --model} as a directory, or a shipped model's name. */
    static Path modelDirectory(String model) {
        Path p = Path.of(model);
        if (Files.isDirectory(p) || model.contains("/") || model.contains(java.io.File.separator)) {
            return p;
        }
        try {
            return Checkout.shippedModel(model);
        } catch (UserException e) {
            throw new UserException("--model " + model + ": no such directory, and not a shipped model (" + e.getMessage()
                    + ")");
        }
    }

    /** What a snapshot must have been made with to be restored: the model and every setting that shapes state or output. */
    private static String fingerprint(TsModel m, ConsumerSettings s) {
        return m.directory().toAbsolutePath().normalize() + " " + m.settings().toInfo() + " emit=" + s.emit()
                + " horizon=" + s.horizon() + " levels=" + Arrays.toString(s.levels()) + " hold=" + s.holdMissing()
                + " lateness=" + s.maxLatenessSeconds() + " gap=" + s.maxGapSteps() + " strict=" + s.knownSeries();
    }
}
