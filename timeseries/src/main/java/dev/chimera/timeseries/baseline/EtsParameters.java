package dev.chimera.timeseries.baseline;

/**
 * Smoothing parameters of additive Holt-Winters in component form (see {@link HoltWinters}).
 *
 * @param alpha level smoothing, in (0, 1)
 * @param beta  trend smoothing beta* of the component form, in (0, 1); the innovations form's
 *              trend gain is alpha * beta
 * @param gamma seasonal smoothing, in (0, 1)
 * @param phi   trend damping, in (0, 1]; 1 is the undamped (linear) trend
 */
public record EtsParameters(double alpha, double beta, double gamma, double phi) {

    public EtsParameters {
        if (!(alpha > 0 && alpha < 1) || !(beta > 0 && beta < 1) || !(gamma > 0 && gamma < 1)
                || !(phi > 0 && phi <= 1)) {
            throw new IllegalArgumentException("ETS parameters out of range: alpha " + alpha + ", beta " + beta
                    + ", gamma " + gamma + " must be in (0, 1), phi " + phi + " in (0, 1]");
        }
    }
}
