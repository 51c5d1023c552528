package dev.chimera.timeseries.data;

import dev.chimera.runtime.UserException;
import java.util.Locale;

/**
 * What a reader does with a missing value: an empty cell, {@code NaN}, {@code nan}, {@code NA} or
 * {@code null} in a CSV, a null or NaN in Arrow, and every row a gap in the time grid leaves out.
 */
public enum MissingPolicy {
    /** Refuse the file, naming the first missing value (the default: nothing is filled in silently). */
    ERROR,
    /**
     * Fill linearly in time between the nearest observed values before and after; before the first
     * and after the last observed value, repeat that value. A column with no value at all is refused.
     */
    INTERPOLATE,
    /** Keep the value missing, as NaN, for the consumer to mask. */
    MASK;

    /** The hint that ends a missing-value error. */
    static final String HINT = "or pass --on-missing interpolate|mask";

    /** The policy named {@code value} (case-insensitive), as given to {@code --on-missing}. */
    public static MissingPolicy parse(String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserException("--on-missing '" + value + "': expected error, interpolate or mask");
        }
    }
}
