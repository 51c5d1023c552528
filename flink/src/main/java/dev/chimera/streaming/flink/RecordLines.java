package dev.chimera.streaming.flink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.chimera.streaming.cli.RecordJson;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.streaming.record.RecordType;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Forecasts and dead letters as the JSON lines the job writes: the objects {@code stream tail --json}
 * prints for them ({@link RecordJson}), less the queue {@code index} a file has no use for:
 * {@code type}, then for a forecast {@code series}, {@code timestamp}, {@code input_index},
 * {@code horizon}, {@code point}, {@code quantiles}, for a dead letter {@code input_index},
 * {@code reason}, {@code raw}. Numbers read back to the same doubles.
 */
public final class RecordLines {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private RecordLines() {
    }

    /** A forecast as one line of JSON (no newline). */
    public static String forecast(ForecastRecord f) {
        return line(RecordType.FORECAST, g -> RecordJson.forecast(g, f));
    }

    /** A dead letter as one line of JSON (no newline). */
    public static String deadLetter(DeadLetter d) {
        return line(RecordType.DEAD_LETTER, g -> RecordJson.deadLetter(g, d));
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private static String line(RecordType type, Fields fields) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(text)) {
            g.writeStartObject();
            g.writeStringField("type", type.eventName());
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
