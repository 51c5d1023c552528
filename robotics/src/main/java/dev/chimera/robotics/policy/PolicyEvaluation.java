package dev.chimera.robotics.policy;

import dev.chimera.robotics.sim.Demonstrations;
import dev.chimera.robotics.sim.PickPlaceSim;
import dev.chimera.robotics.tokenize.TokenizerHarness;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a policy closed-loop in the simulator on held-out episodes (seeds no demonstration used):
 * at the data rate, every {@code replan} frames the policy plans a chunk from the observation
 * history, continuing from the action last executed, and each frame the robot executes the mean of
 * what the chunks planned over the last T frames say for it (temporal ensembling, as ACT executes
 * its chunks: a chunk's error is averaged with its neighbours' rather than followed to its end;
 * the gripper follows the newest chunk, whose command is binary). Success is the simulator's (object within 1 cm of the goal at
 * the end of a fixed-length episode); jerk is the RMS third derivative of the executed continuous
 * setpoints in normalised units per s^3 (the tokenizer table's unit); ms per chunk the median
 * planning time.
 */
public final class PolicyEvaluation {
    /** Seeds of evaluation episodes start here, far from the demonstrations' (0 .. episodes). */
    public static final long HELD_OUT_SEED = 1_000_003L;

    /** What a run of episodes gave. */
    public record Result(String policy, int episodes, int successes, int grasps, double msPerChunk, double jerkRms) {
        public double successRate() {
            return (double) successes / episodes;
        }
    }

    private PolicyEvaluation() {
    }

    /** What plans the chunks: a trained policy, or in tests the expert's own actions through the codec. */
    @FunctionalInterface
    public interface Planner {
        /**
         * The chunk (T, D, normalised) to execute from {@code frame} of the episode with this seed,
         * after {@code previous}, given the history's raw observations (H, O).
         */
        void plan(long episodeSeed, int frame, double[][] history, double[] previous, double[][] out);
    }

    public static Result run(ActionPolicy policy, int episodes, long seedBase) {
        return run(policy.model(), (seed, frame, history, previous, out) -> policy.plan(history, previous, out),
                episodes, seedBase);
    }

    /** Episodes with seeds seedBase, seedBase + 1, ...; the model gives the layout, codec, scalers and rate. */
    /**
     * The action for frame f into out (D): per continuous DoF the mean of the newest chunks' (up to
     * {@code planned}, the newest at (planned - 1) % length) steps for f, among those that reach it;
     * a gripper DoF's from the newest chunk.
     */
    private static void ensemble(double[][][] recent, int[] recentStart, int planned, int f, boolean[] gripper,
                                 double[] out) {
        int newest = (planned - 1) % recent.length;
        int steps = recent[0].length;
        for (int d = 0; d < out.length; d++) {
            if (gripper[d]) {
                out[d] = recent[newest][f - recentStart[newest]][d];
                continue;
            }
            double sum = 0.0;
            int count = 0;
            for (int i = Math.max(0, planned - recent.length); i < planned; i++) {
                int slot = i % recent.length;
                int step = f - recentStart[slot];
                if (step < steps) {
                    sum += recent[slot][step][d];
                    count++;
                }
            }
            out[d] = sum / count;
        }
    }

    public static Result run(PolicyModel model, Planner planner, int episodes, long seedBase) {
        PolicyLayout layout = model.layout();
        ChunkCodec codec = model.codec();
        int dof = codec.dof();
        int frames = (int) Math.round(Demonstrations.EPISODE_SECONDS * model.rateHz());
        double dt = 1.0 / model.rateHz();
        double[][] observed = new double[frames][PickPlaceSim.OBS_DIM];   // (frames, 14) this episode's observations
        double[][] history = new double[layout.history()][];
        int overlap = (codec.steps() + model.replan() - 1) / model.replan();   // chunks that can cover a frame
        double[][][] recent = new double[overlap][codec.steps()][dof];      // the newest chunks, by plan number % overlap
        int[] recentStart = new int[overlap];
        double[] previous = new double[dof];
        double[] action = new double[dof];
        long[] planNanos = new long[episodes * (frames / model.replan() + 1)];
        int plans = 0;
        int successes = 0;
        int grasps = 0;
        List<double[][]> trajectories = new ArrayList<>();   // per episode (frames, D): the setpoints executed, normalised
        boolean[] gripper = new boolean[dof];
        for (int d = 0; d < dof; d++) {
            gripper[d] = model.gripper(d);
        }
        PickPlaceSim sim = new PickPlaceSim();
        for (int e = 0; e < episodes; e++) {
            double[][] executed = new double[frames][dof];
            trajectories.add(executed);
            sim.reset(seedBase + e);
            action[0] = PickPlaceSim.START_X;
            action[1] = PickPlaceSim.START_Y;
            action[2] = PickPlaceSim.START_Z;
            action[3] = 0.0;
            for (int d = 0; d < dof; d++) {
                previous[d] = model.actionScaler().normalise(d, action[d]);
            }
            int planned = 0;
            boolean grasped = false;
            for (int f = 0; f < frames; f++) {
                sim.observation(observed[f]);
                if (f % model.replan() == 0 || f - recentStart[(planned - 1) % overlap] >= codec.steps()) {
                    for (int k = 0; k < layout.history(); k++) {
                        history[k] = observed[layout.historyFrame(f, k)];
                    }
                    long t0 = System.nanoTime();
                    planner.plan(seedBase + e, f, history, previous, recent[planned % overlap]);
                    planNanos[plans++] = System.nanoTime() - t0;
                    recentStart[planned % overlap] = f;
                    planned++;
                }
                ensemble(recent, recentStart, planned, f, gripper, executed[f]);
                System.arraycopy(executed[f], 0, previous, 0, dof);
                for (int d = 0; d < dof; d++) {
                    action[d] = model.actionScaler().denormalise(d, executed[f][d]);
                }
                sim.step(action, dt);
                grasped |= sim.held();
            }
            grasps += grasped ? 1 : 0;
            successes += sim.success() ? 1 : 0;
        }
        long[] sorted = Arrays.copyOf(planNanos, plans);
        Arrays.sort(sorted);
        return new Result(codec.name(), episodes, successes, grasps, sorted[plans / 2] / 1e6,
                TokenizerHarness.jerkRms(trajectories, TokenizerHarness.measuredDof(gripper), model.rateHz()));
    }
}
