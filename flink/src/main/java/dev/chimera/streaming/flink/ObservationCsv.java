package dev.chimera.streaming.flink;

import dev.chimera.streaming.record.Observation;
import java.io.Serializable;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * The job's input format: a long CSV, one observation per line, {@code series,timestamp,value[,value...]},
 * after a header line that names the columns (any names; it fixes how many values each line has).
 * A timestamp is epoch seconds ({@code 1483228800}) or ISO-8601 in UTC or with an offset
 * ({@code 2017-01-01T00:00:00Z}); an empty value, or {@code NaN}, is a missing value (what the
 * consumer does with it is {@code --on-missing}'s choice). Fields are not quoted: a series id holds no
 * comma. A line that does not follow this is {@linkplain MalformedLine malformed}, with the reason.
 */
public final class ObservationCsv implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int values;

    /** A line that is not {@code series,timestamp,value[,value...]} with the header's number of values. */
    public static final class MalformedLine extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedLine(String reason) {
            super(reason);
        }
    }

    private ObservationCsv(int values) {
        this.values = values;
    }

    /** The format a header line announces; an error names what is wrong with it. */
    public static ObservationCsv fromHeader(String header) {
        String[] names = header.split(",", -1);
        if (names.length < 3) {
            throw new IllegalArgumentException("the first line, '" + header + "', has " + names.length
                    + " column(s); expected a header series,timestamp,value[,value...]");
        }
        if (isTimestamp(names[1].strip())) {
            throw new IllegalArgumentException("the first line, '" + header + "', is data; expected a header "
                    + "series,timestamp,value[,value...] before the data");
        }
        return new ObservationCsv(names.length - 2);
    }

    /** Values per line (channels), as the header says. */
    public int values() {
        return values;
    }

    /** The observation a data line holds. */
    public Observation parse(String line) throws MalformedLine {
        if (line.isBlank()) {
            throw new MalformedLine("an empty line; expected " + expected());
        }
        String[] fields = line.split(",", -1);
        if (fields.length != values + 2) {
            throw new MalformedLine(fields.length + (fields.length == 1 ? " field" : " fields") + "; expected "
                    + expected());
        }
        String series = fields[0].strip();
        if (series.isEmpty()) {
            throw new MalformedLine("an empty series id; expected " + expected());
        }
        long timestamp = timestamp(fields[1].strip());
        double[] v = new double[values];
        for (int c = 0; c < values; c++) {
            v[c] = value(fields[c + 2].strip(), c);
        }
        return new Observation(series, timestamp, v);
    }

    private String expected() {
        return "series,timestamp" + ",value".repeat(values) + " (" + (values + 2) + " fields, as in the header)";
    }

    /** Epoch seconds of an epoch-seconds or ISO-8601 timestamp. */
    static long timestamp(String text) throws MalformedLine {
        if (isEpochSeconds(text)) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new MalformedLine("timestamp '" + text + "' is out of range");
            }
        }
        Instant t;
        try {
            t = Instant.parse(text);
        } catch (DateTimeException e) {
            throw new MalformedLine("timestamp '" + text + "' is neither epoch seconds nor ISO-8601 such as "
                    + "2017-01-01T00:00:00Z");
        }
        if (t.getNano() != 0) {
            throw new MalformedLine("timestamp '" + text + "' has a fraction of a second; expected whole seconds");
        }
        return t.getEpochSecond();
    }

    private static boolean isTimestamp(String text) {
        try {
            timestamp(text);
            return true;
        } catch (MalformedLine e) {
            return false;
        }
    }

    private static boolean isEpochSeconds(String text) {
        int start = text.startsWith("-") ? 1 : 0;
        if (text.length() == start) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static double value(String text, int c) throws MalformedLine {
        if (text.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new MalformedLine("value " + (c + 1) + ", '" + text + "', is not a number");
        }
    }
}
