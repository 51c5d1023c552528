package dev.chimera.core.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a trainer needs besides weights and optimiser moments to continue a run: the step reached,
 * the seed of the run, the optimiser's {@link dev.chimera.core.train.Optimizer#name() name} (null
 * when saved without one) and a free-form string map (schedule settings, data position and
 * description, ...). Stored as {@code trainer.json} in a checkpoint.
 */
public record TrainerState(long step, long seed, String optimizer, Map<String, String> info) {

    private static final Set<String> FIELDS = Set.of("step", "seed", "optimizer", "info");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    public TrainerState {
        if (step < 0) {
            throw new IllegalArgumentException("trainer state: step must be >= 0, got " + step);
        }
        if (optimizer != null && optimizer.isEmpty()) {
            throw new IllegalArgumentException("trainer state: optimizer name must be null or non-empty");
        }
        Map<String, String> copy = new LinkedHashMap<>();
        if (info != null) {
            info.forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new IllegalArgumentException("trainer state: info keys and values must not be null, got "
                            + k + " = " + v);
                }
                copy.put(k, v);
            });
        }
        info = Collections.unmodifiableMap(copy);
    }

    /** The same state with another optimiser name. */
    public TrainerState withOptimizer(String name) {
        return new TrainerState(step, seed, name, info);
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("step", step);
        root.put("seed", seed);
        root.put("optimizer", optimizer);
        ObjectNode map = root.putObject("info");
        info.forEach(map::put);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + this, e);
        }
    }

    /** Parses {@link #toJson()} output; {@code source} names the file in messages. */
    public static TrainerState fromJson(String json, String source) throws CheckpointException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(source + ": expected a JSON object with " + FIELDS);
        }
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!FIELDS.contains(e.getKey())) {
                throw new CheckpointException(source + ": unknown field '" + e.getKey() + "' (expected " + FIELDS + ")");
            }
        }
        long step = integer(root, "step", source);
        long seed = integer(root, "seed", source);
        JsonNode opt = root.get("optimizer");
        if (opt == null || !(opt.isNull() || opt.isTextual())) {
            throw new CheckpointException(source + ": 'optimizer' must be a string or null");
        }
        JsonNode infoNode = root.get("info");
        if (infoNode == null || !infoNode.isObject()) {
            throw new CheckpointException(source + ": 'info' must be an object of strings");
        }
        Map<String, String> info = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : infoNode.properties()) {
            if (!e.getValue().isTextual()) {
                throw new CheckpointException(source + ": info '" + e.getKey() + "' is " + e.getValue()
                        + ", not a string");
            }
            info.put(e.getKey(), e.getValue().textValue());
        }
        try {
            return new TrainerState(step, seed, opt.isNull() ? null : opt.textValue(), info);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(source + ": " + e.getMessage(), e);
        }
    }

    private static long integer(JsonNode root, String field, String source) throws CheckpointException {
        JsonNode n = root.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new CheckpointException(source + ": '" + field + "' must be an integer");
        }
        return n.longValue();
    }
}
