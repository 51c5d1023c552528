package dev.chimera.timeseries.baseline;

import dev.chimera.timeseries.data.Split;
import java.util.Arrays;

/**
 * The last observed value of the lookback, repeated over the horizon (the "repeat" or naive
 * forecast; ETTh1's standard protocol gives it MSE 1.295 .. 1.339, REFERENCE section 6).
 */
public final class RepeatLast implements Baseline {

    private int lookback;
    private boolean fitted;

    @Override
    public String name() {
        return "repeat-last";
    }

    /** Nothing to learn; records the lookback so forecasts read the same rows as every other method. */
    @Override
    public void fit(double[][] scaled, Split split, int lookback, int[] horizons) {
        Lookback.checkFit(name(), scaled, split, lookback, horizons);
        this.lookback = lookback;
        this.fitted = true;
    }

    @Override
    public void forecast(double[][] scaled, int channel, int origin, int horizon, double[] out) {
        Lookback.checkFitted(name(), fitted);
        Lookback.checkForecast(name(), scaled, channel, origin, lookback, horizon, out.length);
        double[] series = scaled[channel];
        double last = Double.NaN;
        for (int t = origin - 1; t >= origin - lookback; t--) {
            if (!Double.isNaN(series[t])) {
                last = series[t];
                break;
            }
        }
        Arrays.fill(out, 0, horizon, last);
    }
}
