package dev.chimera.streaming.consumer;

import dev.chimera.streaming.io.InputRecord;
import dev.chimera.streaming.io.InputSource;
import dev.chimera.streaming.io.RecordSink;
import dev.chimera.streaming.record.Clock;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.streaming.record.Observation;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * The stream consumer's loop: read a tick of inputs (what the source has, up to {@code maxTick}),
 * process it ({@link StreamForecaster}), append the forecasts and dead letters, and now and then
 * snapshot the state with the index of the last input it reflects.
 *
 * <p>Exactly once: on start the last snapshot is restored and the input is read from just after its
 * index; every output record carries the input index it answers, and a record answering an input at
 * or before the last one already in its output is not written again. Since a forecast is the same
 * bits however its inputs were ticked, the outputs after any number of kills are those of one
 * uninterrupted run.
 */
public final class StreamConsumer {
    /** How long the loop keeps spinning on an empty input after its last record, for latency under load. */
    private static final long SPIN_NANOS = 200_000;
    /** Pauses between two polls of an empty input while spinning. */
    private static final int SPIN_PAUSES = 20;
    /** How long an idle loop then parks between looks at its input. */
    private static final long IDLE_NANOS = 50_000;
    private static final long BACKLOG_EVERY_NANOS = 100_000_000;
    /**
     * The automatic snapshot interval over the time a snapshot holds the loop: making one takes the
     * loop a copy of every series' values (1.7 ms for 1,000 series, measured), during which inputs wait.
     */
    static final long AUTO_SNAPSHOT_FACTOR = 2000;
    private static final long MIN_AUTO_SNAPSHOT_NANOS = 1_000_000_000;

