package dev.chimera.timeseries.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * One baseline's test-part scores at every horizon, and how long it took.
 *
 * @param method      the baseline's name
 * @param horizons    the horizons, in order
 * @param metrics     the merged metrics per horizon, over all channels and test windows
 * @param windows     test windows per channel per horizon
 * @param fitSeconds  wall time of {@code fit}
 * @param evalSeconds wall time of forecasting and scoring every test window
 */
public record MethodResult(String method, int[] horizons, Metrics[] metrics, int[] windows, double fitSeconds,
                           double evalSeconds) {

    /** The per-horizon rows, then the "avg" row (mean of the per-horizon metrics). */
    public List<EvaluationRow> rows() {
        List<EvaluationRow> rows = new ArrayList<>();
        double[] sum = new double[5];
        long windowSum = 0;
        for (int k = 0; k < horizons.length; k++) {
            Metrics m = metrics[k];
            double[] v = {m.mse(), m.mae(), m.wql(), m.coverage(), m.crpsQuantileApprox()};
            rows.add(new EvaluationRow(method, Integer.toString(horizons[k]), windows[k], v[0], v[1], v[2], v[3], v[4]));
            for (int i = 0; i < v.length; i++) {
                sum[i] += v[i];
            }
            windowSum += windows[k];
        }
        int n = horizons.length;
        rows.add(new EvaluationRow(method, "avg", windowSum, sum[0] / n, sum[1] / n, sum[2] / n, sum[3] / n,
                sum[4] / n));
        return rows;
    }

    /** The "avg" row. */
    public EvaluationRow average() {
        List<EvaluationRow> rows = rows();
        return rows.get(rows.size() - 1);
    }

    /** The row of one horizon. */
    public EvaluationRow at(int horizon) {
        for (int k = 0; k < horizons.length; k++) {
            if (horizons[k] == horizon) {
                return rows().get(k);
            }
        }
        throw new IllegalArgumentException(method + ": horizon " + horizon + " was not evaluated");
    }
}
