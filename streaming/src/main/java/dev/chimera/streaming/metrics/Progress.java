package dev.chimera.streaming.metrics;

/**
 * The consumer's counts as of its last tick, all from that one tick, with what they imply at the time
 * they were read.
 *
 * @param backlog records in the input queue not yet read, or -1 when unknown
 * @param perSecond inputs per second over the last ten seconds or so
 * @param snapshotAgeSeconds seconds since the last snapshot was written, or NaN before the first
 */
record Progress(long inputs, long forecasts, long deadLetters, long noStep, long late, long filledPoints,
        long restarts, long backlog, double perSecond, double snapshotAgeSeconds) {

    /** Inputs that are neither answered by a forecast, a dead letter nor counted as completing no step: 0 unless some were lost. */
    long unaccounted() {
        return inputs - forecasts - deadLetters - noStep;
    }
}
