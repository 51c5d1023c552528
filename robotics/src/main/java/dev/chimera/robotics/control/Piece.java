package dev.chimera.robotics.control;

import dev.chimera.robotics.spline.BSplineBasis;

/**
 * One stretch of the setpoint trajectory on the controller's clock: a clamped uniform B-spline per
 * DoF over u in [0, 1], u = (t - start) / duration (REFERENCE §7, BEAST's decoding at any time
 * resolution). Velocity and acceleration come from the derivative splines (Piegl and Tiller, eq.
 * 3.7: a B-spline's derivative is a B-spline of one degree less), built here once and scaled to
 * per second and per second squared, so that evaluating them at 1 kHz allocates nothing. After its
 * end a piece holds its last position at rest. Immutable: built on the policy thread, read on the
 * control thread.
 */
final class Piece {
    final long start;
    final long duration;
    private final BSplineBasis[] position;      // (D)
    private final double[][] positionCoeffs;    // (D)(N_d)
    private final BSplineBasis[] velocity;      // (D), null where the degree is 0
    private final double[][] velocityCoeffs;    // (D)(N_d - 1), per second
    private final BSplineBasis[] acceleration;  // (D), null where the degree is < 2
    private final double[][] accelerationCoeffs; // (D)(N_d - 2), per second squared

    /**
     * @param start      the controller-clock instant of u = 0, in nanoseconds
     * @param duration   nanoseconds from u = 0 to u = 1, > 0
     * @param degrees    per DoF
     * @param coeffs     per DoF control points, (D)(N_d); kept, not copied: the caller hands them over
     */
    Piece(long start, long duration, int[] degrees, double[][] coeffs) {
        if (duration <= 0) {
            throw new IllegalArgumentException("a piece needs a positive duration, got " + duration + " ns");
        }
        this.start = start;
        this.duration = duration;
        int dof = degrees.length;
        double seconds = duration * 1e-9;
        position = new BSplineBasis[dof];
        positionCoeffs = coeffs;
        velocity = new BSplineBasis[dof];
        velocityCoeffs = new double[dof][];
        acceleration = new BSplineBasis[dof];
        accelerationCoeffs = new double[dof][];
        for (int d = 0; d < dof; d++) {
            position[d] = BSplineBasis.clampedUniform(coeffs[d].length, degrees[d]);
            if (degrees[d] >= 1) {
                velocity[d] = position[d].derivative();
                velocityCoeffs[d] = derivative(position[d], coeffs[d], seconds);
            }
            if (degrees[d] >= 2) {
                acceleration[d] = velocity[d].derivative();
                accelerationCoeffs[d] = derivative(velocity[d], velocityCoeffs[d], seconds);
            }
        }
    }

    /** d/dt of a curve over u = t / seconds: d/du divided by the duration. */
    private static double[] derivative(BSplineBasis basis, double[] coeffs, double seconds) {
        double[] out = new double[coeffs.length - 1];
        basis.derivativeCoefficients(coeffs, 0, 1, out, 0, 1);
        for (int i = 0; i < out.length; i++) {
            out[i] /= seconds;
        }
        return out;
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
    void state(long t, double[] pos, double[] vel, double[] scratch) {
        double u = u(t);
        boolean moving = t < start + duration;
        for (int d = 0; d < pos.length; d++) {
            pos[d] = position[d].evaluate(positionCoeffs[d], 0, 1, u, scratch);
            vel[d] = moving && velocity[d] != null ? velocity[d].evaluate(velocityCoeffs[d], 0, 1, u, scratch) : 0.0;
        }
    }

    /**
     * Position, velocity and acceleration of every DoF at the end (u = 1), as the motion arrives
     * there rather than the rest that follows: what the stop after a chunk starts from.
     */
    void endState(double[] pos, double[] vel, double[] acc, double[] scratch) {
        for (int d = 0; d < pos.length; d++) {
            pos[d] = position[d].evaluate(positionCoeffs[d], 0, 1, 1.0, scratch);
            vel[d] = velocity[d] == null ? 0.0 : velocity[d].evaluate(velocityCoeffs[d], 0, 1, 1.0, scratch);
            acc[d] = acceleration[d] == null ? 0.0
                    : acceleration[d].evaluate(accelerationCoeffs[d], 0, 1, 1.0, scratch);
        }
    }

    /** Acceleration of DoF d at t (0 for degrees below 2 and after the end). */
    double acceleration(int d, long t, double[] scratch) {
        if (acceleration[d] == null || t >= start + duration) {
            return 0.0;
        }
        return acceleration[d].evaluate(accelerationCoeffs[d], 0, 1, u(t), scratch);
    }
}
