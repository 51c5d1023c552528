package dev.chimera.streaming.record;

import java.util.Arrays;
import java.util.Objects;
import net.openhft.chronicle.wire.ValueIn;
import net.openhft.chronicle.wire.WireIn;
import net.openhft.chronicle.wire.WireOut;

/**
 * One timestamped observation of a series: one value per channel, as the time-series
 * {@code Forecaster} observes it. A value may be NaN (a missing value the consumer decides about).
 *
 * <p>Wire format, version 1 (event {@code observation}):
 * <pre>
 *   v:         int      format version (1)
 *   series:    text     the series id
 *   timestamp: int64    epoch seconds, UTC
 *   values:    [float64] one per channel, fixed 8-byte doubles
 *   appended:  int64    optional: when the producer appended it, epoch microseconds (what a
 *                       consumer measures its latency from); absent when 0
 * </pre>
 *
 * @param series         the series id (not empty)
 * @param timestamp      epoch seconds, UTC
 * @param values         one value per channel (at least one); not copied, do not change it after
 * @param appendedMicros when it was appended, epoch microseconds, or 0 when not known
 */
public record Observation(String series, long timestamp, double[] values, long appendedMicros) implements StreamRecord {

    /** The format version this build writes. */
    public static final int VERSION = 1;

    /** An observation without an append time. */
    public Observation(String series, long timestamp, double[] values) {
        this(series, timestamp, values, 0);
    }

    /** This observation stamped with the current time as its append time. */
    public Observation appendedNow() {
        return new Observation(series, timestamp, values, Clock.micros());
    }

    public Observation {
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(values, "values");
        if (series.isEmpty()) {
            throw new IllegalArgumentException("an observation needs a series id");
        }
        if (values.length == 0) {
            throw new IllegalArgumentException("series " + series + ": an observation needs at least one value");
        }
    }

    @Override
    public RecordType type() {
        return RecordType.OBSERVATION;
    }

    @Override
    public void writeFields(WireOut wire) {
        wire.write("v").int32(VERSION);
        wire.write("series").text(series);
        wire.write("timestamp").int64(timestamp);
        WireArrays.write(wire.write("values"), values);
        if (appendedMicros != 0) {
            wire.write("appended").int64(appendedMicros);
        }
    }

    /** Reads the fields {@link #writeFields} wrote (of any version up to {@link #VERSION}). */
    static Observation read(WireIn wire) {
        RecordFields.version(wire, RecordType.OBSERVATION);
        String series = RecordFields.text(wire, "series");
        long timestamp = RecordFields.required(wire, "timestamp").int64();
        double[] values = WireArrays.read(RecordFields.required(wire, "values"));
        ValueIn appended = wire.read("appended");
        long appendedMicros = appended.isPresent() ? appended.int64() : 0;
        if (series.isEmpty() || values.length == 0) {
            throw new RecordFormatException("an observation with " + (series.isEmpty() ? "an empty series id"
                    : "no values"));
        }
        return new Observation(series, timestamp, values, appendedMicros);
    }

    // A record with an array component compares its arrays by content, bit for bit (so NaN equals NaN).

    @Override
    public boolean equals(Object o) {
        return o instanceof Observation other && series.equals(other.series) && timestamp == other.timestamp
                && Arrays.equals(values, other.values) && appendedMicros == other.appendedMicros;
    }

    @Override
    public int hashCode() {
        return Objects.hash(series, timestamp, Arrays.hashCode(values), appendedMicros);
    }

    @Override
    public String toString() {
        return "Observation[series=" + series + ", timestamp=" + timestamp + ", values=" + Arrays.toString(values)
                + (appendedMicros == 0 ? "" : ", appendedMicros=" + appendedMicros) + "]";
    }
}
