package dev.chimera.timeseries.baseline;

import dev.chimera.timeseries.data.Split;

/**
 * Lookback windows and the checks every baseline shares.
 */
public final class Lookback {

    private Lookback() {
    }

    /**
     * Copies {@code series[origin - lookback, origin)} into {@code out[0, lookback)}, filling NaN
     * (masked) values with the last observed value before them, and leading NaNs with the first
     * observed value. A lookback with no observed value at all is left all NaN, so the forecasts
     * made from it, and the metrics scored on them, are NaN rather than silently made up.
     *
     * @return out
     */
    public static double[] copy(double[] series, int origin, int lookback, double[] out) {
        if (origin < lookback || origin > series.length) {
            throw new IllegalArgumentException("origin " + origin + " needs rows [" + (origin - lookback) + ", "
                    + origin + ") of a series of " + series.length + " rows");
        }
        int from = origin - lookback;
        System.arraycopy(series, from, out, 0, lookback);
        int firstObserved = -1;
        for (int i = 0; i < lookback; i++) {
            if (!Double.isNaN(out[i])) {
                firstObserved = i;
                break;
            }
        }
        if (firstObserved < 0 || (firstObserved == 0 && noNaN(out, lookback))) {
            return out;
        }
        for (int i = 0; i < firstObserved; i++) {
            out[i] = out[firstObserved];
        }
        for (int i = firstObserved + 1; i < lookback; i++) {
            if (Double.isNaN(out[i])) {
                out[i] = out[i - 1];
            }
        }
        return out;
    }

    private static boolean noNaN(double[] x, int n) {
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(x[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks what {@link Baseline#fit} receives: at least one channel, all of one length covering
     * the validation part, a lookback that fits before the train part's end, and positive horizons.
     *
     * @return the largest horizon
     */
    public static int checkFit(String method, double[][] scaled, Split split, int lookback, int[] horizons) {
        if (scaled.length == 0) {
            throw new IllegalArgumentException(method + ": no channels");
        }
        for (int c = 0; c < scaled.length; c++) {
            if (scaled[c].length != scaled[0].length) {
                throw new IllegalArgumentException(method + ": channel " + c + " has " + scaled[c].length
                        + " rows, channel 0 has " + scaled[0].length);
            }
        }
        if (scaled[0].length < split.validationEnd()) {
            throw new IllegalArgumentException(method + ": " + scaled[0].length + " rows end before the validation"
                    + " part's end " + split.validationEnd());
        }
        if (lookback < 1 || lookback >= split.trainEnd()) {
            throw new IllegalArgumentException(method + ": lookback " + lookback + " must be in [1, trainEnd "
                    + split.trainEnd() + ")");
        }
        if (horizons.length == 0) {
            throw new IllegalArgumentException(method + ": no horizons");
        }
        int max = 0;
        for (int h : horizons) {
            if (h < 1) {
                throw new IllegalArgumentException(method + ": horizon " + h + " must be >= 1");
            }
            max = Math.max(max, h);
        }
        return max;
    }

    /** Checks a forecast request's origin, horizon and output length. */
    static void checkForecast(String method, double[][] scaled, int channel, int origin, int lookback, int horizon,
                              int outLength) {
        if (channel < 0 || channel >= scaled.length) {
            throw new IllegalArgumentException(method + ": channel " + channel + " of " + scaled.length);
        }
        if (origin < lookback || origin > scaled[channel].length) {
            throw new IllegalArgumentException(method + ": origin " + origin + " needs lookback " + lookback
                    + " rows before it in a series of " + scaled[channel].length);
        }
        if (horizon < 1 || outLength < horizon) {
            throw new IllegalArgumentException(method + ": horizon " + horizon + " with an output of " + outLength);
        }
    }

    /** Fails unless fit has run. */
    static void checkFitted(String method, boolean fitted) {
        if (!fitted) {
            throw new IllegalStateException(method + ": fit must run before forecasting");
        }
    }
}
