package dev.chimera.timeseries.baseline;

import dev.chimera.timeseries.data.Split;
import java.util.Arrays;

/**
 * Seasonal naive: each step repeats the value one or more whole seasons earlier,
 * {@code f[o + h] = y[o + h - m * (h / m + 1)]} (m the period, h from 0), i.e. the last season of
 * the lookback repeated. The period is given or inferred from the train part by
 * {@link SeasonalPeriod}.
 *
 * <p>Quantiles, per channel: the residual of step h is {@code y[t] - y[t - j m]} with
 * {@code j = h / m + 1}, so every step with the same j shares one residual distribution. Fitting
 * collects, for each j up to the longest horizon, every such lag-jm difference whose two rows lie
 * in the train part (all train origins at once, which is the set of step-h residuals over the
 * train origins up to the windows at the part's edges), and the level-q forecast is the point
 * forecast plus the residuals' empirical q-quantile (linear interpolation between order
 * statistics, Hyndman and Fan type 7). Per channel because the channels' noise differs even
 * after z-scoring (ETTh1's OT against the loads).
 */
public final class SeasonalNaive implements Baseline {

    private final int season;
    private int period;
    private int lookback;
    /** sorted residuals per channel and season multiple j - 1; (channels, ceil(maxHorizon / m), n). */
    private double[][][] residuals;
    private volatile QuantileTable table;
    private boolean fitted;

    /** Infers the period from the train part. */
    public SeasonalNaive() {
        this(0);
    }

    /** Uses the given period, or infers it when {@code season} is 0. */
    public SeasonalNaive(int season) {
        if (season < 0) {
            throw new IllegalArgumentException("season must be >= 0 (0 infers it), got " + season);
        }
        this.season = season;
    }

    @Override
    public String name() {
        return "seasonal-naive";
    }

    /** The period in use (after fit). */
    public int period() {
        Lookback.checkFitted(name(), fitted);
        return period;
    }

    @Override
    public void fit(double[][] scaled, Split split, int lookback, int[] horizons) {
        int maxHorizon = Lookback.checkFit(name(), scaled, split, lookback, horizons);
        int m = season > 0 ? season : SeasonalPeriod.infer(scaled, split, lookback);
        if (m > lookback) {
            throw new IllegalArgumentException(name() + ": period " + m + " is longer than lookback " + lookback);
        }
        int seasons = (maxHorizon + m - 1) / m;
        if ((long) seasons * m >= split.trainEnd()) {
            throw new IllegalArgumentException(name() + ": residuals at lag " + seasons * m + " need more than the "
                    + split.trainEnd() + " train rows");
        }
        double[][][] r = new double[scaled.length][seasons][];
        for (int c = 0; c < scaled.length; c++) {
            double[] y = scaled[c];
            for (int j = 1; j <= seasons; j++) {
                int lag = j * m;
                double[] d = new double[split.trainEnd() - lag];
                int n = 0;
                for (int t = lag; t < split.trainEnd(); t++) {
                    double v = y[t] - y[t - lag];
                    if (!Double.isNaN(v)) {
                        d[n++] = v;
                    }
                }
                if (n == 0) {
                    throw new IllegalArgumentException(name() + ": channel " + c + " has no pair of observed train"
                            + " rows " + lag + " apart");
                }
                d = Arrays.copyOf(d, n);
                Arrays.sort(d);
                r[c][j - 1] = d;
            }
        }
        this.period = m;
        this.lookback = lookback;
        this.residuals = r;
        this.table = null;
        this.fitted = true;
    }

    @Override
    public void forecast(double[][] scaled, int channel, int origin, int horizon, double[] out) {
        Lookback.checkFitted(name(), fitted);
        Lookback.checkForecast(name(), scaled, channel, origin, lookback, horizon, out.length);
        double[] buf = Lookback.copy(scaled[channel], origin, lookback, new double[lookback]);  // (L)
        int m = period;
        for (int h = 0; h < horizon; h++) {
            out[h] = buf[lookback - m + h % m];
        }
    }

    @Override
    public boolean hasQuantiles() {
        return true;
    }

    @Override
    public void quantiles(double[][] scaled, int channel, int origin, int horizon, double[] levels, double[][] out) {
        forecastWithQuantiles(scaled, channel, origin, horizon, levels, new double[horizon], out);
    }

    /** One forecast, offset by each level's residual quantile. */
    @Override
    public void forecastWithQuantiles(double[][] scaled, int channel, int origin, int horizon, double[] levels,
                                      double[] point, double[][] out) {
        Lookback.checkFitted(name(), fitted);
        if (out.length != levels.length) {
            throw new IllegalArgumentException(name() + ": " + out.length + " output rows for " + levels.length
                    + " levels");
        }
        if ((horizon + period - 1) / period > residuals[channel].length) {
            throw new IllegalArgumentException(name() + ": horizon " + horizon + " is longer than the horizons fitted");
        }
        forecast(scaled, channel, origin, horizon, point);
        double[][] offsets = table(levels).offsets[channel];  // (seasons, levels)
        for (int k = 0; k < levels.length; k++) {
            double[] row = out[k];
            for (int h = 0; h < horizon; h++) {
                row[h] = point[h] + offsets[h / period][k];
            }
        }
    }

    /** The empirical q-quantile of sorted values, interpolating between order statistics (type 7). */
    public static double quantileOfSorted(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** The residual quantiles for one set of levels, computed once and kept while the levels repeat. */
    private QuantileTable table(double[] levels) {
        QuantileTable t = table;
        if (t != null && Arrays.equals(t.levels, levels)) {
            return t;
        }
        double[] checked = QuantileLevels.checked(levels);
        double[][][] offsets = new double[residuals.length][][];
        for (int c = 0; c < residuals.length; c++) {
            offsets[c] = new double[residuals[c].length][checked.length];
            for (int j = 0; j < residuals[c].length; j++) {
                for (int k = 0; k < checked.length; k++) {
                    offsets[c][j][k] = quantileOfSorted(residuals[c][j], checked[k]);
                }
            }
        }
        t = new QuantileTable(checked, offsets);
        table = t;
        return t;
    }

    /** Residual quantiles: offsets (channels, seasons, levels). */
    private record QuantileTable(double[] levels, double[][][] offsets) {
    }
}
