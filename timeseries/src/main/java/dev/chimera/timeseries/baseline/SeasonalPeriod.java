package dev.chimera.timeseries.baseline;

import dev.chimera.timeseries.data.Split;

/**
 * Infers a seasonal period from the train part: the lag of the strongest autocorrelation peak.
 *
 * <p>The autocorrelation is the usual estimator per channel,
 * {@code r(k) = sum_t (x_t - m)(x_{t-k} - m) / sum_t (x_t - m)^2} over the train rows (pairs with a
 * NaN skipped), averaged over channels. A lag k in [2, maxLag) is a candidate peak when
 * {@code r(k) >= r(k-1)}, {@code r(k) > r(k+1)}, {@code r(k) > 0}, and it stands
 * {@link #MIN_PROMINENCE} above the lowest r at a smaller lag (so a trend's slowly decaying
 * autocorrelation with a ripple of noise is no season). The period is the candidate with the
 * highest r, except that a candidate dividing it whose r is within {@link #DIVISOR_TOLERANCE}
 * wins (the fundamental rather than a multiple). Hourly ETTh1 (train part, all 7 channels):
 * r(24) = 0.771, r(48) = 0.765, r(168) = 0.662, so 24; a weekly pattern would need r(168) above
 * r(24) by the tolerance.
 */
public final class SeasonalPeriod {

    /** How far a peak must rise above the lowest autocorrelation at a smaller lag. */
    public static final double MIN_PROMINENCE = 0.1;

    /** How much weaker a divisor's peak may be and still be preferred to its multiple. */
    public static final double DIVISOR_TOLERANCE = 0.05;

    /** The longest lag ever searched. */
    public static final int MAX_LAG = 1000;

    private SeasonalPeriod() {
    }

    /**
     * The period of the train part, searching lags below {@code min(lookback / 2, 1000, trainEnd / 2)}
     * (a seasonal method needs at least two seasons in a lookback); 1 when no lag qualifies.
     */
    public static int infer(double[][] scaled, Split split, int lookback) {
        int maxLag = Math.min(Math.min(lookback / 2, MAX_LAG), split.trainEnd() / 2);
        if (maxLag < 3) {
            return 1;
        }
        return strongestPeak(autocorrelation(scaled, 0, split.trainEnd(), maxLag));
    }

    /**
     * The autocorrelation r(0..maxLag) of rows [from, to) averaged over channels; channels without
     * variance (or without values) are left out of the average. // result: (maxLag + 1)
     */
    public static double[] autocorrelation(double[][] scaled, int from, int to, int maxLag) {
        double[] mean = new double[maxLag + 1];
        int used = 0;
        double[] x = new double[to - from];
        for (double[] series : scaled) {
            double sum = 0;
            int n = 0;
            for (int t = from; t < to; t++) {
                if (!Double.isNaN(series[t])) {
                    sum += series[t];
                    n++;
                }
            }
            if (n < 2) {
                continue;
            }
            double m = sum / n;
            double variance = 0;
            for (int t = from; t < to; t++) {
                double v = series[t] - m;  // NaN stays NaN
                x[t - from] = v;
                if (!Double.isNaN(v)) {
                    variance += v * v;
                }
            }
            if (variance == 0) {
                continue;
            }
            for (int k = 0; k <= maxLag; k++) {
                double s = 0;
                for (int t = k; t < x.length; t++) {
                    double p = x[t] * x[t - k];
                    if (!Double.isNaN(p)) {
                        s += p;
                    }
                }
                mean[k] += s / variance;
            }
            used++;
        }
        if (used == 0) {
            throw new IllegalArgumentException("no channel varies in rows [" + from + ", " + to + ")");
        }
        for (int k = 0; k <= maxLag; k++) {
            mean[k] /= used;
        }
        return mean;
    }

    /** The period chosen from an autocorrelation r(0..maxLag) by the rule in the class comment; 1 when none. */
    public static int strongestPeak(double[] r) {
        int maxLag = r.length - 1;
        boolean[] candidate = new boolean[maxLag];
        double lowest = r[1];
        int best = 1;
        for (int k = 2; k < maxLag; k++) {
            lowest = Math.min(lowest, r[k - 1]);
            candidate[k] = r[k] >= r[k - 1] && r[k] > r[k + 1] && r[k] > 0 && r[k] - lowest >= MIN_PROMINENCE;
            if (candidate[k] && (best == 1 || r[k] > r[best])) {
                best = k;
            }
        }
        if (best == 1) {
            return 1;
        }
        for (int d = 2; d < best; d++) {
            if (best % d == 0 && candidate[d] && r[d] >= r[best] - DIVISOR_TOLERANCE) {
                return d;
            }
        }
        return best;
    }
}
