package dev.chimera.streaming.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a job committed under its --out directory, read back: every finished part file (in-progress and
 * pending ones are hidden, named with a leading dot, and not output), each JSON line parsed back into
 * the record it was written from, doubles as they were.
 */
final class JobOutput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobOutput() {
    }

    /** The forecasts, sorted by input index. */
    static List<ForecastRecord> forecasts(Path out) {
        List<ForecastRecord> records = new ArrayList<>();
        for (JsonNode n : objects(out.resolve("forecasts"), "forecast")) {
            records.add(forecast(n));
        }
        records.sort(Comparator.comparingLong(ForecastRecord::inputIndex));
        return records;
    }

    /** The dead letters, sorted by input index. */
    static List<DeadLetter> deadLetters(Path out) {
        List<DeadLetter> letters = new ArrayList<>();
        for (JsonNode n : objects(out.resolve("dead-letters"), "dead-letter")) {
            letters.add(new DeadLetter(n.get("input_index").asLong(), n.get("reason").asText(),
                    n.has("raw") ? n.get("raw").asText() : null));
        }
        letters.sort(Comparator.comparingLong(DeadLetter::inputIndex));
        return letters;
    }

    private static List<JsonNode> objects(Path dir, String type) {
        List<JsonNode> nodes = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return nodes;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    JsonNode n = JSON.readTree(line);
                    assertEquals(type, n.get("type").asText(), line);
                    nodes.add(n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return nodes;
    }

    private static ForecastRecord forecast(JsonNode n) {
        int horizon = n.get("horizon").asInt();
        JsonNode point = n.get("point");
        int channels = point.get(0).isArray() ? point.size() : 1;
        List<Double> levels = new ArrayList<>();
        List<double[]> quantiles = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.get("quantiles").properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> level = it.next();
            levels.add(Double.parseDouble(level.getKey()));
            quantiles.add(values(level.getValue(), channels));
        }
        return new ForecastRecord(n.get("series").asText(), n.get("input_index").asLong(),
                Instant.parse(n.get("timestamp").asText()).getEpochSecond(), horizon, channels,
                values(point, channels), levels.stream().mapToDouble(Double::doubleValue).toArray(),
                quantiles.toArray(new double[0][]));
    }

    /** Flat channel-major values of a flat array (one channel) or an array of arrays (one per channel). */
    private static double[] values(JsonNode node, int channels) {
        List<JsonNode> rows = new ArrayList<>();
        if (channels == 1) {
            rows.add(node);
        } else {
            node.forEach(rows::add);
        }
        return rows.stream().flatMap(row -> {
            List<JsonNode> cells = new ArrayList<>();
            row.forEach(cells::add);
            return cells.stream();
        }).mapToDouble(JsonNode::doubleValue).toArray();
    }
}
