package dev.chimera.streaming.record;

import java.time.Instant;

/** Wall-clock time in epoch microseconds: comparable between processes on one machine, unlike nanoTime. */
public final class Clock {
    private Clock() {
    }

    /** Now, in microseconds since the epoch (the resolution the platform clock gives, 1 us on Linux). */
    public static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
