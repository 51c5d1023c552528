package dev.chimera.streaming.record;

import net.openhft.chronicle.wire.ValueIn;
import net.openhft.chronicle.wire.WireIn;
import net.openhft.chronicle.wire.WireOut;

/**
 * Writes and reads one record as one Chronicle document's content: the event named after the record
 * type, its value the map of the record's fields. The document itself (size prefix, index) is the
 * queue's: see {@code RecordAppender} and {@code RecordTailer}.
 */
public final class RecordWire {

    private RecordWire() {
    }

    /** Writes {@code record} into an open document's wire. */
    public static void write(WireOut wire, StreamRecord record) {
        wire.writeEventName(record.type().eventName()).marshallable(record::writeFields);
    }

    /**
     * Reads the record in a document's wire.
     *
     * @throws RecordFormatException if it is not a record of a type and version this build reads
     */
    public static StreamRecord read(WireIn wire) {
        StringBuilder name = new StringBuilder();
        StreamRecord[] record = new StreamRecord[1];
        try {
            ValueIn in = wire.readEventName(name);
            RecordType type = RecordType.ofEventName(name);
            if (type == null) {
                throw new RecordFormatException("a record of unknown type '" + name
                        + "'; expected observation, forecast or dead-letter");
            }
            boolean present = in.marshallable(w -> record[0] = switch (type) {
                case OBSERVATION -> Observation.read(w);
                case FORECAST -> ForecastRecord.read(w);
                case DEAD_LETTER -> DeadLetter.read(w);
            });
            if (!present || record[0] == null) {
                throw new RecordFormatException("a " + type.eventName() + " record without fields");
            }
        } catch (RecordFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            // Whatever the wire throws on bytes it cannot parse is a fault of the document, not of this code.
            throw RecordFormatException.garbled(e);
        }
        return record[0];
    }
}
