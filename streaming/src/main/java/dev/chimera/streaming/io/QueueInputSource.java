package dev.chimera.streaming.io;

import dev.chimera.runtime.UserException;
import dev.chimera.streaming.queue.QueueEntry;
import dev.chimera.streaming.queue.Queues;
import dev.chimera.streaming.queue.RecordTailer;
import dev.chimera.streaming.record.Observation;
import dev.chimera.streaming.record.RecordFormatException;
import java.nio.file.Path;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

/**
 * Observations from a Chronicle queue, by queue index. A document that is not an observation (a
 * record of another type, a newer format, garbled bytes) comes back refused with its text. A queue
 * never ends: more may always be appended.
 */
public final class QueueInputSource implements InputSource {
    private final Path dir;
    private final ChronicleQueue queue;
    private final RecordTailer tailer;

    /** Opens the existing queue in {@code dir}; {@code option} names where it came from, for messages. */
    public QueueInputSource(Path dir, String option) {
        this.dir = dir;
        this.queue = Queues.openExisting(dir, option);
        this.tailer = RecordTailer.fromStart(queue);
    }

    @Override
    public void startAfter(long lastIndex) {
        if (lastIndex < 0) {
            return;
        }
        if (!tailer.moveTo(lastIndex)) {
            throw new UserException("input queue " + dir + " has no record at index " + lastIndex + ", where the "
                    + "snapshot says the consumer stopped: was the queue replaced? Use a new --snapshot-dir for a new input");
        }
        next(); // the record at lastIndex was processed before the snapshot
    }

    @Override
    public InputRecord next() {
        QueueEntry entry;
        try {
            entry = tailer.next();
        } catch (RecordFormatException e) {
            return InputRecord.refused(e.index(), e.reason(), e.raw());
        }
        if (entry == null) {
            return null;
        }
        if (entry.record() instanceof Observation o) {
            return InputRecord.of(entry.index(), o);
        }
        return InputRecord.refused(entry.index(), "a " + entry.record().type().eventName()
                + " record; expected an observation", entry.record().toString());
    }

    @Override
    public boolean ended() {
        return false;
    }

    /** Within one cycle (a day's file) indexes are consecutive, so the count is a subtraction; across cycles Chronicle counts. */
    @Override
    public long backlog() {
        long last = queue.lastIndex();
        if (last < 0) {
            return 0;
        }
        long next = Math.max(tailer.index(), queue.firstIndex()); // a tailer that has read nothing points before the first
        if (next > last) {
            return 0;
        }
        RollCycle cycle = queue.rollCycle();
        if (cycle.toCycle(next) == cycle.toCycle(last)) {
            return cycle.toSequenceNumber(last) - cycle.toSequenceNumber(next) + 1;
        }
        return ((SingleChronicleQueue) queue).countExcerpts(next, last) + 1;
    }

    @Override
    public void close() {
        tailer.close();
        queue.close();
    }
}
