package dev.chimera.streaming.queue;

import dev.chimera.streaming.record.RecordWire;
import dev.chimera.streaming.record.StreamRecord;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Appends records to a queue, one document each ({@link RecordWire}). A record whose writing fails
 * leaves nothing behind: its document is rolled back. Not thread-safe: one appender per thread.
 */
public final class RecordAppender implements AutoCloseable {
    private final ExcerptAppender appender;

    public RecordAppender(ChronicleQueue queue) {
        this.appender = queue.createAppender();
    }

    /** Appends {@code record}; returns the index it was written at. */
    public long append(StreamRecord record) {
        try (DocumentContext dc = appender.writingDocument()) {
            try {
                RecordWire.write(dc.wire(), record);
            } catch (RuntimeException | Error e) {
                dc.rollbackOnClose();
                throw e;
            }
        }
        return appender.lastIndexAppended();
    }

    @Override
    public void close() {
        appender.close();
    }
}
