package dev.chimera.robotics.sim;

import java.util.SplittableRandom;

/**
 * The scripted demonstrator of {@link PickPlaceSim}: a chain of minimum-jerk motions (Flash and
 * Hogan 1985, s(tau) = 10 tau^3 - 15 tau^4 + 6 tau^5, zero velocity and acceleration at both ends)
 * through approach (above the object at z = 0.10), descend (z = 0.02), grasp (close, hold 0.3 s),
 * lift (z = 0.10), carry (above the goal), descend, place (open, hold 0.3 s), retreat (z = 0.15),
 * then holding still. Planned once, from the first observation of an episode; afterwards it is a
 * pure function of time since the episode began.
 *
 * <p>A motion over distance d taking D seconds peaks at 1.875 d / D in speed and 5.77 d / D^2 in
 * acceleration. Nominal durations keep those at 85 % and 60 % of the sim's limits; each is then
 * jittered by up to +-15 % (and kept at least {@link #MIN_SEGMENT_SECONDS}), which leaves the peaks
 * within 100 % and 83 % of the limits. The speed peaks at one instant and the velocity of every
 * sampled step, an average over the step, stays below it, so the sim follows the plan exactly at
 * any rate. (A tighter speed margin would push the longest episodes, corner to far corner, toward
 * the 8 s evaluation length.) Every waypoint's x, y is
 * jittered uniformly by up to {@link #WAYPOINT_JITTER} m. The place point is shifted by the grasp
 * point's own offset from the object, so the object (carried at that offset) lands within the
 * place jitter of the goal. The gripper command is 0 or 1.
 */
public final class ScriptedExpert {
    /** Height of the approach, lift and carry (m). */
    public static final double HOVER_Z = 0.10;
    /** Height of the final retreat (m). */
    public static final double RETREAT_Z = 0.15;
    /** How long the gripper is held closing at the grasp and opening at the place (s). */
    public static final double GRIPPER_HOLD_SECONDS = 0.3;
    /** Shortest motion segment (s). */
    public static final double MIN_SEGMENT_SECONDS = 0.4;
    /** Relative jitter of motion durations. */
    public static final double DURATION_JITTER = 0.15;
    /** Uniform x, y jitter of each waypoint, +- this (m). */
    public static final double WAYPOINT_JITTER = 0.004;

    private static final double SPEED_MARGIN = 0.85;
    private static final double ACCEL_MARGIN = 0.6;
    private static final double PEAK_SPEED_FACTOR = 1.875;
    private static final double PEAK_ACCEL_FACTOR = 10.0 / Math.sqrt(3.0);
    private static final int WAYPOINTS = 9;

    // (WAYPOINTS, 4): x, y, z, gripper. Segment i runs from waypoint i to i + 1 with waypoint
    // i + 1's gripper command throughout.
    private final double[][] waypoints;
    // (WAYPOINTS): the time each waypoint is reached; times[0] = 0.
    private final double[] times;

    private ScriptedExpert(double[][] waypoints, double[] times) {
        this.waypoints = waypoints;
        this.times = times;
    }

    /**
     * Plans an episode from its first observation ({@link PickPlaceSim#observation} right after a
     * reset: end effector, object and goal positions), jittered by {@code seed}.
     */
    public static ScriptedExpert plan(double[] observation, long seed) {
        if (observation.length < PickPlaceSim.OBS_DIM) {
            throw new IllegalArgumentException("an observation has " + PickPlaceSim.OBS_DIM + " values, got "
                    + observation.length);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double ox = observation[PickPlaceSim.OBJECT_X];
        double oy = observation[PickPlaceSim.OBJECT_Y];
        double graspX = ox + jitter(random);
        double graspY = oy + jitter(random);
        double placeX = observation[PickPlaceSim.GOAL_X] + (graspX - ox) + jitter(random);
        double placeY = observation[PickPlaceSim.GOAL_Y] + (graspY - oy) + jitter(random);
        double low = PickPlaceSim.GRASP_Z;
        double[][] w = {
            {observation[PickPlaceSim.EE_X], observation[PickPlaceSim.EE_Y], observation[PickPlaceSim.EE_Z], 0},
            {ox + jitter(random), oy + jitter(random), HOVER_Z, 0},
            {graspX, graspY, low, 0},
            {graspX, graspY, low, 1},
            {graspX + jitter(random), graspY + jitter(random), HOVER_Z, 1},
            {placeX + jitter(random), placeY + jitter(random), HOVER_Z, 1},
            {placeX, placeY, low, 1},
            {placeX, placeY, low, 0},
            {placeX + jitter(random), placeY + jitter(random), RETREAT_Z, 0},
        };
        double[] t = new double[WAYPOINTS];
        for (int i = 1; i < WAYPOINTS; i++) {
            boolean gripperHold = w[i][3] != w[i - 1][3];
            t[i] = t[i - 1] + (gripperHold ? GRIPPER_HOLD_SECONDS : motionSeconds(w[i - 1], w[i], random));
        }
        return new ScriptedExpert(w, t);
    }

    /** When the retreat ends and the expert starts holding still (s after the episode began). */
    public double finishSeconds() {
        return times[WAYPOINTS - 1];
    }

    /** Writes the setpoint (x, y, z, gripper) for {@code seconds} after the episode began into {@code out}. */
    public void action(double seconds, double[] out) {
        int i = 1;
        while (i < WAYPOINTS - 1 && seconds > times[i]) {
            i++;
        }
        double[] from = waypoints[i - 1];
        double[] to = waypoints[i];
        double tau = Math.min(1.0, Math.max(0.0, (seconds - times[i - 1]) / (times[i] - times[i - 1])));
        double s = tau * tau * tau * (10 - tau * (15 - 6 * tau));
        out[0] = from[0] + (to[0] - from[0]) * s;
        out[1] = from[1] + (to[1] - from[1]) * s;
        out[2] = from[2] + (to[2] - from[2]) * s;
        out[3] = to[3];
    }

    private static double motionSeconds(double[] from, double[] to, SplittableRandom random) {
        double d = Math.sqrt(square(to[0] - from[0]) + square(to[1] - from[1]) + square(to[2] - from[2]));
        double nominal = Math.max(PEAK_SPEED_FACTOR * d / (SPEED_MARGIN * PickPlaceSim.MAX_SPEED),
                Math.sqrt(PEAK_ACCEL_FACTOR * d / (ACCEL_MARGIN * PickPlaceSim.MAX_ACCEL)));
        double jittered = nominal * (1 + random.nextDouble(-DURATION_JITTER, DURATION_JITTER));
        return Math.max(MIN_SEGMENT_SECONDS, jittered);
    }

    private static double jitter(SplittableRandom random) {
        return random.nextDouble(-WAYPOINT_JITTER, WAYPOINT_JITTER);
    }

    private static double square(double v) {
        return v * v;
    }
}
