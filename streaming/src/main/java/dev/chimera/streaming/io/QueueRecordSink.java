package dev.chimera.streaming.io;

import dev.chimera.streaming.queue.Queues;
import dev.chimera.streaming.queue.RecordAppender;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.streaming.record.RecordWire;
import dev.chimera.streaming.record.StreamRecord;
import java.nio.file.Path;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Forecasts or dead letters to a Chronicle queue: each append is one document, readable by others
 * at once, so {@link #flush} has nothing to do. {@link #lastInputIndex} reads the queue backwards
 * to its last readable record of this sink's kind.
 */
public final class QueueRecordSink<R extends StreamRecord> implements RecordSink<R> {
    private final ChronicleQueue queue;
    private final RecordAppender appender;

    /** Opens or creates the queue in {@code dir}; {@code option} names where it came from, for messages. */
    public QueueRecordSink(Path dir, String option) {
        this.queue = Queues.openOrCreate(dir, option);
        this.appender = new RecordAppender(queue);
    }

    @Override
    public long lastInputIndex() {
        try (ExcerptTailer tailer = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return -1;
                    }
                    try {
                        StreamRecord r = RecordWire.read(dc.wire());
                        if (r instanceof ForecastRecord f) {
                            return f.inputIndex();
                        }
                        if (r instanceof DeadLetter d) {
                            return d.inputIndex();
                        }
                    } catch (RuntimeException e) {
                        // not a record this build reads: look further back
                    }
                }
            }
        }
    }

    @Override
    public void append(R record) {
        appender.append(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        appender.close();
        queue.close();
    }
}
