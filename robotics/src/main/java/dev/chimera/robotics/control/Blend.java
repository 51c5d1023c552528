package dev.chimera.robotics.control;

import dev.chimera.robotics.spline.BSplineBasis;

/**
 * Turns a policy's chunk into the next {@link Segment}, switched in at a given instant of the
 * running trajectory, and builds the watchdog's stops. BEAST's continuity across chunks (REFERENCE
 * §7): the chunk's first control point is pinned to the trajectory's position there (C0: a clamped
 * spline starts at its first control point) and, for degree >= 2, its second one to the velocity
 * there (C1: S'(0) = p (c1 - c0) / t_{p+1} per unit u, so c1 = c0 + v T / (p / t_{p+1}) for a chunk of
 * T seconds). Degree-1 DoF get C0 only (their velocity is piecewise constant and may step); degree-0
 * DoF (grippers) are steps by nature and are not pinned: pinning would hold the old value for the
 * chunk's first 1/N. Runs on the policy thread (it allocates).
 */
final class Blend {
    private Blend() {
    }

    /**
     * The chunk as a segment starting at {@code at} from the trajectory {@code running}, with its
     * stop prepared from the chunk's end state.
     *
     * @throws IllegalArgumentException if the chunk does not fit: wrong DoF count, a degree above
     *                                  {@link RobotController#MAX_DEGREE}, a non-finite number
     */
    static Segment chunk(Segment running, long at, ActionChunk chunk, Limits[] limits, long minStopNanos) {
        int dof = limits.length;
        if (chunk.dof() != dof) {
            throw new IllegalArgumentException("the chunk has " + chunk.dof() + " DoF, the controller " + dof);
        }
        long duration = Math.round(chunk.durationSeconds() * 1e9);
        if (duration < 1_000 || !Double.isFinite(chunk.durationSeconds())) {
            throw new IllegalArgumentException("a chunk must last at least 1 us, got " + chunk.durationSeconds()
                    + " s");
        }
        double seconds = duration * 1e-9;
        double[] pos = new double[dof];
        double[] vel = new double[dof];
        running.state(at, pos, vel);
        int[] degrees = chunk.degrees().clone();
        double[][] coeffs = new double[dof][];
        for (int d = 0; d < dof; d++) {
            int p = degrees[d];
            if (p > RobotController.MAX_DEGREE) {
                throw new IllegalArgumentException("DoF " + d + " has degree " + p + ", the controller takes at most "
                        + RobotController.MAX_DEGREE);
            }
            coeffs[d] = chunk.coefficients()[d].clone();
            for (double c : coeffs[d]) {
                if (!Double.isFinite(c)) {
                    throw new IllegalArgumentException("DoF " + d + " has a non-finite control point: " + c);
                }
            }
            if (p >= 1) {
                coeffs[d][0] = pos[d];
            }
            if (p >= 2) {
                double slope = BSplineBasis.clampedUniform(coeffs[d].length, p).startSlopePerSecondPoint();
                coeffs[d][1] = pos[d] + vel[d] * seconds / slope;
            }
        }
        Piece main = new Piece(at, duration, degrees, coeffs);
        double[] acc = new double[dof];
        main.endState(pos, vel, acc);
        Piece tail = SmoothStop.from(main.end(), degrees, pos, vel, acc, limits, minStopNanos * 1e-9);
        return Segment.chunk(running, main, tail);
    }

    /**
     * A smooth stop starting at {@code at} from the trajectory {@code running}; where that is already
     * stopping (or stopped) at {@code at}, the same stop under the new cause, so that repeated
     * failures do not keep restarting it.
     */
    static Segment stop(Segment running, long at, Limits[] limits, long minStopNanos, String cause) {
        Piece stopping = running.stopPieceAt(at);
        if (stopping != null) {
            return Segment.stop(running, stopping, cause);
        }
        int dof = limits.length;
        double[] pos = new double[dof];
        double[] vel = new double[dof];
        double[] acc = new double[dof];
        int[] degrees = new int[dof];
        running.state(at, pos, vel);
        for (int d = 0; d < dof; d++) {
            acc[d] = running.acceleration(d, at);
            degrees[d] = running.degree(d, at);
        }
        return Segment.stop(running, SmoothStop.from(at, degrees, pos, vel, acc, limits, minStopNanos * 1e-9), cause);
    }
}
