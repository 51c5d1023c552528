package dev.chimera.core.train;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.tensor.Tensor;

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
    public static double clipGlobalNorm(Backend backend, Tensor grads, double maxNorm) {
        if (grads == null) {
            throw new IllegalArgumentException("clipGlobalNorm needs a gradient tensor, got null");
        }
        if (Double.isNaN(maxNorm)) {
            throw new IllegalArgumentException("clipGlobalNorm maxNorm must be a number (<= 0 or infinite for no "
                    + "clipping), got NaN");
        }
        double norm = Math.sqrt(backend.sumOfSquares(grads));
        if (!Double.isFinite(norm) || !(maxNorm > 0) || Double.isInfinite(maxNorm) || norm <= maxNorm) {
            return norm;
        }
        backend.scale(grads, (float) (maxNorm / norm), grads);
        return norm;
    }
}
