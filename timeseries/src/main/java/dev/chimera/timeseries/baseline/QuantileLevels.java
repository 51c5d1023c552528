package dev.chimera.timeseries.baseline;

import java.util.Arrays;

/**
 * Quantile levels for probabilistic forecasts: strictly increasing, each in (0, 1). The default
 * 0.1, 0.2, ..., 0.9 is the grid Chronos and GIFT-Eval score WQL on.
 */
public final class QuantileLevels {

    private static final double[] DEFAULT = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};

    private QuantileLevels() {
    }

    /** A fresh copy of 0.1, 0.2, ..., 0.9. */
    public static double[] defaults() {
        return DEFAULT.clone();
    }

    /** A validated copy of {@code levels}: at least one, strictly increasing, each in (0, 1). */
    public static double[] checked(double[] levels) {
        if (levels == null || levels.length == 0) {
            throw new IllegalArgumentException("quantile levels: at least one level is needed");
        }
        for (int i = 0; i < levels.length; i++) {
            double q = levels[i];
            if (!(q > 0 && q < 1)) {
                throw new IllegalArgumentException("quantile level " + q + " (index " + i + ") is not in (0, 1)");
            }
            if (i > 0 && !(q > levels[i - 1])) {
                throw new IllegalArgumentException("quantile levels must increase strictly: " + Arrays.toString(levels));
            }
        }
        return levels.clone();
    }
}
