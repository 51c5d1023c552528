package dev.chimera.streaming.queue;

import dev.chimera.streaming.record.RecordFormatException;
import dev.chimera.streaming.record.RecordWire;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.Wire;
import net.openhft.chronicle.wire.WireType;

/**
 * Reads a queue's records in order, from its start or from its end (only what is appended later).
 * {@link #next} never blocks: it returns null when nothing more is there yet. A document that is not a
 * record this build reads is skipped over and reported as a {@link RecordFormatException} carrying its
 * index and its content as text, so a consumer can dead-letter it and read on. Not thread-safe.
 */
public final class RecordTailer implements AutoCloseable {
    private final ExcerptTailer tailer;

    private RecordTailer(ExcerptTailer tailer) {
        this.tailer = tailer;
    }

    /** A tailer at the queue's first record. */
    public static RecordTailer fromStart(ChronicleQueue queue) {
        return new RecordTailer(queue.createTailer().toStart());
    }

    /** A tailer after the queue's last record: it reads only records appended from now on. */
    public static RecordTailer fromEnd(ChronicleQueue queue) {
        return new RecordTailer(queue.createTailer().toEnd());
    }

    /**
     * The next record, or null when the tailer is at the end of the queue.
     *
     * @throws RecordFormatException for a document that is not a readable record (the tailer moves past it)
     */
    public QueueEntry next() {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return null;
            }
            long index = dc.index();
            Bytes<?> bytes = dc.wire().bytes();
            long start = bytes.readPosition();
            try {
                return new QueueEntry(index, RecordWire.read(dc.wire()));
            } catch (RecordFormatException e) {
                bytes.readPosition(start);
                throw e.at(index, asText(dc.wire()));
            }
        }
    }

    /**
     * Moves to the record at {@code index}, so that {@link #next} reads it; false when the queue has
     * no such index (the tailer stays where it was).
     */
    public boolean moveTo(long index) {
        return tailer.moveToIndex(index);
    }

    /** The index the next record will be read from (after the last record read). */
    public long index() {
        return tailer.index();
    }

    /** A document's content as Chronicle's text wire (YAML) shows it, or as hex when that fails too. */
    private static String asText(Wire wire) {
        Bytes<?> bytes = wire.bytes();
        long start = bytes.readPosition();
        try {
            Wire text = WireType.TEXT.apply(Bytes.allocateElasticOnHeap());
            wire.copyTo(text);
            return text.toString().strip();
        } catch (RuntimeException e) {
            bytes.readPosition(start);
            return bytes.toHexString();
        }
    }

    @Override
    public void close() {
        tailer.close();
    }
}
