package dev.chimera.streaming.queue;

import dev.chimera.streaming.record.StreamRecord;

/**
 * A record read from a queue, with the queue index it was read at.
 *
 * @param index  the Chronicle index of its document
 * @param record the record
 */
public record QueueEntry(long index, StreamRecord record) {
}
