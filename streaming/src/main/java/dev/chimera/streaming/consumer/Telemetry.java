package dev.chimera.streaming.consumer;

/** What the consumer's loop reports as it goes: each observation's latency, the counts after each tick. */
public interface Telemetry {

    /** From an observation's append time to when the outputs of its tick were appended, in microseconds. */
    void recordLatencyMicros(long micros);

    /** After each tick: the counts, inputs not yet read (-1: unknown), when the last snapshot was written (0: none). */
    void update(Counts counts, long backlog, long lastSnapshotMillis);

    /** One line for stderr: throughput, counts, lag, latency, snapshot age. */
    String statusLine();
}
