package dev.chimera.core.eval.fourier;

/**
 * Mean and sample standard deviation (n - 1 in the denominator, as pandas' std, which the
 * reference's eval/aggregate.py uses) of one figure over seeds; the deviation is NaN for one seed.
 */
public record SeedStats(double mean, double std, int n) {

    public static SeedStats of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("SeedStats: no values");
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / values.length;
        if (values.length == 1) {
            return new SeedStats(mean, Double.NaN, 1);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new SeedStats(mean, Math.sqrt(ss / (values.length - 1)), values.length);
    }
}
