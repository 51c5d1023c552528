package dev.chimera.core.eval.fourier;

/**
 * Mean and sample standard deviation (n - 1 in the denominator, as pandas' std, which the
 * reference's eval/aggregate.py uses) of one figure over seeds, with the two-sided 95% Student t
 * interval for the mean: mean ± t(0.975, n - 1) std / sqrt(n). The deviation and the interval are
 * NaN for one seed.
 *
 * <p>{@link #paired} gives the same for the per-seed differences a_i - b_i of two figures measured
 * on the same seeds (the paired t-interval); a difference is {@link #significant} when its
 * interval excludes 0, which is the two-sided paired t-test at the 5% level ({@link #pValue}).
 *
 * <p>The t distribution is computed here rather than taken from a statistics library (core-model
 * depends on none): for an integer number of degrees of freedom its distribution function has a
 * finite closed form (Abramowitz and Stegun 26.7.3 and 26.7.4), and the quantile is found by
 * bisection on it.
 */
public record SeedStats(double mean, double std, int n) {
    /** The confidence level of {@link #ci95Low()} and {@link #ci95High()}. */
    public static final double LEVEL = 0.95;

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

    /** The statistics of a[i] - b[i]: a and b hold one figure per seed, in the same seed order. */
    public static SeedStats paired(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("SeedStats.paired: " + a.length + " values against " + b.length);
        }
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        return of(d);
    }

    /** t(0.975, n - 1) std / sqrt(n), half the width of the 95% interval; NaN for one value. */
    public double halfWidth95() {
        return n < 2 ? Double.NaN : tQuantile(0.5 + LEVEL / 2, n - 1) * std / Math.sqrt(n);
    }

    public double ci95Low() {
        return mean - halfWidth95();
    }

    public double ci95High() {
        return mean + halfWidth95();
    }

    /** Whether the 95% interval excludes 0 (false for one value, which has no interval). */
    public boolean significant() {
        return n >= 2 && (ci95Low() > 0 || ci95High() < 0);
    }

    /**
     * The two-sided p-value of the one-sample t-test of mean 0 (for {@link #paired} statistics the
     * paired t-test): P(|T| >= |mean| / (std / sqrt(n))) with n - 1 degrees of freedom. NaN for one
     * value; 0 when every value is the same non-zero number, 1 when all are 0.
     */
    public double pValue() {
        if (n < 2) {
            return Double.NaN;
        }
        if (std == 0) {
            return mean == 0 ? 1 : 0;
        }
        return 1 - centralMass(Math.abs(mean) / (std / Math.sqrt(n)), n - 1);
    }

    /** P(T <= t) for Student's t with {@code df} >= 1 degrees of freedom. */
    public static double tCdf(double t, int df) {
        checkDf(df);
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        double half = centralMass(Math.abs(t), df) / 2;
        return t >= 0 ? 0.5 + half : 0.5 - half;
    }

    /** The p-quantile of Student's t with {@code df} >= 1 degrees of freedom, 0 < p < 1. */
    public static double tQuantile(double p, int df) {
        checkDf(df);
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("tQuantile: p must be in (0, 1), got " + p);
        }
        if (p == 0.5) {
            return 0;
        }
        if (p < 0.5) {
            return -tQuantile(1 - p, df);
        }
        double mass = 2 * p - 1; // the quantile q has P(|T| <= q) = mass
        double lo = 0;
        double hi = 1;
        while (centralMass(hi, df) < mass) {
            lo = hi;
            hi *= 2;
            if (Double.isInfinite(hi)) {
                return Double.POSITIVE_INFINITY;
            }
        }
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                break;
            }
            if (centralMass(mid, df) < mass) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /**
     * P(|T| <= t) for t >= 0 (Abramowitz and Stegun 26.7.3, 26.7.4): with theta = atan(t /
     * sqrt(df)), c = cos^2 theta, for odd df (2 / pi) (theta + sin theta cos theta (1 + (2/3) c +
     * (2 4)/(3 5) c^2 + ... up to the c^((df - 3) / 2) term)), the sum being empty for df = 1; for
     * even df sin theta (1 + (1/2) c + (1 3)/(2 4) c^2 + ... up to the c^((df - 2) / 2) term).
     */
    private static double centralMass(double t, int df) {
        if (Double.isInfinite(t)) {
            return 1;
        }
        double theta = Math.atan(t / Math.sqrt(df));
        double sin = Math.sin(theta);
        double cos = Math.cos(theta);
        double c = cos * cos;
        if (df % 2 == 1) {
            double sum = 0;
            if (df > 1) {
                double term = 1;
                sum = 1;
                for (int k = 1; k <= (df - 3) / 2; k++) {
                    term *= c * (2.0 * k) / (2.0 * k + 1);
                    sum += term;
                    if (term < 1e-17 * sum) {
                        break;
                    }
                }
                sum *= sin * cos;
            }
            return Math.min(1, 2 / Math.PI * (theta + sum));
        }
        double term = 1;
        double sum = 1;
        for (int k = 1; k <= (df - 2) / 2; k++) {
            term *= c * (2.0 * k - 1) / (2.0 * k);
            sum += term;
            if (term < 1e-17 * sum) {
                break;
            }
        }
        return Math.min(1, sin * sum);
    }

    private static void checkDf(int df) {
        if (df < 1) {
            throw new IllegalArgumentException("Student t: degrees of freedom must be >= 1, got " + df);
        }
    }
}
