package dev.chimera.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings of one named component of a model config, its input adapter or its head: a
 * {@code kind} that names the registered factory ({@link Components}) and that factory's own
 * settings, in JSON one object: {@code {"kind": "softmax", "vocabSize": 9, "tied": true}}.
 * Immutable; the accessors name the config field ({@code head.vocabSize}) in their errors.
 */
public final class ComponentSpec {
    /**
     * Settings that configs written before the component registry held for every kind, with a
     * zero, false or null value where the kind did not use them (the shipped models' configs have
     * them): read as absent, in a spec read from JSON and in one built in code alike. Only the
     * core's own kinds existed then, so only their specs are read this way; a domain component's
     * settings are kept as written, a 0 or false included.
     */
    private static final Set<String> LEGACY_PLACEHOLDERS =
            Set.of("vocabSize", "tied", "bins", "frequencies", "outDim", "dim", "adapter");
    private static final Set<String> LEGACY_KINDS = Set.of("tokens", "continuous", "softmax", "fourier", "regression");

    private final String field;
    private final String kind;
    private final Map<String, Object> settings;

    /**
     * Legacy placeholders are dropped here, whichever way the spec is made, so that a spec equals
     * its own JSON round trip ({@code softmax(9, false)} written and read back is still equal).
     */
    private ComponentSpec(String field, String kind, Map<String, Object> settings) {
        this.field = field;
        this.kind = kind;
        Map<String, Object> kept = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : settings.entrySet()) {
            if (!(LEGACY_KINDS.contains(kind) && isLegacyPlaceholder(e.getKey(), e.getValue()))) {
                kept.put(e.getKey(), e.getValue());
            }
        }
        this.settings = Collections.unmodifiableMap(kept);
    }

    /** A spec of this kind with these settings; {@code field} ("input", "head") names it in errors. */
    public static ComponentSpec of(String field, String kind, Map<String, Object> settings) {
        if (kind == null || kind.isEmpty()) {
            throw new IllegalArgumentException("model config: " + field + ".kind: missing");
        }
        for (String key : settings.keySet()) {
            if (key.equals("kind")) {
                throw new IllegalArgumentException("model config: " + field + ": 'kind' given twice");
            }
        }
        return new ComponentSpec(field, kind, settings);
    }

    /** A spec read from JSON: "kind" and the settings in one object. */
    @JsonCreator
    static ComponentSpec fromJson(Map<String, Object> json) {
        Object kind = json.get("kind");
        if (!(kind instanceof String)) {
            throw new IllegalArgumentException("'kind' must be a string naming a registered component, got " + kind);
        }
        Map<String, Object> settings = new LinkedHashMap<>(json);
        settings.remove("kind");
        return new ComponentSpec("component", (String) kind, settings);
    }

    private static boolean isLegacyPlaceholder(String key, Object value) {
        return LEGACY_PLACEHOLDERS.contains(key) && (value == null || Boolean.FALSE.equals(value)
                || (value instanceof Number && ((Number) value).doubleValue() == 0));
    }

    @JsonValue
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("kind", kind);
        json.putAll(settings);
        return json;
    }

    /** The same spec, its errors naming {@code field} ("input" or "head"). */
    ComponentSpec as(String newField) {
        return new ComponentSpec(newField, kind, settings);
    }

    public String kind() {
        return kind;
    }

    /** The config field this spec fills, e.g. {@code head}. */
    public String field() {
        return field;
    }

    public Map<String, Object> settings() {
        return settings;
    }

    /** This spec with one setting added or replaced. */
    public ComponentSpec with(String key, Object value) {
        Map<String, Object> s = new LinkedHashMap<>(settings);
        s.put(key, value);
        return new ComponentSpec(field, kind, s);
    }

    public boolean has(String key) {
        return settings.containsKey(key);
    }

    /** A required whole number >= min. */
    public int integer(String key, int min) {
        Object v = settings.get(key);
        if (v == null) {
            throw invalid(key, "missing (a whole number >= " + min + ")");
        }
        return checkInteger(key, v, min);
    }

    /** An optional whole number >= min, {@code fallback} when absent. */
    public int integer(String key, int min, int fallback) {
        Object v = settings.get(key);
        return v == null ? fallback : checkInteger(key, v, min);
    }

    private int checkInteger(String key, Object v, int min) {
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min
                || ((Number) v).longValue() > Integer.MAX_VALUE) {
            throw invalid(key, v + " must be a whole number >= " + min);
        }
        return ((Number) v).intValue();
    }

    /** An optional finite number, {@code fallback} when absent. */
    public double number(String key, double fallback) {
        Object v = settings.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number) || !Double.isFinite(((Number) v).doubleValue())) {
            throw invalid(key, v + " must be a finite number");
        }
        return ((Number) v).doubleValue();
    }

    /** An optional true/false, {@code fallback} when absent. */
    public boolean bool(String key, boolean fallback) {
        Object v = settings.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean)) {
            throw invalid(key, v + " must be true or false");
        }
        return (Boolean) v;
    }

    /** An optional string from {@code choices}, {@code fallback} when absent. */
    public String choice(String key, Set<String> choices, String fallback) {
        Object v = settings.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String) || !choices.contains(v)) {
            throw invalid(key, "'" + v + "' is not one of " + new TreeSet<>(choices));
        }
        return (String) v;
    }

    /** Refuses any setting but these, so that a misspelt key is an error, not a silent default. */
    public void allowOnly(Set<String> keys) {
        for (String key : settings.keySet()) {
            if (!keys.contains(key)) {
                throw invalid(key, "not a setting of a '" + kind + "' " + field + " (settings: " + new TreeSet<>(keys)
                        + ")");
            }
        }
    }

    /** The error for a bad setting, naming the config field: {@code model config: head.bins: ...}. */
    public IllegalArgumentException invalid(String key, String why) {
        return new IllegalArgumentException("model config: " + field + "." + key + ": " + why);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComponentSpec && kind.equals(((ComponentSpec) o).kind)
                && settings.equals(((ComponentSpec) o).settings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, settings);
    }

    @Override
    public String toString() {
        return toJson().toString();
    }
}
