package dev.chimera.streaming.replay;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces a sequence of events at a fixed rate: event i is due {@code i / rate} seconds after the
 * first. Due times are fixed from the start, so a late event (a pause of the JVM) does not shift
 * the later ones: the schedule catches up rather than drifting.
 */
public final class Pacer {
    private final double nanosPerEvent;
    private long start = -1;

    /** @param perSecond events per second; {@link Double#POSITIVE_INFINITY} for no pacing */
    public Pacer(double perSecond) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("rate " + perSecond + "; expected a positive number");
        }
        this.nanosPerEvent = 1e9 / perSecond;
    }

    /** Waits until event {@code i} (counted from 0) is due; event 0 starts the clock. */
    public void await(long i) {
        long now = System.nanoTime();
        if (start < 0) {
            start = now;
        }
        if (nanosPerEvent == 0) {
            return;
        }
        long due = start + (long) (i * nanosPerEvent);
        while (now < due) {
            LockSupport.parkNanos(due - now);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            now = System.nanoTime();
        }
    }
}