    private final StreamForecaster forecaster;
    private final InputSource in;
    private final RecordSink<ForecastRecord> forecasts;
    private final RecordSink<DeadLetter> deadLetters;
    private final SnapshotStore snapshots;
    private final Telemetry telemetry;
    private final Options options;
    private final PrintWriter status;
    private final ExecutorService snapshotWriter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "snapshot-writer");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;
    private Future<?> pendingWrite;
    private volatile long lastSnapshotMillis;
    private volatile long inputsDone;

    /**
     * @param maxTick                most inputs processed as one tick
     * @param snapshotIntervalMillis time between snapshots (while inputs arrive); 0 for the automatic
     *                               interval, {@value #AUTO_SNAPSHOT_FACTOR} times as long as the last
     *                               snapshot took the loop to make, and at least a second
     * @param statusIntervalMillis   time between status lines (when there is a status stream)
     * @param drain                  stop when the input has nothing more, instead of waiting
     */
    public record Options(int maxTick, long snapshotIntervalMillis, long statusIntervalMillis, boolean drain) {
    }

    /** {@code snapshots} may be null (no snapshots: a restart starts over); {@code status} may be null (silent). */
    public StreamConsumer(StreamForecaster forecaster, InputSource in, RecordSink<ForecastRecord> forecasts,
                          RecordSink<DeadLetter> deadLetters, SnapshotStore snapshots, Telemetry telemetry,
                          Options options, PrintWriter status) {
        this.forecaster = forecaster;
        this.in = in;
        this.forecasts = forecasts;
        this.deadLetters = deadLetters;
        this.snapshots = snapshots;
        this.telemetry = telemetry;
        this.options = options;
        this.status = status;
    }

    /** Inputs whose tick is finished: outputs appended, latency recorded, telemetry updated. */
    public long inputsDone() {
        return inputsDone;
    }

    /** Asks a running loop to finish its tick, snapshot and return (from a shutdown hook, say). */
    public void stop() {
        stopping = true;
    }

    /** Restores, then runs until drained or stopped; returns the counts, which the last snapshot holds too. */
    public Counts run() {
        SnapshotStore.Restored restored = snapshots == null ? null : snapshots.restore(forecaster);
        long last = restored == null ? -1 : restored.lastIndex();
        if (restored != null) {
            lastSnapshotMillis = System.currentTimeMillis();
        }
        in.startAfter(last);
        Deduplicating out = new Deduplicating(forecasts.lastInputIndex(), deadLetters.lastInputIndex());
        List<StreamForecaster.Input> tick = new ArrayList<>(options.maxTick());
        List<Observation> read = new ArrayList<>(options.maxTick());
        long snapshotted = last;
        long now = System.nanoTime();
        long nextSnapshot = now + snapshotInterval(0);
        long nextStatus = now + options.statusIntervalMillis() * 1_000_000;
        long nextBacklog = now;
        long backlog = -1;
        long lastRecordAt = now;
        try {
            while (!stopping) {
                tick.clear();
                read.clear();
                int taken = 0;
                for (; taken < options.maxTick(); taken++) {
                    InputRecord r = in.next();
                    if (r == null) {
                        break;
                    }
                    last = r.index();
                    if (r.observation() == null) {
                        forecaster.process(tick, out); // in input order, so dead letters stay in index order
                        tick.clear();
                        forecaster.refuse(r.index(), r.refusal(), r.raw(), out);
                    } else {
                        tick.add(new StreamForecaster.Input(r.index(), r.observation()));
                        read.add(r.observation());
                    }
                }
                forecaster.process(tick, out);
                forecasts.flush();
                deadLetters.flush();
                if (!read.isEmpty()) {
                    long done = Clock.micros(); // not on an idle pass: Instant.now() allocates
                    for (Observation o : read) {
                        if (o.appendedMicros() != 0) {
                            telemetry.recordLatencyMicros(Math.max(0, done - o.appendedMicros()));
                        }
                    }
                }
                now = System.nanoTime();
                if (now >= nextBacklog) {
                    backlog = in.backlog();
                    nextBacklog = now + BACKLOG_EVERY_NANOS;
                }
                telemetry.update(forecaster.counts(), backlog, lastSnapshotMillis);
                inputsDone = forecaster.counts().inputs();
                if (snapshots != null && now >= nextSnapshot && last != snapshotted && snapshotAsync(last)) {
                    snapshotted = last;
                    long took = System.nanoTime() - now;
                    now += took;
                    nextSnapshot = now + snapshotInterval(took);
                }
                if (status != null && now >= nextStatus) {
                    status.println(telemetry.statusLine());
                    status.flush();
                    nextStatus = now + options.statusIntervalMillis() * 1_000_000;
                }
                if (taken > 0) {
                    lastRecordAt = now;
                } else if (options.drain() || in.ended()) {
                    break;
                } else if (now - lastRecordAt < SPIN_NANOS) {
                    for (int i = 0; i < SPIN_PAUSES; i++) {
                        Thread.onSpinWait(); // a poll about every microsecond: no hammering of the queue's lines
                    }
                } else {
                    LockSupport.parkNanos(IDLE_NANOS);
                }
            }
            if (snapshots != null) {
                awaitPendingWrite();
                snapshots.write(snapshots.encode(last, forecaster));
                lastSnapshotMillis = System.currentTimeMillis();
            }
            telemetry.update(forecaster.counts(), in.backlog(), lastSnapshotMillis);
            return forecaster.counts();
        } finally {
            snapshotWriter.shutdown();
        }
    }

    /** The time to the next snapshot, given how long the last one held the loop. */
    private long snapshotInterval(long lastTookNanos) {
        return options.snapshotIntervalMillis() > 0 ? options.snapshotIntervalMillis() * 1_000_000
                : Math.max(MIN_AUTO_SNAPSHOT_NANOS, lastTookNanos * AUTO_SNAPSHOT_FACTOR);
    }

    /** Encodes a snapshot now and writes it in the background; false when the last write is still going. */
    private boolean snapshotAsync(long last) {
        if (pendingWrite != null && !pendingWrite.isDone()) {
            return false;
        }
        awaitPendingWrite(); // surfaces a failed write
        SnapshotStore.Encoded encoded = snapshots.encode(last, forecaster);
        pendingWrite = snapshotWriter.submit(() -> {
            snapshots.write(encoded);
            lastSnapshotMillis = System.currentTimeMillis();
        });
        return true;
    }

    private void awaitPendingWrite() {
        if (pendingWrite == null) {
            return;
        }
        try {
            pendingWrite.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
        pendingWrite = null;
    }

    /** Writes only records answering inputs after those already in each output. */
    private final class Deduplicating implements StreamForecaster.Output {
        private final long forecastsUpTo;
        private final long deadLettersUpTo;

        Deduplicating(long forecastsUpTo, long deadLettersUpTo) {
            this.forecastsUpTo = forecastsUpTo;
            this.deadLettersUpTo = deadLettersUpTo;
        }

        @Override
        public boolean wants(long inputIndex) {
            return inputIndex > forecastsUpTo;
        }

        @Override
        public void forecast(ForecastRecord forecast) {
            if (wants(forecast.inputIndex())) {
                forecasts.append(forecast);
            }
        }

        @Override
        public void deadLetter(DeadLetter letter) {
            if (letter.inputIndex() > deadLettersUpTo) {
                deadLetters.append(letter);
            }
        }
    }
}
