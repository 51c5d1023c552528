package dev.chimera.timeseries.eval;

import dev.chimera.timeseries.baseline.QuantileLevels;

/**
 * Running sums for point and quantile forecast metrics over any number of windows, channels and
 * steps. One instance per thread (or per block of work); {@link #merge} adds another's sums, so
 * a parallel evaluation that merges its blocks in a fixed order gets the same bits at any thread
 * count.
 *
 * <p>Points whose actual value is NaN (masked) are skipped by every metric; a NaN forecast where
 * the actual is known is not skipped and makes the metric NaN, so a failed forecast is visible.
 *
 * <p>Definitions, over the N scored points (y actual, f point forecast, f_q the level-q quantile,
 * Q the set of levels, pinball {@code rho_q(y, f) = max(q (y - f), (q - 1)(y - f))}):
 *
 * <pre>
 *   MSE       = sum (y - f)^2 / N
 *   MAE       = sum |y - f|   / N
 *   WQL       = sum_q sum_points 2 rho_q(y, f_q) / (|Q| * sum_points |y|)
 *               (weighted quantile loss, the Chronos / GIFT-Eval "mean weighted sum quantile loss")
 *   CRPS~     = sum_q sum_points 2 rho_q(y, f_q) / (|Q| * N)
 *               (the quantile-loss approximation of the CRPS: CRPS = integral over q of
 *               2 rho_q, here a mean over the levels; not normalised by |y|)
 *   coverage  = fraction of points with f_{q_first} <= y <= f_{q_last}
 *               (nominal: q_last - q_first, 0.8 for the default levels)
 * </pre>
 *
 * <p>The quantile sums count only the points passed to {@link #addQuantiles}; the point sums only
 * those passed to {@link #addPoints}.
 */
public final class Metrics {

    private final double[] levels;

    private long points;
    private double sumSquared;
    private double sumAbsolute;

    private long quantilePoints;
    private double sumAbsActual;
    /** sum over levels and points of 2 rho_q. */
    private double sumPinball2;
    private long covered;

    /** Point metrics only: {@link #addQuantiles} will refuse. */
    public Metrics() {
        this.levels = new double[0];
    }

    /** Point and quantile metrics for the given levels (checked by {@link QuantileLevels#checked}). */
    public Metrics(double[] levels) {
        this.levels = QuantileLevels.checked(levels);
    }

    /**
     * Scores a point forecast: {@code forecast[0, n)} against {@code actual[from, from + n)}.
     */
    public void addPoints(double[] actual, int from, double[] forecast, int n) {
        checkRange(actual, from, forecast.length, n);
        double sq = 0;
        double abs = 0;
        long count = 0;
        for (int i = 0; i < n; i++) {
            double y = actual[from + i];
            if (Double.isNaN(y)) {
                continue;
            }
            double e = y - forecast[i];
            sq += e * e;
            abs += Math.abs(e);
            count++;
        }
        sumSquared += sq;
        sumAbsolute += abs;
        points += count;
    }

    /**
     * Scores quantile forecasts: {@code quantiles[k][0, n)} is the level-{@code levels[k]} forecast of
     * {@code actual[from, from + n)}; // quantiles: (Q, >= n)
     */
    public void addQuantiles(double[] actual, int from, double[][] quantiles, int n) {
        if (levels.length == 0) {
            throw new IllegalStateException("these metrics were made without quantile levels");
        }
        if (quantiles.length != levels.length) {
            throw new IllegalArgumentException(quantiles.length + " quantile rows for " + levels.length + " levels");
        }
        for (double[] row : quantiles) {
            checkRange(actual, from, row.length, n);
        }
        double[] lo = quantiles[0];
        double[] hi = quantiles[levels.length - 1];
        double pinball = 0;
        double absActual = 0;
        long count = 0;
        long in = 0;
        for (int i = 0; i < n; i++) {
            double y = actual[from + i];
            if (Double.isNaN(y)) {
                continue;
            }
            for (int k = 0; k < levels.length; k++) {
                double e = y - quantiles[k][i];
                double q = levels[k];
                pinball += 2 * (e >= 0 ? q * e : (q - 1) * e);
            }
            absActual += Math.abs(y);
            if (y >= lo[i] && y <= hi[i]) {
                in++;
            }
            count++;
        }
        sumPinball2 += pinball;
        sumAbsActual += absActual;
        quantilePoints += count;
        covered += in;
    }

    /** Adds {@code other}'s sums to these (same levels required). */
    public void merge(Metrics other) {
        if (!java.util.Arrays.equals(levels, other.levels)) {
            throw new IllegalArgumentException("cannot merge metrics over different quantile levels");
        }
        points += other.points;
        sumSquared += other.sumSquared;
        sumAbsolute += other.sumAbsolute;
        quantilePoints += other.quantilePoints;
        sumAbsActual += other.sumAbsActual;
        sumPinball2 += other.sumPinball2;
        covered += other.covered;
    }

    /** Scored points of the point forecasts. */
    public long count() {
        return points;
    }

    /** Scored points of the quantile forecasts. */
    public long quantileCount() {
        return quantilePoints;
    }

    public double mse() {
        return points == 0 ? Double.NaN : sumSquared / points;
    }

    public double mae() {
        return points == 0 ? Double.NaN : sumAbsolute / points;
    }

    /** Weighted quantile loss (see the class comment); NaN without quantile points. */
    public double wql() {
        return quantilePoints == 0 ? Double.NaN : sumPinball2 / (levels.length * sumAbsActual);
    }

    /** The quantile-loss approximation of the CRPS: mean over levels and points of 2 rho_q. */
    public double crpsQuantileApprox() {
        return quantilePoints == 0 ? Double.NaN : sumPinball2 / ((double) levels.length * quantilePoints);
    }

    /** Fraction of actuals inside [first level's quantile, last level's quantile]. */
    public double coverage() {
        return quantilePoints == 0 ? Double.NaN : (double) covered / quantilePoints;
    }

    /** The interval's nominal coverage: last level - first level; NaN without levels. */
    public double nominalCoverage() {
        return levels.length == 0 ? Double.NaN : levels[levels.length - 1] - levels[0];
    }

    /** The levels these metrics score (a copy). */
    public double[] levels() {
        return levels.clone();
    }

    private static void checkRange(double[] actual, int from, int forecastLength, int n) {
        if (n < 0 || from < 0 || from + n > actual.length || n > forecastLength) {
            throw new IllegalArgumentException("cannot score " + n + " points from row " + from + " of a series of "
                    + actual.length + " rows with a forecast of " + forecastLength);
        }
    }
}
