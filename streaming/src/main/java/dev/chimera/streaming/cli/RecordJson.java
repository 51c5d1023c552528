package dev.chimera.streaming.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.chimera.streaming.queue.QueueEntry;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.streaming.record.Observation;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * A queue entry as one JSON object on one line, as {@code stream tail --json} prints it. Every object
 * starts with {@code index} (the queue index) and {@code type} ({@code observation}, {@code forecast}
 * or {@code dead-letter}); timestamps are ISO-8601 UTC ({@code 2017-10-24T00:00:00Z}); numbers are
 * written as Java's shortest round-trip decimal, so they parse back to the same double, and NaN and
 * infinities (not JSON numbers) as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}.
 * <ul>
 *   <li>observation: {@code series}, {@code timestamp}, {@code values} (one per channel);
 *   <li>forecast: {@code series}, {@code timestamp} (of the first point), {@code input_index},
 *       {@code horizon}, {@code point} and {@code quantiles} (level -> values, levels as written,
 *       {@code "0.1"}); for one channel the values are a flat array of H, for C channels an array of C
 *       arrays of H;
 *   <li>dead letter: {@code input_index}, {@code reason}, and {@code raw} when the record had one.
 * </ul>
 */
public final class RecordJson {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private RecordJson() {
    }

    /** The entry as one line of JSON (no newline). */
    static String line(QueueEntry entry) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(text)) {
            g.writeStartObject();
            g.writeNumberField("index", entry.index());
            g.writeStringField("type", entry.record().type().eventName());
            if (entry.record() instanceof Observation o) {
                observation(g, o);
            } else if (entry.record() instanceof ForecastRecord f) {
                forecast(g, f);
            } else if (entry.record() instanceof DeadLetter d) {
                deadLetter(g, d);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static void observation(JsonGenerator g, Observation o) throws IOException {
        g.writeStringField("series", o.series());
        g.writeStringField("timestamp", timestamp(o.timestamp()));
        g.writeFieldName("values");
        numbers(g, o.values());
    }

    public static void forecast(JsonGenerator g, ForecastRecord f) throws IOException {
        g.writeStringField("series", f.series());
        g.writeStringField("timestamp", timestamp(f.timestamp()));
        g.writeNumberField("input_index", f.inputIndex());
        g.writeNumberField("horizon", f.horizon());
        g.writeFieldName("point");
        channels(g, f, -1);
        g.writeObjectFieldStart("quantiles");
        for (int q = 0; q < f.levels().length; q++) {
            g.writeFieldName(Double.toString(f.levels()[q]));
            channels(g, f, q);
        }
        g.writeEndObject();
    }

    /** The point values (q = -1) or those of level q: flat for one channel, one array per channel otherwise. */
    private static void channels(JsonGenerator g, ForecastRecord f, int q) throws IOException {
        if (f.channels() == 1) {
            numbers(g, q < 0 ? f.point() : f.quantiles()[q]);
            return;
        }
        g.writeStartArray();
        for (int c = 0; c < f.channels(); c++) {
            numbers(g, q < 0 ? f.point(c) : f.quantile(q, c));
        }
        g.writeEndArray();
    }

    public static void deadLetter(JsonGenerator g, DeadLetter d) throws IOException {
        g.writeNumberField("input_index", d.inputIndex());
        g.writeStringField("reason", d.reason());
        if (d.raw() != null) {
            g.writeStringField("raw", d.raw());
        }
    }

    private static void numbers(JsonGenerator g, double[] values) throws IOException {
        g.writeStartArray();
        for (double v : values) {
            g.writeNumber(v);
        }
        g.writeEndArray();
    }

    /** Epoch seconds as ISO-8601 UTC: {@code 2017-10-24T00:00:00Z}. */
    static String timestamp(long epochSeconds) {
        return Instant.ofEpochSecond(epochSeconds).toString();
    }
}
