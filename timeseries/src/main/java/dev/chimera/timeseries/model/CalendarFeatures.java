package dev.chimera.timeseries.model;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * The timestamp embedding's input (AutoTimes adds a per-segment position embedding derived from
 * the segment's time to its value embedding): the calendar position of a segment's first point as
 * sine/cosine pairs of minute of hour, hour of day, day of week and day of year. The segment's
 * input row is its S values followed by these {@value #COUNT} features, so the input adapter's
 * linear map is the sum of a value embedding and a timestamp embedding. Features that a grid's
 * step makes constant (minutes of hourly data) cost nothing but a column.
 */
public final class CalendarFeatures {
    /** Features per timestamp. */
    public static final int COUNT = 6;

    private CalendarFeatures() {
    }

    /** Writes the features of {@code epochSecond} (UTC) into out[offset, offset + COUNT). */
    public static void of(long epochSecond, float[] out, int offset) {
        ZonedDateTime t = Instant.ofEpochSecond(epochSecond).atZone(ZoneOffset.UTC);
        double minute = t.getMinute() + t.getSecond() / 60.0;
        double hour = t.getHour() + minute / 60.0;
        double weekday = t.getDayOfWeek().getValue() - 1 + hour / 24.0;
        pair(out, offset, minute / 60.0);
        pair(out, offset + 2, hour / 24.0);
        pair(out, offset + 4, weekday / 7.0);
    }

    private static void pair(float[] out, int at, double turns) {
        double angle = 2 * Math.PI * turns;
        out[at] = (float) Math.sin(angle);
        out[at + 1] = (float) Math.cos(angle);
    }
}
