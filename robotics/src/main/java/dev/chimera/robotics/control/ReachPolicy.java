package dev.chimera.robotics.control;

import dev.chimera.robotics.spline.BSplineBasis;
import java.util.Arrays;

/**
 * A scripted {@link ChunkPolicy}: the observation holds a target per DoF, and each chunk moves
 * smoothly toward it, at most {@code maxSpeed * T} per chunk: control point i lies at s(g_i) of
 * the way, s(x) = 10x^3 - 15x^4 + 6x^5 being the minimum-jerk profile (Flash and Hogan, 1985) and
 * g_i = (t_{i+1} + ... + t_{i+p}) / p the Greville abscissa of the basis, where control points
 * reproduce linear functions exactly and approximate smooth ones closely (de Boor, A Practical
 * Guide to Splines, ch. XI). Gripper DoF get a degree-0 spline at the target rounded to 0 or 1. The
 * controller pins each chunk's start to the running trajectory, so the policy's own start values only
 * set where the move is measured from. The synthetic policy of {@code chimera bench controller}
 * and of the tests; the learned policy takes its place through the same interface.
 */
public final class ReachPolicy implements ChunkPolicy {
    private final boolean[] gripper;     // (D)
    private final double seconds;
    private final int controlPoints;
    private final int degree;
    private final double maxSpeed;
    private final int gripperPoints;
    private final double[] profile;      // (N) s(g_i)

    /**
     * @param gripper       which DoF are binary grippers, (D)
     * @param seconds       chunk duration
     * @param controlPoints control points of continuous DoF (N > degree)
     * @param degree        spline degree of continuous DoF
     * @param maxSpeed      the farthest a chunk moves a DoF, per second of chunk
     */
    public ReachPolicy(boolean[] gripper, double seconds, int controlPoints, int degree, double maxSpeed) {
        if (!(seconds > 0) || degree < 0 || controlPoints < degree + 1 || !(maxSpeed > 0)) {
            throw new IllegalArgumentException("a reach policy needs a positive duration and speed and N > degree, got "
                    + seconds + " s, N = " + controlPoints + ", degree " + degree + ", speed " + maxSpeed);
        }
        this.gripper = gripper.clone();
        this.seconds = seconds;
        this.controlPoints = controlPoints;
        this.degree = degree;
        this.maxSpeed = maxSpeed;
        this.gripperPoints = 4;
        double[] knots = BSplineBasis.clampedUniform(controlPoints, degree).knots();
        this.profile = new double[controlPoints];
        for (int i = 0; i < controlPoints; i++) {
            double g = 0;
            for (int j = 1; j <= degree; j++) {
                g += knots[i + j];
            }
            double x = degree == 0 ? (double) i / Math.max(1, controlPoints - 1) : g / degree;
            profile[i] = x * x * x * (10 - 15 * x + 6 * x * x);
        }
    }

    /** BEAST's CALVIN shape over 1 s: degree 4, 12 control points; the last DoF a gripper. */
    public static ReachPolicy standard(int dof, double maxSpeed) {
        boolean[] gripper = new boolean[dof];
        gripper[dof - 1] = true;
        return new ReachPolicy(gripper, 1.0, 12, 4, maxSpeed);
    }

    @Override
    public int dof() {
        return gripper.length;
    }

    @Override
    public ActionChunk plan(double[] observation, double[] startPosition, double[] startVelocity) {
        int dof = gripper.length;
        int[] degrees = new int[dof];
        double[][] coeffs = new double[dof][];
        double reach = maxSpeed * seconds;
        for (int d = 0; d < dof; d++) {
            if (gripper[d]) {
                coeffs[d] = new double[gripperPoints];
                Arrays.fill(coeffs[d], observation[d] >= 0.5 ? 1.0 : 0.0);
                continue;
            }
            degrees[d] = degree;
            double move = Math.max(-reach, Math.min(reach, observation[d] - startPosition[d]));
            coeffs[d] = new double[controlPoints];
            for (int i = 0; i < controlPoints; i++) {
                coeffs[d][i] = startPosition[d] + move * profile[i];
            }
        }
        return new ActionChunk(seconds, degrees, coeffs);
    }
}
