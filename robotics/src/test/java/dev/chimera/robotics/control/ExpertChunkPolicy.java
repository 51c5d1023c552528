package dev.chimera.robotics.control;

import dev.chimera.robotics.sim.PickPlaceSim;
import dev.chimera.robotics.sim.ScriptedExpert;
import dev.chimera.robotics.tokenize.BeastSettings;
import dev.chimera.robotics.tokenize.BeastTokenizer;
import dev.chimera.robotics.tokenize.Continuity;
import dev.chimera.robotics.tokenize.DofScaler;

/**
 * The sim's scripted expert ({@link ScriptedExpert}) as a {@link ChunkPolicy}, in the learned
 * policy's shape: 1-s chunks of T = 50 steps at 50 Hz, continuous DoF the BEAST ridge fit
 * (12 control points, degree 4, start pinned, unquantised) through the expert's next T actions,
 * the gripper a degree-0 spline of them. The expert is planned from the first observation; the
 * controller runs chunks back to back, so chunk k covers the expert's seconds [k, k + 1].
 */
final class ExpertChunkPolicy implements ChunkPolicy {
    static final int STEPS = 50;
    static final double RATE_HZ = 50;
    private static final int DOF = PickPlaceSim.ACTION_DIM;
    private static final int GRIPPER = DOF - 1;

    private final long expertSeed;
    private final BeastTokenizer fit;
    private final double[] chunk = new double[STEPS * DOF];                 // (T, D) the expert's actions
    private final double[] points;                                          // (N, D) fitted control points
    private final double[] velocity = new double[DOF];                      // (D) unused: C0 pins the start only
    private final double[] action = new double[DOF];                        // (D)
    private ScriptedExpert expert;
    private int planned;

    ExpertChunkPolicy(long expertSeed) {
        this.expertSeed = expertSeed;
        BeastSettings settings = BeastSettings.of(STEPS, 12, 4, Continuity.C0);
        // robot units throughout (an identity scaler); the quantisation bounds are not used by a fit
        this.fit = BeastTokenizer.restore(settings, new boolean[] {false, false, false, true},
                new double[] {-1, -1, -1, 0}, new double[] {1, 1, 1, 1}, DofScaler.decode("0:1 0:1 0:1 0:1"));
        this.points = new double[settings.controlPoints() * DOF];
    }

    @Override
    public int dof() {
        return DOF;
    }

    @Override
    public ActionChunk plan(double[] observation, double[] startPosition, double[] startVelocity) {
        if (expert == null) {
            expert = ScriptedExpert.plan(observation, expertSeed);
        }
        double start = planned++ * STEPS / RATE_HZ;
        for (int j = 0; j < STEPS; j++) {
            expert.action(start + (j + 1) / RATE_HZ, action);
            System.arraycopy(action, 0, chunk, j * DOF, DOF);
        }
        fit.fitControlPoints(chunk, startPosition, velocity, points);
        int n = points.length / DOF;
        int[] degrees = new int[DOF];
        double[][] coefficients = new double[DOF][];
        for (int d = 0; d < GRIPPER; d++) {
            degrees[d] = 4;
            coefficients[d] = new double[n];
            for (int i = 0; i < n; i++) {
                coefficients[d][i] = points[i * DOF + d];
            }
        }
        coefficients[GRIPPER] = new double[STEPS];
        for (int j = 0; j < STEPS; j++) {
            coefficients[GRIPPER][j] = chunk[j * DOF + GRIPPER];
        }
        return new ActionChunk(STEPS / RATE_HZ, degrees, coefficients);
    }
}
