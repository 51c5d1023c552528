package dev.chimera.genomics.cli;

import java.util.Locale;

/** One flat JSON object on one line, for {@code --json}: strings, integers, rounded numbers (NaN as null). */
final class JsonObject {
    private final StringBuilder sb = new StringBuilder("{");

    JsonObject put(String key, String value) {
        key(key);
        if (value == null) {
            sb.append("null");
        } else {
            string(value);
        }
        return this;
    }

    JsonObject put(String key, long value) {
        key(key);
        sb.append(value);
        return this;
    }

    JsonObject put(String key, double value, int decimals) {
        key(key);
        sb.append(Double.isFinite(value) ? String.format(Locale.ROOT, "%." + decimals + "f", value) : "null");
        return this;
    }

    private void key(String key) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        string(key);
        sb.append(':');
    }

    private void string(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    @Override
    public String toString() {
        return sb + "}";
    }
}
