package dev.chimera.streaming.metrics;

/**
 * Where the consumer thread leaves its counts after each tick (a few longs copied under an uncontended
 * lock, nothing allocated) and readers find them all from the same tick.
 */
final class ProgressBoard {
    private final Throughput throughput = new Throughput();
    private long inputs;
    private long forecasts;
    private long deadLetters;
    private long noStep;
    private long late;
    private long filledPoints;
    private long restarts;
    private long backlog = -1;
    private long lastSnapshotMillis;

    /**
     * Posts the counts of a tick that ended at {@code nowMillis} (epoch milliseconds, like
     * {@code lastSnapshotMillis}, which is 0 before the first snapshot; {@code backlog} is -1 when unknown).
     */
    synchronized void post(long inputs, long forecasts, long deadLetters, long noStep, long late, long filledPoints,
            long restarts, long backlog, long lastSnapshotMillis, long nowMillis) {
        this.inputs = inputs;
        this.forecasts = forecasts;
        this.deadLetters = deadLetters;
        this.noStep = noStep;
        this.late = late;
        this.filledPoints = filledPoints;
        this.restarts = restarts;
        this.backlog = backlog;
        this.lastSnapshotMillis = lastSnapshotMillis;
        throughput.sample(nowMillis, inputs);
    }

    /** The counts last posted, read at {@code nowMillis}. */
    synchronized Progress read(long nowMillis) {
        double snapshotAge = lastSnapshotMillis == 0 ? Double.NaN
                : Math.max(0, nowMillis - lastSnapshotMillis) / 1_000.0;
        return new Progress(inputs, forecasts, deadLetters, noStep, late, filledPoints, restarts, backlog,
                throughput.perSecond(nowMillis, inputs), snapshotAge);
    }
}
