package dev.chimera.robotics.control;

/**
 * What the {@link RobotController} asks for the next actions: a learned policy (the hybrid
 * decoder with BEAST tokens), a scripted one, or a robot program's own planner. Called on the
 * controller's policy thread, never on the control thread; it may take milliseconds.
 */
public interface ChunkPolicy {

    /** Degrees of freedom of the actions it plans. */
    int dof();

    /**
     * Plans the chunk that starts at the given setpoint and velocity (per second), from the latest
     * observation. The controller pins the chunk's start to that setpoint (C0) and, for degree >= 2,
     * its initial slope to that velocity (C1), whatever the chunk says there.
     */
    ActionChunk plan(double[] observation, double[] startPosition, double[] startVelocity) throws Exception;

    /**
     * Sees every observation handed to {@link RobotController#observe}, with the controller clock's
     * time of it, on that (usually the control) thread: for a policy that reads a history of
     * observations rather than the latest one. It must return quickly, without blocking or
     * allocating, and copy what it keeps (the array is the caller's). Does nothing by default.
     */
    default void observe(double[] observation, long timeNanos) {
    }

    /**
     * Makes the first real {@link #plan} as fast as the later ones: called once by
     * {@link RobotController#start()} on its caller's thread, before the policy thread runs. A policy
     * whose planning code is compiled on first use (a learned one: its first plans run 10-30x slower,
     * and allocate while they do) plans here until it is warm; it must not change what later plans
     * return. Does nothing by default.
     */
    default void warmUp() {
    }
}
