package dev.chimera.streaming.record;

import net.openhft.chronicle.wire.WireOut;

/**
 * A record on a stream queue. {@link RecordWire} writes it as the event {@link RecordType#eventName()}
 * whose value is the map {@link #writeFields} writes, and reads it back.
 */
public sealed interface StreamRecord permits Observation, ForecastRecord, DeadLetter {

    /** What kind of record this is. */
    RecordType type();

    /** Writes the record's fields, {@code v} (its format version) first, into the event's map. */
    void writeFields(WireOut wire);
}
