package dev.chimera.streaming.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import dev.chimera.runtime.UserException;
import dev.chimera.streaming.consumer.Counts;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The metrics as a real HTTP client scrapes them, and as the status line shows them. */
class StreamMetricsTest {
    private static final long T0 = 1_700_000_000_000L;

    private final AtomicLong now = new AtomicLong(T0);
    private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());

    /** Latencies 1..1000 us once each, and one of 5 ms: of 1,001 values the
     * 501st, 991st and 1,000th are p50, p99 and p999 (501, 991, 1,000); max 5,000; sum 505,500. */
    private static void recordLatencies(StreamMetrics metrics) {
        for (long us = 1; us <= 1_000; us++) {
            metrics.recordLatencyMicros(us);
        }
        metrics.recordLatencyMicros(5_000);
    }

    @Test
    void scrapeShowsEveryMetric() throws Exception {
        try (StreamMetrics metrics = new StreamMetrics(0, clock)) {
            recordLatencies(metrics);
            metrics.update(1_000, 600, 100, 300, 50, 7, 2, -1, 0);
            now.addAndGet(10_000);
            metrics.update(21_000, 12_600, 2_100, 6_300, 70, 9, 3, 42, T0 + 8_500);

            Map<String, Double> scraped = scrape(metrics.port());
            assertEquals(21_000, scraped.get("chimera_stream_inputs_total"));
            assertEquals(12_600, scraped.get("chimera_stream_forecasts_total"));
            assertEquals(2_100, scraped.get("chimera_stream_dead_letters_total"));
            assertEquals(6_300, scraped.get("chimera_stream_no_step_total"));
            assertEquals(70, scraped.get("chimera_stream_late_total"));
            assertEquals(9, scraped.get("chimera_stream_filled_points_total"));
            assertEquals(3, scraped.get("chimera_stream_restarted_series_total"));
            assertEquals(0, scraped.get("chimera_stream_unaccounted_inputs"));
            assertEquals(42, scraped.get("chimera_stream_lag_records"));
            assertEquals(2_000, scraped.get("chimera_stream_throughput_per_second"));
            assertEquals(1.5, scraped.get("chimera_stream_snapshot_age_seconds"));
            assertEquals(1_001, scraped.get("chimera_stream_latency_seconds_count"));
            assertWithin(505_500e-6, scraped.get("chimera_stream_latency_seconds_sum"));
            assertWithin(501e-6, scraped.get("chimera_stream_latency_seconds{quantile=\"0.5\"}"));
            assertWithin(991e-6, scraped.get("chimera_stream_latency_seconds{quantile=\"0.99\"}"));
            assertWithin(1_000e-6, scraped.get("chimera_stream_latency_seconds{quantile=\"0.999\"}"));
            assertWithin(5_000e-6, scraped.get("chimera_stream_latency_max_seconds"));
            assertEquals(17, scraped.size(), scraped.keySet().toString());
        }
    }

    @Test
    void lostInputsShowAsUnaccounted() throws Exception {
        try (StreamMetrics metrics = new StreamMetrics(0, clock)) {
            metrics.update(100, 60, 10, 27, 0, 0, 0, 0, 0);
            Map<String, Double> scraped = scrape(metrics.port());
            assertEquals(3, scraped.get("chimera_stream_unaccounted_inputs"));
            assertTrue(metrics.statusLine().endsWith(", 3 UNACCOUNTED"), metrics.statusLine());
        }
    }

    @Test
    void unknownLagNoSnapshotAndNoLatencyAreAbsent() throws Exception {
        try (StreamMetrics metrics = new StreamMetrics(0, clock)) {
            metrics.update(5, 0, 0, 5, 0, 0, 0, -1, 0);
            Map<String, Double> scraped = scrape(metrics.port());
            assertFalse(scraped.containsKey("chimera_stream_lag_records"));
            assertFalse(scraped.containsKey("chimera_stream_snapshot_age_seconds"));
            assertFalse(scraped.containsKey("chimera_stream_latency_max_seconds"));
            assertEquals(0, scraped.get("chimera_stream_latency_seconds_count"));
            assertEquals(0, scraped.get("chimera_stream_latency_seconds_sum"));
            assertTrue(scraped.get("chimera_stream_latency_seconds{quantile=\"0.5\"}").isNaN());
            assertEquals("stream: 5 in (0/s), 0 forecasts, 0 dead letters, 5 no step, lag ?, latency -, no snapshot yet",
                    metrics.statusLine());
        }
    }

    @Test
    void statusLineShowsTheFigures() {
        try (StreamMetrics metrics = new StreamMetrics(-1, clock)) {
            assertEquals(-1, metrics.port());
            recordLatencies(metrics);
            metrics.recordLatencyMicros(1_200_000);
            metrics.update(2_345, 0, 0, 2_345, 0, 0, 0, 0, 0);
            now.addAndGet(1_000);
            metrics.update(12_345, 128, 0, 12_217, 0, 0, 0, 1_234_567, T0 + 200);
            assertEquals("stream: 12,345 in (10,000/s), 128 forecasts, 0 dead letters, 12,217 no step, lag 1,234,567, "
                    + "latency p50 501 us p99 992 us p999 5.0 ms, snapshot 0.8 s ago", metrics.statusLine());
        }
    }

    @Test
    void resetDropsTheLatenciesSoFarAndOutOfRangeOnesAreClamped() {
        try (StreamMetrics metrics = new StreamMetrics(-1, clock)) {
            recordLatencies(metrics);
            assertEquals(1_001, metrics.latency().count());
            metrics.resetLatency();
            assertEquals(LatencySummary.EMPTY, metrics.latency());
            metrics.recordLatencyMicros(-5);
            metrics.recordLatencyMicros(Long.MAX_VALUE);
            LatencySummary s = metrics.latency();
            assertEquals(2, s.count());
            assertEquals(0, s.p50Micros());
            assertWithin(LatencyRecorder.HIGHEST_MICROS, s.maxMicros());
        }
    }

    /**
     * Allocating on each call would come to 16 bytes a call at the least; under a byte a call leaves room
     * for what the runtime allocates now and then on the thread (seen: 128 bytes in a run).
     */
    @Test
    void theConsumerThreadCallsAllocateNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        int calls = 100_000;
        try (StreamMetrics metrics = new StreamMetrics(-1)) {
            Counts counts = new Counts();
            long allocated = 0;
            for (int round = 0; round < 3; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < calls; i++) {
                    metrics.recordLatencyMicros(i);
                    metrics.update(counts, i, i);
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            long bytes = allocated;
            assertTrue(bytes < calls, () -> bytes + " bytes allocated by " + calls + " records and updates, once warm");
        }
    }

    @Test
    void aPortInUseIsAOneLineUserError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            UserException e = assertThrows(UserException.class, () -> new StreamMetrics(port).close());
            assertTrue(e.getMessage().startsWith("--metrics-port " + port + ": cannot listen there"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        assertThrows(UserException.class, () -> new StreamMetrics(65_536).close());
    }

    /** HdrHistogram's values at three significant digits are within 0.1% above the exact one. */
    private static void assertWithin(double expected, double actual) {
        assertTrue(actual >= expected * (1 - 1e-9) && actual <= expected * 1.001, () -> actual + " is not " + expected);
    }

    /** GETs /metrics and parses the text exposition into "name{labels}" -> value. */
    private static Map<String, Double> scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }
}
