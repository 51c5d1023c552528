package dev.chimera.timeseries.baseline;

import dev.chimera.timeseries.data.Split;

/**
 * A forecasting baseline on scaled (z-scored) series: fitted once on the train part (and, where a
 * method tunes something, the validation part), then asked for forecasts window by window.
 *
 * <p>Values are {@code double[channel][time]}. A forecast at {@code origin} predicts rows
 * {@code [origin, origin + horizon)} of one channel from the lookback rows
 * {@code [origin - lookback, origin)} only: no method reads a row at or after its origin. NaN
 * (masked) values inside a lookback are filled by carrying the last observation forward (see
 * {@link Lookback}).
 *
 * <p>After {@link #fit}, {@link #forecast} and {@link #quantiles} are safe to call from many
 * threads at once.
 */
public interface Baseline {

    /** The method's name in reports: "repeat-last", "seasonal-naive", "ridge", "ets". */
    String name();

    /**
     * Fits the method.
     *
     * @param scaled   the series, {@code (channels, time)}; only rows before {@code split.validationEnd()}
     *                 are read
     * @param split    the part borders
     * @param lookback L, the rows every forecast may read before its origin
     * @param horizons the horizons it will be asked for; methods fitted per horizon fit these
     */
    void fit(double[][] scaled, Split split, int lookback, int[] horizons);

    /**
     * The point forecast of {@code scaled[channel][origin, origin + horizon)} into {@code out[0, horizon)}.
     */
    void forecast(double[][] scaled, int channel, int origin, int horizon, double[] out);

    /**
     * Point forecasts of {@code count} consecutive origins: {@code out[i][0, horizon)} is the
     * forecast at origin {@code firstOrigin + i}. The default calls {@link #forecast} per origin; a
     * method whose forecast is a large product overrides it to run one matrix product over the
     * block (the ridge, in float32: its block forecasts differ from {@link #forecast}'s by float
     * rounding, ~1e-6). // out: (>= count, >= horizon)
     */
    default void forecastBlock(double[][] scaled, int channel, int firstOrigin, int count, int horizon,
                               double[][] out) {
        for (int i = 0; i < count; i++) {
            forecast(scaled, channel, firstOrigin + i, horizon, out[i]);
        }
    }

    /** Whether {@link #quantiles} is available. */
    default boolean hasQuantiles() {
        return false;
    }

    /**
     * Quantile forecasts: {@code out[k][0, horizon)} is the level-{@code levels[k]} quantile of rows
     * {@code [origin, origin + horizon)}; // out: (levels, >= horizon)
     *
     * @throws UnsupportedOperationException when {@link #hasQuantiles()} is false
     */
    default void quantiles(double[][] scaled, int channel, int origin, int horizon, double[] levels, double[][] out) {
        throw new UnsupportedOperationException(name() + " gives point forecasts only");
    }

    /**
     * The point forecast and the quantiles of one window together, for a method whose two share
     * work (the default calls {@link #forecast} then {@link #quantiles}). // point: (>= horizon);
     * quantiles: (levels, >= horizon)
     */
    default void forecastWithQuantiles(double[][] scaled, int channel, int origin, int horizon, double[] levels,
                                       double[] point, double[][] quantiles) {
        forecast(scaled, channel, origin, horizon, point);
        quantiles(scaled, channel, origin, horizon, levels, quantiles);
    }

    /**
     * True when the forecast for horizon H is the first H steps of the forecast for any longer
     * horizon (true of every method here), so an evaluation may forecast once at the longest
     * horizon and truncate. A method fitted separately per horizon returns false.
     */
    default boolean nestedHorizons() {
        return true;
    }
}
