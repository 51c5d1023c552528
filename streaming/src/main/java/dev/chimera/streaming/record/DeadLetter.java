package dev.chimera.streaming.record;

import java.util.Objects;
import net.openhft.chronicle.wire.WireIn;
import net.openhft.chronicle.wire.WireOut;

/**
 * An input record the consumer could not use, and why: the stream goes on, and the record is kept
 * here rather than dropped.
 *
 * <p>Wire format, version 1 (event {@code dead-letter}):
 * <pre>
 *   v:          int    format version (1)
 *   inputIndex: int64  the input queue's index of the record (or its position in an Arrow input)
 *   reason:     text   why it was refused, one line
 *   raw:        text   the record as text (its JSON line, or the bytes as found), or null when none
 * </pre>
 *
 * @param inputIndex where the record is in the input
 * @param reason     one line: what was wrong and what was expected
 * @param raw        the record as text, or null
 */
public record DeadLetter(long inputIndex, String reason, String raw) implements StreamRecord {

    /** The format version this build writes. */
    public static final int VERSION = 1;

    public DeadLetter {
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public RecordType type() {
        return RecordType.DEAD_LETTER;
    }

    @Override
    public void writeFields(WireOut wire) {
        wire.write("v").int32(VERSION);
        wire.write("inputIndex").int64(inputIndex);
        wire.write("reason").text(reason);
        wire.write("raw").text(raw);
    }

    /** Reads the fields {@link #writeFields} wrote (of any version up to {@link #VERSION}). */
    static DeadLetter read(WireIn wire) {
        RecordFields.version(wire, RecordType.DEAD_LETTER);
        long inputIndex = RecordFields.required(wire, "inputIndex").int64();
        String reason = RecordFields.text(wire, "reason");
        String raw = RecordFields.required(wire, "raw").text();
        return new DeadLetter(inputIndex, reason, raw);
    }
}
