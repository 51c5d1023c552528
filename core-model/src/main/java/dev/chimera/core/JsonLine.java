package dev.chimera.core;

import java.util.Locale;

/** Builds one flat JSON object for {@code --json} output: strings, numbers, booleans and null. */
public final class JsonLine {
    private final StringBuilder sb = new StringBuilder("{");

    public JsonLine put(String key, String value) {
        key(key);
        if (value == null) {
            sb.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    public JsonLine put(String key, long value) {
        key(key);
        sb.append(value);
        return this;
    }

    public JsonLine put(String key, boolean value) {
        key(key);
        sb.append(value);
        return this;
    }

    /** A finite number rounded to {@code decimals} places; NaN or a missing value is written as null. */
    public JsonLine put(String key, double value, int decimals) {
        key(key);
        sb.append(Double.isFinite(value) ? String.format(Locale.ROOT, "%." + decimals + "f", value) : "null");
        return this;
    }

    private void key(String key) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        quote(key);
        sb.append(':');
    }

    private void quote(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        sb.append('"');
    }

    @Override
    public String toString() {
        return sb + "}";
    }
}
