package dev.chimera.timeseries.eval;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.timeseries.baseline.Baseline;
import dev.chimera.timeseries.baseline.QuantileLevels;
import dev.chimera.timeseries.data.Split;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Fits baselines and scores them on the test part's windows ({@link Windows#test}) at every
 * horizon: MSE and MAE for all, WQL, interval coverage and the quantile CRPS approximation for
 * those with quantiles.
 *
 * <p>Work is split into tasks of one channel and {@value #BLOCK} consecutive origins; each task
 * fills its own {@link Metrics} per horizon, and the tasks' metrics are merged in task order
 * (channel, then origin), so the results are bit-identical at any thread count. A method whose
 * horizons are nested ({@link Baseline#nestedHorizons}) is asked once per origin for the longest
 * horizon, and each horizon scores the first H steps of that forecast at the origins where the
 * horizon's window lies in the test part; otherwise each horizon is forecast on its own.
 */
public final class BaselineEvaluation {

    /** The standard long-term horizons. */
    public static final int[] DEFAULT_HORIZONS = {96, 192, 336, 720};

    /** Origins per task. */
    public static final int BLOCK = 64;

    private final ComputePool pool;
    private final int lookback;
    private final int[] horizons;
    private final double[] levels;

    /**
     * @param pool     the threads the scoring (and a fit that takes a pool) runs on
     * @param lookback L
     * @param horizons the horizons, each >= 1, in report order
     * @param levels   quantile levels for WQL and coverage (the outermost pair gives the interval)
     */
    public BaselineEvaluation(ComputePool pool, int lookback, int[] horizons, double[] levels) {
        if (horizons.length == 0 || Arrays.stream(horizons).anyMatch(h -> h < 1)) {
            throw new IllegalArgumentException("horizons must be >= 1 and at least one: " + Arrays.toString(horizons));
        }
        this.pool = pool;
        this.lookback = lookback;
        this.horizons = horizons.clone();
        this.levels = QuantileLevels.checked(levels);
    }

    /** Fits and scores each baseline in turn. */
    public List<MethodResult> evaluateAll(List<Baseline> baselines, double[][] scaled, Split split) {
        List<MethodResult> out = new ArrayList<>();
        for (Baseline b : baselines) {
            out.add(evaluate(b, scaled, split));
        }
        return out;
    }

    /** Fits {@code baseline} on the train (and validation) part and scores it on the test windows. */
    public MethodResult evaluate(Baseline baseline, double[][] scaled, Split split) {
        int[] windows = new int[horizons.length];
        for (int k = 0; k < horizons.length; k++) {
            windows[k] = Windows.test(split, lookback, horizons[k]).count();  // validates the split against L, H
        }
        for (int c = 0; c < scaled.length; c++) {
            if (scaled[c].length < split.testEnd()) {
                throw new IllegalArgumentException("channel " + c + " has " + scaled[c].length
                        + " rows, the test part ends at " + split.testEnd());
            }
        }
        long t0 = System.nanoTime();
        baseline.fit(scaled, split, lookback, horizons);
        long t1 = System.nanoTime();
        Metrics[] metrics = score(baseline, scaled, split);
        long t2 = System.nanoTime();
        return new MethodResult(baseline.name(), horizons.clone(), metrics, windows, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }

    /** Scores a fitted baseline on the test windows; one merged {@link Metrics} per horizon. */
    public Metrics[] score(Baseline baseline, double[][] scaled, Split split) {
        int maxH = Arrays.stream(horizons).max().orElseThrow();
        int minH = Arrays.stream(horizons).min().orElseThrow();
        int first = split.validationEnd();
        int last = split.testEnd() - minH;  // the last origin any horizon scores
        int blocks = (last - first + 1 + BLOCK - 1) / BLOCK;
        int channels = scaled.length;
        boolean quantiles = baseline.hasQuantiles();
        boolean nested = baseline.nestedHorizons();
        Metrics[][] parts = new Metrics[channels * blocks][];
        pool.parallelFor(parts.length, task -> {
            int c = task / blocks;
            int o0 = first + (task % blocks) * BLOCK;
            int count = Math.min(BLOCK, last - o0 + 1);
            Metrics[] m = new Metrics[horizons.length];
            for (int k = 0; k < horizons.length; k++) {
                m[k] = new Metrics(levels);
            }
            if (nested) {
                scoreBlock(baseline, scaled, c, o0, count, maxH, split.testEnd(), quantiles, m, horizons);
            } else {
                for (int k = 0; k < horizons.length; k++) {
                    int H = horizons[k];
                    int n = Math.min(count, split.testEnd() - H - o0 + 1);  // origins of this block valid for H
                    if (n > 0) {
                        scoreBlock(baseline, scaled, c, o0, n, H, split.testEnd(), quantiles,
                                new Metrics[] {m[k]}, new int[] {H});
                    }
                }
            }
            parts[task] = m;
        });
        Metrics[] total = new Metrics[horizons.length];
        for (int k = 0; k < horizons.length; k++) {
            total[k] = new Metrics(levels);
            for (Metrics[] part : parts) {
                total[k].merge(part[k]);
            }
        }
        return total;
    }

    /**
     * Forecasts origins [o0, o0 + count) of channel c at horizon {@code forecastH} and scores the first
     * {@code hs[k]} steps into {@code m[k]} wherever that window ends by {@code testEnd}.
     */
    private void scoreBlock(Baseline baseline, double[][] scaled, int c, int o0, int count, int forecastH, int testEnd,
                            boolean quantiles, Metrics[] m, int[] hs) {
        double[][] point = new double[count][forecastH];       // (count, H)
        double[][] q = quantiles ? new double[levels.length][forecastH] : null;  // (levels, H)
        if (!quantiles) {
            baseline.forecastBlock(scaled, c, o0, count, forecastH, point);
        }
        for (int i = 0; i < count; i++) {
            int o = o0 + i;
            if (quantiles) {
                baseline.forecastWithQuantiles(scaled, c, o, forecastH, levels, point[i], q);
            }
            for (int k = 0; k < hs.length; k++) {
                if (o + hs[k] > testEnd) {
                    continue;
                }
                m[k].addPoints(scaled[c], o, point[i], hs[k]);
                if (quantiles) {
                    m[k].addQuantiles(scaled[c], o, q, hs[k]);
                }
            }
        }
    }

    /** A fixed-width text table of the results: per method its horizons and "avg", with fit and scoring times. */
    public static String table(List<MethodResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-16s %7s %8s %8s %8s %8s %8s %8s %8s%n", "method", "horizon",
                "windows", "MSE", "MAE", "WQL", "cover", "fit s", "eval s"));
        for (MethodResult r : results) {
            for (EvaluationRow row : r.rows()) {
                boolean avg = row.horizon().equals("avg");
                sb.append(String.format(Locale.ROOT, "%-16s %7s %8d %8.4f %8.4f %8s %8s %8s %8s%n", row.method(),
                        row.horizon(), row.windows(), row.mse(), row.mae(), orDash(row.wql()), orDash(row.coverage()),
                        avg ? String.format(Locale.ROOT, "%.2f", r.fitSeconds()) : "",
                        avg ? String.format(Locale.ROOT, "%.2f", r.evalSeconds()) : ""));
            }
        }
        return sb.toString();
    }

    private static String orDash(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
