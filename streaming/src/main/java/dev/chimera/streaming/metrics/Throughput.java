package dev.chimera.streaming.metrics;

/**
 * Inputs per second over the last ten seconds or so: a ring of (time, inputs) samples at least a second
 * apart, the oldest of which is the start of the window and the time of asking its end, so the rate falls
 * towards 0 while the consumer stands still. Not thread-safe: {@link ProgressBoard} guards it.
 */
final class Throughput {
    private static final long SAMPLE_MILLIS = 1_000;
    private static final int SAMPLES = 11;

    private final long[] times = new long[SAMPLES];
    private final long[] inputs = new long[SAMPLES];
    private int newest = -1;
    private int size;

    /** Keeps the count of inputs at {@code nowMillis} if the last sample is a second old or more. */
    void sample(long nowMillis, long inputCount) {
        if (size > 0 && nowMillis - times[newest] < SAMPLE_MILLIS) {
            return;
        }
        newest = (newest + 1) % SAMPLES;
        times[newest] = nowMillis;
        inputs[newest] = inputCount;
        size = Math.min(size + 1, SAMPLES);
    }

    /** Inputs per second from the oldest sample to {@code nowMillis}, when the count is {@code inputCount}. */
    double perSecond(long nowMillis, long inputCount) {
        if (size == 0) {
            return 0;
        }
        int oldest = (newest - size + 1 + SAMPLES) % SAMPLES;
        long millis = nowMillis - times[oldest];
        return millis <= 0 ? 0 : (inputCount - inputs[oldest]) * 1_000.0 / millis;
    }
}
