package dev.chimera.robotics.policy;

import dev.chimera.robotics.sim.PickPlaceSim;

/**
 * The policy's input features of a pick-and-place observation: the simulator's 14 values, then
 * where the object and the goal are relative to the end effector (what the next motion is aimed
 * at, so the network need not learn to subtract absolute positions to millimetres).
 */
public final class TaskFeatures {
    /** Features per observation: the 14 raw values and two relative positions. */
    public static final int COUNT = PickPlaceSim.OBS_DIM + 6;

    private TaskFeatures() {
    }

    /** Writes the features of a raw observation into out (COUNT). Allocates nothing. */
    public static void expand(double[] raw, double[] out) {
        System.arraycopy(raw, 0, out, 0, PickPlaceSim.OBS_DIM);
        for (int i = 0; i < 3; i++) {
            out[PickPlaceSim.OBS_DIM + i] = raw[PickPlaceSim.OBJECT_X + i] - raw[PickPlaceSim.EE_X + i];
            out[PickPlaceSim.OBS_DIM + 3 + i] = raw[PickPlaceSim.GOAL_X + i] - raw[PickPlaceSim.EE_X + i];
        }
    }

    /** The features of every frame of an episode, (frames, COUNT). */
    public static double[][] expand(double[][] episode) {
        double[][] out = new double[episode.length][COUNT];
        for (int f = 0; f < episode.length; f++) {
            expand(episode[f], out[f]);
        }
        return out;
    }
}
