package dev.chimera.streaming.record;

/**
 * The kinds of record a queue holds, each with the event name it is written under and the newest
 * format version this build writes and reads.
 */
public enum RecordType {
    /** An {@link Observation}. */
    OBSERVATION("observation", Observation.VERSION),
    /** A {@link ForecastRecord}. */
    FORECAST("forecast", ForecastRecord.VERSION),
    /** A {@link DeadLetter}. */
    DEAD_LETTER("dead-letter", DeadLetter.VERSION);

    private final String eventName;
    private final int version;

    RecordType(String eventName, int version) {
        this.eventName = eventName;
        this.version = version;
    }

    /** The Chronicle event name a record of this type is written under, and its name in {@code stream tail}. */
    public String eventName() {
        return eventName;
    }

    /** The format version written; a reader accepts 1 to this. */
    public int version() {
        return version;
    }

    /** The type written under {@code eventName}, or null for a name this build does not know. */
    public static RecordType ofEventName(CharSequence eventName) {
        for (RecordType t : values()) {
            if (t.eventName.contentEquals(eventName)) {
                return t;
            }
        }
        return null;
    }
}
