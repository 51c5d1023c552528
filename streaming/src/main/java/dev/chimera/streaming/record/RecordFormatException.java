package dev.chimera.streaming.record;

import dev.chimera.runtime.UserException;

/**
 * A document on a queue that is not a record this build can read: an unknown record type, a newer
 * format version, a missing field or inconsistent fields. Where the document was read from a queue,
 * {@link #index()} says where and {@link #raw()} shows the document as text, so that a consumer can
 * send it to its dead-letter queue and a reader can name it.
 */
public class RecordFormatException extends UserException {
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final long index;
    private final String raw;

    public RecordFormatException(String reason) {
        this(reason, -1, null, null);
    }

    private RecordFormatException(String reason, long index, String raw, Throwable cause) {
        super(index < 0 ? reason : "record " + index + ": " + reason, cause);
        this.reason = reason;
        this.index = index;
        this.raw = raw;
    }

    /** The same problem, placed at queue index {@code index}, whose document reads as {@code raw}. */
    public RecordFormatException at(long index, String raw) {
        return new RecordFormatException(reason, index, raw, getCause());
    }

    /** A failure of the wire itself (a truncated or garbled document), as a format problem. */
    static RecordFormatException garbled(RuntimeException e) {
        return new RecordFormatException("unreadable document (" + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("")) + ")",
                -1, null, e);
    }

    /** What is wrong with the record, without where it is. */
    public String reason() {
        return reason;
    }

    /** The queue index of the record, or -1 when not read from a queue. */
    public long index() {
        return index;
    }

    /** The document as text, or null. */
    public String raw() {
        return raw;
    }
}
