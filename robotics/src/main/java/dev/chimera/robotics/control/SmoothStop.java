package dev.chimera.robotics.control;

/**
 * The watchdog's way to rest: from a position p0, velocity v0 and acceleration a0, a quintic
 * (a degree-5 Bezier curve, i.e. a clamped B-spline with 6 control points) that ends at rest with
 * zero acceleration. The start matches p0, v0 and a0 (no jump in position, velocity or acceleration);
 * the control points are
 * <pre>
 *   c0 = p0,  c1 = c0 + v0 T / 5,  c2 = 2 c1 - c0 + a0 T^2 / 20,  c3 = c4 = c5 = c2 + 0.1 T w,
 * </pre>
 * with w = v0 + a0 T / 4, so that the velocity's own control points are (v0, w, w / 2, 0, 0): for
 * a0 = 0 they share v0's sign, so the motion slows without turning back, and it stops after
 * travelling v0 T / 2. The acceleration's control points are (a0, -2w/T, -2w/T, 0), which bound it
 * (convex hull): max(|a0|, 2|w|/T), which tends to |a0| / 2 as T grows, so a long enough stop always
 * fits. T grows from a minimum until that bound is within every DoF's acceleration limit,
 * one T for all DoF so that they come to rest together. A start acceleration beyond the limit is cut
 * to it first (a bounded acceleration step). Degree-0 DoF (grippers) keep their value.
 */
final class SmoothStop {
    private static final double GROWTH = 1.1;
    private static final int MAX_GROWTHS = 400;

    private SmoothStop() {
    }

    /**
     * The stop piece from the given state at instant start.
     *
     * @param degrees      per DoF degree of the motion being stopped; 0 means hold the value
     * @param pos          (D) position at start
     * @param vel          (D) velocity at start, per second
     * @param acc          (D) acceleration at start, per second squared
     * @param minSeconds   the shortest stop
     */
    static Piece from(long start, int[] degrees, double[] pos, double[] vel, double[] acc, Limits[] limits,
                      double minSeconds) {
        int dof = pos.length;
        double[] a0 = new double[dof];
        for (int d = 0; d < dof; d++) {
            double amax = limits[d].maxAcceleration();
            a0[d] = Math.max(-amax, Math.min(amax, acc[d]));
        }
        double grown = minSeconds;
        for (int i = 0; i < MAX_GROWTHS && !withinLimits(grown, degrees, vel, a0, limits); i++) {
            grown *= GROWTH;
        }
        long duration = Math.round(grown * 1e9);
        double seconds = duration * 1e-9; // the piece's own duration, so that its start slope is v0 exactly
        int[] stopDegrees = new int[dof];
        double[][] coeffs = new double[dof][];
        for (int d = 0; d < dof; d++) {
            if (degrees[d] == 0) {
                coeffs[d] = new double[] {pos[d]};
                continue;
            }
            stopDegrees[d] = 5;
            double t = seconds;
            double c0 = pos[d];
            double c1 = c0 + vel[d] * t / 5;
            double c2 = 2 * c1 - c0 + a0[d] * t * t / 20;
            double w = vel[d] + a0[d] * t / 4;
            double rest = c2 + 0.1 * t * w;
            coeffs[d] = new double[] {c0, c1, c2, rest, rest, rest};
        }
        return new Piece(start, duration, stopDegrees, coeffs);
    }

    /** Whether the acceleration bound max(|a0|, 2|w|/T) is within every limit for a stop of T seconds. */
    private static boolean withinLimits(double seconds, int[] degrees, double[] vel, double[] a0, Limits[] limits) {
        for (int d = 0; d < vel.length; d++) {
            double amax = limits[d].maxAcceleration();
            if (degrees[d] == 0 || Double.isInfinite(amax)) {
                continue;
            }
            double w = vel[d] + a0[d] * seconds / 4;
            if (2 * Math.abs(w) / seconds > amax * (1 + 1e-12)) {
                return false;
            }
        }
        return true;
    }
}
