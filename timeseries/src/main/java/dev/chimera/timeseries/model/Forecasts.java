package dev.chimera.timeseries.model;

/**
 * Forecasts of n sequences over H steps in normalised units: the point forecast (the regression
 * head's values, or the Fourier head's mean) and, for the Fourier head, the quantiles at the
 * levels asked for. Arrays are reused from call to call by whoever owns them.
 *
 * @param point     (n, H)
 * @param quantiles (n, levels, H); empty levels for a point model or when none were asked
 */
public record Forecasts(float[][] point, float[][][] quantiles, double[] levels) {

    public Forecasts {
        for (int q = 0; q < levels.length; q++) {
            if (!(levels[q] > 0 && levels[q] < 1) || (q > 0 && levels[q] <= levels[q - 1])) {
                throw new IllegalArgumentException("quantile levels must increase within (0, 1), got "
                        + java.util.Arrays.toString(levels));
            }
        }
    }

    public static Forecasts allocate(int n, int horizon, double[] levels) {
        return new Forecasts(new float[n][horizon], new float[n][levels.length][horizon], levels.clone());
    }

    public int horizon() {
        return point.length == 0 ? 0 : point[0].length;
    }
}
