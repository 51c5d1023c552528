package dev.chimera.streaming.metrics;

import dev.chimera.runtime.UserException;
import dev.chimera.streaming.consumer.Counts;
import dev.chimera.streaming.consumer.Telemetry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.InstantSource;

/**
 * The stream consumer's metrics: the latency of each observation in an HdrHistogram, and the counts,
 * lag and snapshot time the consumer posts after each tick. Served at {@code /metrics} in the Prometheus
 * text format when a port is given, and as a one-line {@link #statusLine()}.
 *
 * <p>The consumer thread calls {@link #recordLatencyMicros} and {@link #update}; any thread reads.
 */
public final class StreamMetrics implements Telemetry, AutoCloseable {
    private final InstantSource clock;
    private final LatencyRecorder latency = new LatencyRecorder();
    private final ProgressBoard board = new ProgressBoard();
    private final HTTPServer server;

    /**
     * Metrics served on {@code port} (0: any free port), or not served when it is negative.
     *
     * @throws UserException when the port is out of range or cannot be listened on (in use, say)
     */
    public StreamMetrics(int port) {
        this(port, InstantSource.system());
    }

    StreamMetrics(int port, InstantSource clock) {
        this.clock = clock;
        this.server = port < 0 ? null : serve(port, PrometheusMetrics.registry(this::progress, latency::summary));
    }

    /** Serves {@code registry} at {@code /metrics} on {@code port}, on every interface. */
    private static HTTPServer serve(int port, PrometheusRegistry registry) {
        if (port > 65_535) {
            throw new UserException("--metrics-port must be at most 65535, got " + port);
        }
        try {
            return HTTPServer.builder().port(port).registry(registry).buildAndStart();
        } catch (IOException e) {
            throw new UserException("--metrics-port " + port + ": cannot listen there (" + e.getMessage() + ")", e);
        }
    }

    /** The port the metrics are served on, or -1 when they are not. */
    public int port() {
        return server == null ? -1 : server.getPort();
    }

    /**
     * Records the latency of one processed observation, from its append to the input queue to the append
     * of its outputs. Consumer thread only; wait-free and allocation-free. Clamped to 0 us .. 1 h.
     */
    @Override
    public void recordLatencyMicros(long micros) {
        latency.record(micros);
    }

    /**
     * Posts the counts after a tick. Consumer thread; copies a few longs, allocates nothing.
     *
     * @param backlog records in the input queue not yet read, or -1 when unknown
     * @param lastSnapshotMillis when the last snapshot was written, in epoch milliseconds, or 0 if none yet
     */
    @Override
    public void update(Counts counts, long backlog, long lastSnapshotMillis) {
        update(counts.inputs(), counts.forecasts(), counts.deadLetters(), counts.noStep(), counts.late(),
                counts.filledPoints(), counts.restarts(), backlog, lastSnapshotMillis);
    }

    /** {@link #update(Counts, long, long)} with the counts one by one (Counts is filled only by the consumer). */
    void update(long inputs, long forecasts, long deadLetters, long noStep, long late, long filledPoints,
            long restarts, long backlog, long lastSnapshotMillis) {
        board.post(inputs, forecasts, deadLetters, noStep, late, filledPoints, restarts, backlog, lastSnapshotMillis,
                clock.millis());
    }

    /** The latencies since the start or the last {@link #resetLatency()}. */
    public LatencySummary latency() {
        return latency.summary();
    }

    /** Forgets the latencies so far, for the scrape and the status line too (a benchmark's warm-up, say). */
    public void resetLatency() {
        latency.reset();
    }

    /** The status in one line for stderr (see {@link StatusLine}). */
    @Override
    public String statusLine() {
        return StatusLine.format(progress(), latency());
    }

    Progress progress() {
        return board.read(clock.millis());
    }

    /** Stops serving the metrics. */
    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
