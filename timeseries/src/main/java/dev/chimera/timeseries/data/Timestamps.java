package dev.chimera.timeseries.data;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/**
 * Timestamps as text, to and from epoch seconds (UTC). Accepted forms: ISO-8601 date-times with or
 * without a zone offset ({@code 2016-07-01T00:00:00}, {@code 2016-07-01T00:00:00Z},
 * {@code 2016-07-01T02:00:00+02:00}), the same with a space for the {@code T}
 * ({@code 2016-07-01 00:00:00}, pandas' and ETT's form), without seconds ({@code 2016-07-01 00:00}),
 * and dates alone ({@code 2016-07-01}, midnight). A time without an offset is taken as UTC, so a
 * local-time file keeps its wall-clock grid. Fractional seconds are accepted only when zero: the grid
 * is in whole seconds.
 */
final class Timestamps {

    /** What the error messages say a timestamp should look like. */
    static final String EXPECTED = "a timestamp such as 2016-07-01 00:00:00, 2016-07-01T00:00:00Z or 2016-07-01";

    // yyyy-MM-dd ['T' HH:mm[:ss[.fraction]] [offset]], strict calendar (no 2016-02-30).
    private static final DateTimeFormatter PARSER = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart()
            .appendLiteral('T')
            .appendValue(ChronoField.HOUR_OF_DAY, 2)
            .appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
            .optionalStart()
            .appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .optionalEnd()
            .optionalEnd()
            .optionalStart()
            .appendOffset("+HH:MM:ss", "Z")
            .optionalEnd()
            .optionalEnd()
            .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
            .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
            .parseDefaulting(ChronoField.SECOND_OF_MINUTE, 0)
            .parseDefaulting(ChronoField.NANO_OF_SECOND, 0)
            .toFormatter()
            .withResolverStyle(ResolverStyle.STRICT)
            .withChronology(java.time.chrono.IsoChronology.INSTANCE);

    private static final DateTimeFormatter PRINTER = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

    private Timestamps() {
    }

    /**
     * Epoch seconds of {@code text}.
     *
     * @throws DateTimeException if it is none of the accepted forms, or has a non-zero fraction of a second
     */
    static long parse(String text) {
        String s = text.strip();
        if (isPlainDateTime(s)) {
            // The common case (ETT's form), without the general parser; LocalDateTime.of checks the ranges.
            return LocalDateTime.of(digits(s, 0, 4), digits(s, 5, 7), digits(s, 8, 10), digits(s, 11, 13),
                    digits(s, 14, 16), digits(s, 17, 19)).toEpochSecond(ZoneOffset.UTC);
        }
        // "2016-07-01 00:00:00" -> "2016-07-01T00:00:00": one parser for both separators.
        if (s.length() > 10 && s.charAt(10) == ' ') {
            s = s.substring(0, 10) + 'T' + s.substring(11).stripLeading();
        }
        TemporalAccessor t = PARSER.parse(s);
        if (t.getLong(ChronoField.NANO_OF_SECOND) != 0) {
            throw new DateTimeException("fractional seconds are not supported");
        }
        long local = LocalDateTime.from(t).toEpochSecond(ZoneOffset.UTC);
        return t.isSupported(ChronoField.OFFSET_SECONDS) ? local - t.getLong(ChronoField.OFFSET_SECONDS) : local;
    }

    /** Whether {@code s} is exactly {@code dddd-dd-dd dd:dd:dd} (or with a {@code T}). */
    private static boolean isPlainDateTime(String s) {
        if (s.length() != 19 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != ' ' && s.charAt(10) != 'T')
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return false;
        }
        for (int i = 0; i < 19; i++) {
            if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && (s.charAt(i) < '0' || s.charAt(i) > '9')) {
                return false;
            }
        }
        return true;
    }

    private static int digits(String s, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            value = value * 10 + (s.charAt(i) - '0');
        }
        return value;
    }

    /** {@code epochSeconds} as {@code yyyy-MM-dd HH:mm:ss} (UTC), for messages. */
    static String format(long epochSeconds) {
        return PRINTER.format(LocalDateTime.ofEpochSecond(epochSeconds, 0, ZoneOffset.UTC));
    }
}
