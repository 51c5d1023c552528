package dev.chimera.streaming.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Latencies from 1 us to 1 h at three significant digits. One thread records, wait-free and without
 * allocating (HdrHistogram's {@link SingleWriterRecorder}); any number of readers take a summary, each
 * of which first moves what was recorded since the last one into the running total.
 */
final class LatencyRecorder {
    /** One hour: longer latencies are recorded as this. */
    static final long HIGHEST_MICROS = 3_600_000_000L;
    private static final int SIGNIFICANT_DIGITS = 3;

    private final SingleWriterRecorder recorder = new SingleWriterRecorder(1, HIGHEST_MICROS, SIGNIFICANT_DIGITS);
    private final Histogram interval = new Histogram(1, HIGHEST_MICROS, SIGNIFICANT_DIGITS);
    private final Histogram total = new Histogram(1, HIGHEST_MICROS, SIGNIFICANT_DIGITS);

    /**
     * Records one latency; only ever from one thread at a time. A negative one (the clocks of the
     * appending process and this one disagree) counts as 0, one over an hour as an hour.
     */
    void record(long micros) {
        recorder.recordValue(Math.min(Math.max(micros, 0), HIGHEST_MICROS));
    }

    /** The latencies recorded since the start or the last {@link #reset()}. */
    synchronized LatencySummary summary() {
        drain();
        long count = total.getTotalCount();
        if (count == 0) {
            return LatencySummary.EMPTY;
        }
        return new LatencySummary(count, total.getMean(), total.getValueAtPercentile(50),
                total.getValueAtPercentile(99), total.getValueAtPercentile(99.9), total.getMaxValue());
    }

    /** Forgets every latency recorded so far (a benchmark's warm-up, say). */
    synchronized void reset() {
        drain();
        total.reset();
    }

    private void drain() {
        recorder.getIntervalHistogramInto(interval);
        total.add(interval);
    }
}
