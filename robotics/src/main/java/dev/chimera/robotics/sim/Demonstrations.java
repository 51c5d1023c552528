package dev.chimera.robotics.sim;

import dev.chimera.robotics.data.DemoSchema;
import dev.chimera.robotics.data.Episode;
import dev.chimera.robotics.data.Trajectories;
import java.util.ArrayList;
import java.util.List;

/**
 * Demonstrations of the pick-and-place task: the {@link ScriptedExpert} run in the
 * {@link PickPlaceSim} at {@link #RATE_HZ}. Frame k holds the observation at t_k = k / RATE_HZ,
 * before the step, and the action applied during the step, which is the expert's setpoint for
 * the step's end, t_k + 1 / RATE_HZ (the sim's setpoints are where to be at the end of a step).
 * An episode lasts until the expert has finished and held still for {@link #SETTLE_SECONDS}.
 *
 * <p>Episode i of a set drawn with seed S uses {@link #episodeSeed}(S, i) for the layout and a
 * second seed derived from it for the expert's jitter, so sets with the same seed are identical
 * and a set's first n episodes do not depend on how many follow.
 */
public final class Demonstrations {
    /** Frames per second of the demonstrations. */
    public static final double RATE_HZ = 50.0;
    /** Length of an evaluation episode (s); the expert finishes well within it. */
    public static final double EPISODE_SECONDS = 8.0;
    /** How long an episode goes on after the expert has finished (s). */
    public static final double SETTLE_SECONDS = 0.5;
    /** The set {@link #defaultActions()} draws: episodes and seed. */
    public static final int DEFAULT_EPISODES = 200;
    public static final long DEFAULT_SEED = 7L;

    private Demonstrations() {
    }

    /** {@code episodes} demonstrations drawn with {@code seed}, indexed 0 .. episodes - 1. */
    public static List<Episode> generate(int episodes, long seed) {
        if (episodes < 0) {
            throw new IllegalArgumentException("episodes must be >= 0, got " + episodes);
        }
        List<Episode> out = new ArrayList<>(episodes);
        PickPlaceSim sim = new PickPlaceSim();
        for (int i = 0; i < episodes; i++) {
            out.add(episode(sim, i, episodeSeed(seed, i)));
        }
        return out;
    }

    /** Episode {@code index}'s seed in a set drawn with {@code seed} (a SplitMix64 mix of both). */
    public static long episodeSeed(long seed, int index) {
        return mix(seed + 0x9E3779B97F4A7C15L * (index + 1L));
    }

    /** The expert's jitter seed for an episode whose layout seed is {@code episodeSeed}. */
    public static long expertSeed(long episodeSeed) {
        return mix(episodeSeed ^ 0xD1B54A32D192ED03L);
    }

    private static Episode episode(PickPlaceSim sim, int index, long episodeSeed) {
        sim.reset(episodeSeed);
        double[] observation = new double[PickPlaceSim.OBS_DIM];
        sim.observation(observation);
        ScriptedExpert expert = ScriptedExpert.plan(observation, expertSeed(episodeSeed));
        int frames = (int) Math.ceil((expert.finishSeconds() + SETTLE_SECONDS) * RATE_HZ);
        double dt = 1.0 / RATE_HZ;
        double[][] observations = new double[frames][PickPlaceSim.OBS_DIM]; // (frames, OBS_DIM)
        double[][] actions = new double[frames][PickPlaceSim.ACTION_DIM]; // (frames, ACTION_DIM)
        for (int k = 0; k < frames; k++) {
            sim.observation(observations[k]);
            expert.action((k + 1) / RATE_HZ, actions[k]);
            sim.step(actions[k], dt);
        }
        return new Episode(index, observations, actions, sim.success());
    }

    /** The fraction of {@code episodes} that ended in success. */
    public static double successRate(List<Episode> episodes) {
        long ok = episodes.stream().filter(Episode::success).count();
        return episodes.isEmpty() ? Double.NaN : (double) ok / episodes.size();
    }

    /** The episodes' actions as tokenizer data: DoF x, y, z, gripper (the last a gripper), at RATE_HZ. */
    public static Trajectories actions(List<Episode> episodes) {
        List<double[][]> actions = new ArrayList<>(episodes.size());
        for (Episode e : episodes) {
            actions.add(e.actions());
        }
        return new Trajectories(DemoSchema.ACTION_NAMES, new boolean[] {false, false, false, true},
                RATE_HZ, actions);
    }

    /** {@code actions(generate(DEFAULT_EPISODES, DEFAULT_SEED))}: the tokenizer harness's default data. */
    public static Trajectories defaultActions() {
        return actions(generate(DEFAULT_EPISODES, DEFAULT_SEED));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
