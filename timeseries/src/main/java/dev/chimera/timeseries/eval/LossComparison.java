package dev.chimera.timeseries.eval;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Whether one forecaster's losses are lower than another's beyond the noise: the Diebold-Mariano
 * test (Diebold and Mariano 1995) on the loss differences {@code d_i = a_i - b_i} over forecast
 * origins in time order. Forecasts from nearby origins overlap, so their losses are correlated and
 * the variance of the mean is the long-run one, estimated by Newey and West (1987, Bartlett kernel):
 *
 * <pre>
 *   t = mean(d) / sqrt(LRV / n),   LRV = g_0 + 2 sum_{k=1..lag} (1 - k / (lag + 1)) g_k
 * </pre>
 *
 * with {@code g_k} the sample autocovariance of d at lag k. Origins where either loss is NaN are
 * left out. Large positive t: b's losses are lower.
 */
public final class LossComparison {
    private LossComparison() {
    }

    /**
     * The statistic t of mean(a - b); NaN with fewer than two usable origins. A constant non-zero
     * difference gives an infinite t of its sign.
     *
     * @param lag autocovariance lags counted (0 for independent losses); capped at n - 1
     */
    public static double statistic(double[] a, double[] b, int lag) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("loss series of " + a.length + " and " + b.length + " origins");
        }
        if (lag < 0) {
            throw new IllegalArgumentException("lag must be >= 0, got " + lag);
        }
        double[] d = new double[a.length];
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (!Double.isNaN(a[i]) && !Double.isNaN(b[i])) {
                d[n++] = a[i] - b[i];
            }
        }
        if (n < 2) {
            return Double.NaN;
        }
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += d[i];
        }
        mean /= n;
        int lags = Math.min(lag, n - 1);
        double variance = autocovariance(d, n, mean, 0);
        for (int k = 1; k <= lags; k++) {
            variance += 2 * (1 - k / (lags + 1.0)) * autocovariance(d, n, mean, k);
        }
        if (!(variance > 0)) {
            return mean == 0 ? 0.0 : Math.copySign(Double.POSITIVE_INFINITY, mean);
        }
        return mean / Math.sqrt(variance / n);
    }

    /**
     * The value the statistic must exceed for a one-sided test at level alpha: the standard normal's
     * 1 - alpha quantile (1.645 at 5%). A run that tests k candidates against one reference passes
     * alpha / k (Bonferroni), so that the chance of keeping any of them by luck stays below alpha.
     */
    public static double critical(double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        return new NormalDistribution(null, 0, 1).inverseCumulativeProbability(1 - alpha);
    }

    /** The lag that covers the overlap of windows {@code horizon} long taken every {@code stride} origins. */
    public static int overlapLag(int horizon, int stride) {
        return (horizon + stride - 1) / stride;
    }

    private static double autocovariance(double[] d, int n, double mean, int k) {
        double sum = 0;
        for (int i = k; i < n; i++) {
            sum += (d[i] - mean) * (d[i - k] - mean);
        }
        return sum / n;
    }
}
