package dev.chimera.streaming.io;

import dev.chimera.streaming.record.StreamRecord;

/**
 * Where the stream consumer writes forecasts or dead letters: a Chronicle queue, or (forecasts) an
 * Arrow IPC stream to a file or standard output. Records carry the input index they answer; after a
 * restart the consumer asks {@link #lastInputIndex} and writes only records answering later inputs,
 * so nothing is written twice. Not thread-safe.
 */
public interface RecordSink<R extends StreamRecord> extends AutoCloseable {

    /**
     * The input index the last record already in this output answers, or -1 when there is none (or
     * the output cannot be read back, as standard output cannot). A sink opened on an output that a
     * killed process left half-written first cuts it back to its last complete record.
     */
    long lastInputIndex();

    /** Appends a record (buffered by sinks that write in batches, until {@link #flush}). */
    void append(R record);

    /** Makes everything appended so far readable by others: the consumer calls it after each tick. */
    void flush();

    @Override
    void close();
}
