package dev.chimera.timeseries.model;

/**
 * Per-instance normalisation (AutoTimes, RevIN): a lookback's mean and standard deviation,
 * subtracted and divided out of everything the model sees and undone on its output. The
 * deviation is sqrt(variance + 1e-5), so a constant lookback does not divide by zero. Missing
 * values (NaN) are left out of both statistics.
 */
public record InstanceNorm(double mean, double std) {
    static final double EPSILON = 1e-5;

    /** The statistics of values[from, to). */
    public static InstanceNorm of(double[] values, int from, int to) {
        double sum = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            if (!Double.isNaN(values[i])) {
                sum += values[i];
                n++;
            }
        }
        double mean = n == 0 ? 0 : sum / n;
        double squares = 0;
        for (int i = from; i < to; i++) {
            if (!Double.isNaN(values[i])) {
                double e = values[i] - mean;
                squares += e * e;
            }
        }
        return new InstanceNorm(mean, Math.sqrt((n == 0 ? 0 : squares / n) + EPSILON));
    }

    public float normalise(double value) {
        return (float) ((value - mean) / std);
    }

    public double restore(double normalised) {
        return normalised * std + mean;
    }
}
