package dev.chimera.streaming.metrics;

/**
 * The latencies recorded since the start (or the last {@link StreamMetrics#resetLatency()}), in
 * microseconds. Quantiles, the mean and the maximum are HdrHistogram's, good to three significant
 * digits (within 0.1%); they are NaN while {@code count} is 0.
 */
public record LatencySummary(long count, double meanMicros, double p50Micros, double p99Micros, double p999Micros,
        double maxMicros) {

    static final LatencySummary EMPTY = new LatencySummary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN);

    /** The sum of the latencies (count times the mean): 0 while there are none. */
    public double sumMicros() {
        return count == 0 ? 0 : count * meanMicros;
    }
}
