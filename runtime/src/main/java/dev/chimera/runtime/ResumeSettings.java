package dev.chimera.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The settings of a run that can be resumed, one at a time: a new run takes each option's value
 * or its default; a resumed run takes the value it recorded (in its checkpoint's trainer.json
 * info, under {@code prefix + key}), and an option given again must agree with it. Disagreements
 * are collected, so that {@link #requireSame} names them all in one message.
 */
public final class ResumeSettings {
    private final Map<String, String> recorded;
    private final String prefix;
    private final List<String> differences = new ArrayList<>();

    /** {@code recorded}: the resumed run's info, empty for a new run; its keys start with {@code prefix}. */
    public ResumeSettings(Map<String, String> recorded, String prefix) {
        this.recorded = recorded;
        this.prefix = prefix;
    }

    /** The recorded text, else the option's value {@code given} (null when omitted), else the fallback's. */
    public String text(String key, String given, Supplier<String> fallback) {
        return take(key, given, fallback, old -> old);
    }

    /** As {@link #text}, for an integer setting. */
    public long integer(String key, Long given, long fallback) {
        return take(key, given, () -> fallback, Long::parseLong);
    }

    /** As {@link #text}, for a real-valued setting (compared as {@link Double#equals} does, bit for bit). */
    public double real(String key, Double given, double fallback) {
        return take(key, given, () -> fallback, Double::parseDouble);
    }

    private <T> T take(String key, T given, Supplier<T> fallback, Function<String, T> parse) {
        String old = recorded.isEmpty() ? null : recorded.get(prefix + key);
        if (old == null) {
            return given != null ? given : fallback.get();
        }
        T value = parse.apply(old);
        if (given != null && !given.equals(value)) {
            differences.add(option(key) + " is " + given + ", the run has " + value);
        }
        return value;
    }

    /** Fails, naming every option that disagreed with the run recorded in {@code out}. */
    public void requireSame(Path out) {
        if (!differences.isEmpty()) {
            throw new UserException(out + " holds a run with other settings; --resume continues it only with the "
                    + "same ones (omit an option to take the recorded value): " + String.join("; ", differences));
        }
    }

    /** The option of a setting: key {@code holdout_fraction} is {@code --holdout-fraction}. */
    private static String option(String key) {
        return "--" + key.replace('_', '-');
    }
}
