package dev.chimera.streaming.io;

import dev.chimera.streaming.record.Observation;

/**
 * One input as a source read it: an observation, or a record it could not make one of (with why
 * and the record as text), each with the index it was read at: its queue index, or for an Arrow
 * input its position (0, 1, ...) among the stream's rows.
 *
 * @param index       where the input is in its source
 * @param observation the observation, or null for a refused record
 * @param refusal     why the record is not an observation (one line), or null
 * @param raw         a refused record as text, or null
 */
public record InputRecord(long index, Observation observation, String refusal, String raw) {

    public static InputRecord of(long index, Observation observation) {
        return new InputRecord(index, observation, null, null);
    }

    public static InputRecord refused(long index, String reason, String raw) {
        return new InputRecord(index, null, reason, raw);
    }
}
