package dev.chimera.core.train;

/**
 * Clipping by the global L2 norm of all gradients (Pascanu et al., "On the difficulty of training
 * recurrent neural networks", 2013): when ||g|| exceeds maxNorm, every gradient is multiplied by
 * maxNorm / ||g||, so the direction is kept and the norm becomes maxNorm (up to float rounding).
 * Unlike torch's clip_grad_norm_ no 1e-6 is added to the norm.
 */
public final class GradientClipping {

    private GradientClipping() {
    }

    /**
     * Returns the L2 norm of {@code grads} before clipping, summed in double in a fixed order (so
     * the result does not depend on threads), and scales {@code grads} in place when that norm is
     * above {@code maxNorm}. A {@code maxNorm} <= 0 or infinite means no clipping. A non-finite norm
     * (a NaN or infinite gradient) is returned with {@code grads} untouched:
     * the caller decides what to do with the step.
     */
    public static double clipGlobalNorm(float[] grads, double maxNorm) {
        if (grads == null) {
            throw new IllegalArgumentException("clipGlobalNorm needs a gradient array, got null");
        }
        if (Double.isNaN(maxNorm)) {
            throw new IllegalArgumentException("clipGlobalNorm maxNorm must be a number (<= 0 or infinite for no "
                    + "clipping), got NaN");
        }
        double norm = Math.sqrt(sumOfSquares(grads));
        if (!Double.isFinite(norm) || !(maxNorm > 0) || Double.isInfinite(maxNorm) || norm <= maxNorm) {
            return norm;
        }
        float scale = (float) (maxNorm / norm);
        for (int i = 0; i < grads.length; i++) {
            grads[i] *= scale;
        }
        return norm;
    }

    /** Sum of g_i^2 in double with four interleaved partial sums (for instruction-level parallelism), added in a fixed order. */
    static double sumOfSquares(float[] g) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < g.length; i += 4) {
            double a = g[i];
            double b = g[i + 1];
            double c = g[i + 2];
            double d = g[i + 3];
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += d * d;
        }
        for (; i < g.length; i++) {
            double a = g[i];
            s0 += a * a;
        }
        return (s0 + s1) + (s2 + s3);
    }
}
