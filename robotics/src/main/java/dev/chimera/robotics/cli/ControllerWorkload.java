package dev.chimera.robotics.cli;

import dev.chimera.robotics.control.ChunkPolicy;
import dev.chimera.robotics.control.Limits;
import dev.chimera.robotics.control.ReachPolicy;
import dev.chimera.robotics.policy.ActionPolicy;
import dev.chimera.robotics.policy.LearnedChunkPolicy;
import dev.chimera.robotics.policy.PolicyEvaluation;
import dev.chimera.robotics.policy.PolicyModel;
import dev.chimera.robotics.sim.PickPlaceSim;
import java.util.function.Supplier;

/**
 * What {@code bench controller}'s 1 kHz loop runs: the policy and the robot (fresh ones per call),
 * the robot's initial setpoint and limits.
 *
 * @param name            what the output calls the policy
 * @param policy          makes the policy
 * @param observationSize doubles per observation
 * @param robot           makes the robot
 * @param initial         the initial setpoint, (D)
 * @param limits          per DoF, (D)
 */
public record ControllerWorkload(String name, Supplier<ChunkPolicy> policy, int observationSize,
                                 Supplier<ControllerWorkload.Robot> robot, double[] initial, Limits[] limits) {

    /** The scripted policy visiting three waypoints (x, y, z, gripper), one every two seconds. */
    public static ControllerWorkload synthetic() {
        double[][] waypoints = {{0.3, 0.1, 0.2, 1}, {0.4, -0.1, 0.1, 0}, {0.2, 0.0, 0.25, 1}};
        Limits xyz = new Limits(-0.5, 0.5, 0.5, 2.0);
        Robot robot = new Robot() {
            @Override
            public void observe(long tick, double[] out) {
                System.arraycopy(waypoints[(int) (tick / 2000 % waypoints.length)], 0, out, 0, 4);
            }

            @Override
            public void command(double[] setpoint) {
            }
        };
        return new ControllerWorkload("synthetic", () -> ReachPolicy.standard(4, 0.3), 4, () -> robot,
                new double[] {0.25, 0.0, 0.3, 0.0}, new Limits[] {xyz, xyz, xyz, Limits.unlimited()});
    }

    /**
     * A trained policy driving the pick-and-place sim from its start pose on the first held-out
     * episode; the sim's workspace, speed and acceleration as limits, the gripper unbounded.
     */
    public static ControllerWorkload learned(PolicyModel model) {
        Limits xy = new Limits(-PickPlaceSim.XY_LIMIT, PickPlaceSim.XY_LIMIT, PickPlaceSim.MAX_SPEED,
                PickPlaceSim.MAX_ACCEL);
        Limits z = new Limits(PickPlaceSim.Z_MIN, PickPlaceSim.Z_MAX, PickPlaceSim.MAX_SPEED,
                PickPlaceSim.MAX_ACCEL);
        String name = model.directory() != null ? model.directory().toString()
                : model.codec().name() + " policy (not saved)";
        return new ControllerWorkload(name, () -> new LearnedChunkPolicy(new ActionPolicy(model)),
                PickPlaceSim.OBS_DIM, SimRobot::new,
                new double[] {PickPlaceSim.START_X, PickPlaceSim.START_Y, PickPlaceSim.START_Z, 0},
                new Limits[] {xy, xy, z, Limits.unlimited()});
    }

    /** The robot the loop drives, one per run: observed before each sample, commanded with its setpoint after. */
    public interface Robot {
        /** Fills the observation for tick k, each tick 1 ms (must not allocate). */
        void observe(long tick, double[] out);

        /** Takes the setpoint of the tick just observed, to hold for 1 ms (must not allocate). */
        void command(double[] setpoint);
    }

    /** A {@link PickPlaceSim} episode stepped 1 ms per tick toward the controller's setpoints. */
    private static final class SimRobot implements Robot {
        private final PickPlaceSim sim = new PickPlaceSim();

        SimRobot() {
            sim.reset(PolicyEvaluation.HELD_OUT_SEED);
        }

        @Override
        public void observe(long tick, double[] out) {
            sim.observation(out);
        }

        @Override
        public void command(double[] setpoint) {
            sim.step(setpoint, 1e-3);
        }
    }
}
