package dev.chimera.robotics.control;

import dev.chimera.robotics.spline.BSplineBasis;
import dev.chimera.robotics.spline.PiecewisePolynomial;

/**
 * One stretch of the setpoint trajectory on the controller's clock: a clamped uniform B-spline per
 * DoF over u in [0, 1], u = (t - start) / duration (REFERENCE §7, BEAST's decoding at any time
 * resolution). Each DoF's spline is rewritten once, here, as one polynomial per knot span
 * ({@link PiecewisePolynomial}): position and velocity (its derivative, per second) at 1 kHz are then one
 * Horner pass of a few multiply-adds per DoF that allocates nothing; acceleration (per second squared,
 * for the stops) is the second derivative polynomial. After its
 * end a piece holds its last position at rest. Immutable: built on the policy thread, read on the
 * control thread.
 */
final class Piece {
    final long start;
    final long duration;
    private final double perSecond;                    // d/du to d/dt: 1 / duration in seconds
    private final PiecewisePolynomial[] position;      // (D) over u
    private final PiecewisePolynomial[] acceleration;  // (D) per second squared, null where the degree is < 2

    /**
     * @param start      the controller-clock instant of u = 0, in nanoseconds
     * @param duration   nanoseconds from u = 0 to u = 1, > 0
     * @param degrees    per DoF
     * @param coeffs     per DoF control points, (D)(N_d)
     */
    Piece(long start, long duration, int[] degrees, double[][] coeffs) {
        if (duration <= 0) {
            throw new IllegalArgumentException("a piece needs a positive duration, got " + duration + " ns");
        }
        this.start = start;
        this.duration = duration;
        int dof = degrees.length;
        this.perSecond = 1e9 / duration;
        position = new PiecewisePolynomial[dof];
        acceleration = new PiecewisePolynomial[dof];
        for (int d = 0; d < dof; d++) {
            position[d] = PiecewisePolynomial.of(BSplineBasis.clampedUniform(coeffs[d].length, degrees[d]), coeffs[d]);
            if (degrees[d] >= 2) {
                acceleration[d] = position[d].derivative(perSecond).derivative(perSecond);
            }
        }
    }

    long end() {
        return start + duration;
    }

    int dof() {
        return position.length;
    }

    int degree(int d) {
        return position[d].degree();
    }

    /** u for instant t, clamped to [0, 1]. */
    private double u(long t) {
        if (t <= start) {
            return 0.0;
        }
        return t >= start + duration ? 1.0 : (double) (t - start) / duration;
    }

    /** Position and velocity of every DoF at t into pos and vel (D); allocates nothing. */
    void state(long t, double[] pos, double[] vel) {
        double u = u(t);
        double velocityScale = t < start + duration ? perSecond : 0.0; // at rest after the end
        for (int d = 0; d < pos.length; d++) {
            position[d].valueAndSlope(u, velocityScale, pos, vel, d);
        }
    }

    /**
     * Position, velocity and acceleration of every DoF at the end (u = 1), as the motion arrives
     * there rather than the rest that follows: what the stop after a chunk starts from.
     */
    void endState(double[] pos, double[] vel, double[] acc) {
        for (int d = 0; d < pos.length; d++) {
            position[d].valueAndSlope(1.0, perSecond, pos, vel, d);
            acc[d] = acceleration[d] == null ? 0.0 : acceleration[d].value(1.0);
        }
    }

    /** Acceleration of DoF d at t (0 for degrees below 2 and after the end). */
    double acceleration(int d, long t) {
        if (acceleration[d] == null || t >= start + duration) {
            return 0.0;
        }
        return acceleration[d].value(u(t));
    }
}
