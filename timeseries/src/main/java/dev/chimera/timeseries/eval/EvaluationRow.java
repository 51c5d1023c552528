package dev.chimera.timeseries.eval;

import dev.chimera.core.JsonLine;

/**
 * One line of a baseline report: a method at one horizon, or its "avg" over the horizons (the
 * plain mean of the per-horizon metrics, as the long-term forecasting papers report it).
 *
 * @param method   the baseline's name
 * @param horizon  "96", "192", ... or "avg"
 * @param windows  test windows per channel; the "avg" row sums them over the horizons
 * @param mse      mean squared error on the scaled values
 * @param mae      mean absolute error on the scaled values
 * @param wql      weighted quantile loss, NaN for point-only methods
 * @param coverage fraction of actuals inside the outermost quantiles, NaN for point-only methods
 * @param crps     the quantile-loss approximation of the CRPS, NaN for point-only methods
 */
public record EvaluationRow(String method, String horizon, long windows, double mse, double mae, double wql,
                            double coverage, double crps) {

    /** The row as one JSON object (numbers to 6 decimals, NaN as null). */
    public String toJson() {
        return new JsonLine().put("method", method).put("horizon", horizon).put("windows", windows)
                .put("mse", mse, 6).put("mae", mae, 6).put("wql", wql, 6).put("coverage", coverage, 6)
                .put("crps_quantile_approx", crps, 6).toString();
    }
}
