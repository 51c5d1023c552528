package dev.chimera.streaming.record;

import net.openhft.chronicle.wire.ValueIn;
import net.openhft.chronicle.wire.WireIn;

/** Reading a record's named fields: present where required, the format version one this build reads. */
final class RecordFields {

    private RecordFields() {
    }

    /** The value of field {@code name}; a record without it is refused. */
    static ValueIn required(WireIn wire, String name) {
        ValueIn value = wire.read(name);
        if (!value.isPresent()) {
            throw new RecordFormatException("no field '" + name + "'");
        }
        return value;
    }

    /** The text of field {@code name}; a record without it, or with null there, is refused. */
    static String text(WireIn wire, String name) {
        String text = required(wire, name).text();
        if (text == null) {
            throw new RecordFormatException("field '" + name + "' is null; expected text");
        }
        return text;
    }

    /** The record's format version, checked to be one this build reads (1 to {@code type.version()}). */
    static int version(WireIn wire, RecordType type) {
        int v = required(wire, "v").int32();
        if (v < 1 || v > type.version()) {
            throw new RecordFormatException(type.eventName() + " format version " + v + "; this build reads versions 1 to "
                    + type.version() + (v > type.version() ? " (written by a newer Chimera?)" : ""));
        }
        return v;
    }
}
