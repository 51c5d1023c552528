package dev.chimera.robotics.control;

import dev.chimera.robotics.spline.BSplineBasis;

/**
 * A planned stretch of motion in the robot's own units: one clamped uniform B-spline per degree
 * of freedom over u in [0, 1], u = 0 being the instant the chunk starts (where the previous
 * motion left the robot) and u = 1 its end, {@code durationSeconds} later. Continuous DoF carry
 * degree-p splines (BEAST, REFERENCE §7); gripper DoF carry degree-0 ones (piecewise constant).
 *
 * @param durationSeconds how long the chunk lasts at the robot's rate (T steps / rate)
 * @param degrees         the spline degree of each DoF
 * @param coefficients    each DoF's control points, (D)(N_d)
 */
public record ActionChunk(double durationSeconds, int[] degrees, double[][] coefficients) {

    public ActionChunk {
        if (!(durationSeconds > 0) || degrees.length != coefficients.length || degrees.length == 0) {
            throw new IllegalArgumentException("a chunk needs a positive duration and one spline per DoF, got "
                    + durationSeconds + " s, " + degrees.length + " degrees, " + coefficients.length + " splines");
        }
        for (int d = 0; d < degrees.length; d++) {
            if (degrees[d] < 0 || coefficients[d].length < degrees[d] + 1) {
                throw new IllegalArgumentException("DoF " + d + ": a degree-" + degrees[d] + " spline needs at least "
                        + (degrees[d] + 1) + " control points, got " + coefficients[d].length);
            }
        }
    }

    public int dof() {
        return degrees.length;
    }

    /** The basis of DoF d (a new object: cache it where it is used often). */
    public BSplineBasis basis(int d) {
        return BSplineBasis.clampedUniform(coefficients[d].length, degrees[d]);
    }
}
