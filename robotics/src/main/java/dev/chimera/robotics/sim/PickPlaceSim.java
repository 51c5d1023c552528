package dev.chimera.robotics.sim;

import java.util.SplittableRandom;

/**
 * A seeded kinematic pick-and-place task in end-effector space, the robot the demonstrations,
 * the policy and the controller are measured on. There is no contact physics: the end effector is
 * a point driven toward setpoints under speed and acceleration limits, the gripper is a first-order
 * actuator, and the object is either resting on the table or rigidly carried.
 *
 * <p>Stepping semantics: {@code step(setpoint, dt)} treats the setpoint as the position to reach at
 * the end of the step, and the previous setpoint as where the end effector should be now. The
 * commanded velocity is the setpoint stream's own velocity, {@code (setpoint - previous) / dt}, plus
 * a closing velocity on the present error {@code e = previous - position}: {@code e / dt} (dead-beat),
 * limited in norm to {@code sqrt(2 MAX_ACCEL |e|) - MAX_ACCEL dt / 2}, the discrete-time braking
 * curve (the speed from which steps of {@code MAX_ACCEL dt} still stop within {@code |e|}). The sum is clamped in norm to {@link #MAX_SPEED}, its change from the current
 * velocity clamped in norm to {@code MAX_ACCEL * dt}, and the position advances by
 * {@code velocity * dt}. So a setpoint stream within the limits is followed exactly, at any dt (the
 * command is then {@code (setpoint - position) / dt}), and a jump is approached as fast as the
 * limits allow without overshoot. Positions outside the workspace box are clamped to it and the
 * velocity component pushing outward is zeroed, like a joint-limit stop.
 *
 * <p>The gripper state moves toward the command (saturated to [0, 1], as an actuator does) at
 * {@link #GRIPPER_RATE} per second. The object becomes held on the step where the gripper state
 * reaches {@link #GRASP_CLOSED} while the end effector is within {@link #GRASP_RADIUS} of the
 * object's centre; a gripper that was already closed when it arrived grasps nothing. A held object
 * keeps its offset from the end effector (never below the table) and is released, dropping to the
 * table at its current x, y, when the gripper state falls below {@link #RELEASE_BELOW}.
 *
 * <p>{@link #step} and {@link #observation} allocate nothing. Not thread-safe: one per thread.
 */
public final class PickPlaceSim {
    /** Observation values: see the index constants {@link #EE_X} .. {@link #HELD}. */
    public static final int OBS_DIM = 14;
    /** Action values: setpoint x, y, z (m) and gripper command (0 open, 1 closed). */
    public static final int ACTION_DIM = 4;

    public static final int EE_X = 0;
    public static final int EE_Y = 1;
    public static final int EE_Z = 2;
    public static final int EE_VX = 3;
    public static final int EE_VY = 4;
    public static final int EE_VZ = 5;
    public static final int GRIPPER = 6;
    public static final int OBJECT_X = 7;
    public static final int OBJECT_Y = 8;
    public static final int OBJECT_Z = 9;
    public static final int GOAL_X = 10;
    public static final int GOAL_Y = 11;
    public static final int GOAL_Z = 12;
    public static final int HELD = 13;

    /** Height of the table surface (m). */
    public static final double TABLE_Z = 0.0;
    /** Height of the object's centre, its grasp point, when it rests on the table (m); also the goal's z. */
    public static final double GRASP_Z = TABLE_Z + 0.02;
    /** Object and goal are drawn uniformly in x, y in [-SPAWN_HALF_WIDTH, SPAWN_HALF_WIDTH] (m). */
    public static final double SPAWN_HALF_WIDTH = 0.25;
    /** Least xy distance between object and goal at reset (m). */
    public static final double MIN_SEPARATION = 0.12;
    /** Where the end effector starts (m). */
    public static final double START_X = 0.0;
    public static final double START_Y = 0.0;
    public static final double START_Z = 0.25;
    /** Speed limit, Euclidean norm (m/s). */
    public static final double MAX_SPEED = 0.5;
    /** Acceleration limit, Euclidean norm (m/s^2). */
    public static final double MAX_ACCEL = 3.0;
    /** Gripper state change per second (fully open to closed in 0.2 s). */
    public static final double GRIPPER_RATE = 5.0;
    /** The gripper state at or above which a grasp happens. */
    public static final double GRASP_CLOSED = 0.9;
    /** The gripper state below which a held object is released. */
    public static final double RELEASE_BELOW = 0.5;
    /** Largest end-effector to object-centre distance for a grasp (m). */
    public static final double GRASP_RADIUS = 0.015;
    /** Largest xy distance of the placed object from the goal for success (m). */
    public static final double SUCCESS_RADIUS = 0.01;
    /** Workspace box of the end effector: |x|, |y| <= XY_LIMIT, Z_MIN <= z <= Z_MAX (m). */
    public static final double XY_LIMIT = 0.4;
    public static final double Z_MIN = 0.0;
    public static final double Z_MAX = 0.4;

    private double x;
    private double y;
    private double z;
    private double vx;
    private double vy;
    private double vz;
    private double gripper;
    private double objectX;
    private double objectY;
    private double objectZ;
    private double goalX;
    private double goalY;
    private boolean held;
    // The setpoint of the previous step (the reset pose before the first).
    private double lastX;
    private double lastY;
    private double lastZ;
    // Object centre minus end effector, fixed while held.
    private double heldDx;
    private double heldDy;
    private double heldDz;

    /** A sim in the layout of {@code reset(0)}. */
    public PickPlaceSim() {
        reset(0L);
    }

    /**
     * Starts an episode: end effector at the start pose, at rest, gripper open, object and goal
     * drawn uniformly from the spawn square (rejection sampling until they are MIN_SEPARATION apart).
     */
    public void reset(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double ox;
        double oy;
        double gx;
        double gy;
        do {
            ox = uniform(random);
            oy = uniform(random);
            gx = uniform(random);
            gy = uniform(random);
        } while (Math.hypot(gx - ox, gy - oy) < MIN_SEPARATION);
        reset(ox, oy, gx, gy);
    }

    /** Starts an episode with the object and goal at the given table positions (within the workspace). */
    public void reset(double objectX, double objectY, double goalX, double goalY) {
        for (double v : new double[] {objectX, objectY, goalX, goalY}) {
            if (!(Math.abs(v) <= XY_LIMIT)) {
                throw new IllegalArgumentException("object and goal must lie within |x|, |y| <= " + XY_LIMIT
                        + " m, got object (" + objectX + ", " + objectY + "), goal (" + goalX + ", " + goalY + ")");
            }
        }
        x = START_X;
        y = START_Y;
        z = START_Z;
        vx = 0;
        vy = 0;
        vz = 0;
        lastX = x;
        lastY = y;
        lastZ = z;
        gripper = 0;
        this.objectX = objectX;
        this.objectY = objectY;
        this.objectZ = GRASP_Z;
        this.goalX = goalX;
        this.goalY = goalY;
        held = false;
    }

    /**
     * Advances by {@code dt} seconds toward {@code setpoint} = (x, y, z, gripper), the pose wanted
     * at the end of the step.
     */
    public void step(double[] setpoint, double dt) {
        if (setpoint.length != ACTION_DIM || !(dt > 0) || !Double.isFinite(dt)) {
            throw new IllegalArgumentException("step needs a setpoint of " + ACTION_DIM + " values and dt > 0, got "
                    + setpoint.length + " values and dt = " + dt);
        }
        for (double v : setpoint) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("setpoint values must be finite, got " + v);
            }
        }
        moveEndEffector(setpoint[0], setpoint[1], setpoint[2], dt);
        if (held) {
            objectX = x + heldDx;
            objectY = y + heldDy;
            objectZ = Math.max(GRASP_Z, z + heldDz);
        }
        double before = gripper;
        double command = Math.min(1.0, Math.max(0.0, setpoint[3]));
        double change = GRIPPER_RATE * dt;
        gripper = command > gripper ? Math.min(command, gripper + change) : Math.max(command, gripper - change);
        if (held && gripper < RELEASE_BELOW) {
            held = false;
            objectZ = GRASP_Z;
        } else if (!held && before < GRASP_CLOSED && gripper >= GRASP_CLOSED && graspDistance() <= GRASP_RADIUS) {
            held = true;
            heldDx = objectX - x;
            heldDy = objectY - y;
            heldDz = objectZ - z;
        }
    }

    private void moveEndEffector(double sx, double sy, double sz, double dt) {
        double ex = lastX - x;
        double ey = lastY - y;
        double ez = lastZ - z;
        double error = Math.sqrt(ex * ex + ey * ey + ez * ez);
        // Closing speed: dead-beat (error / dt) while one step of braking can stop it, else at most
        // the braking curve sqrt(2 a e) - a dt / 2: at that speed the stopping distance in steps of
        // a dt, (v^2 / 2a - v dt / 2 rounded up by at most a dt^2 / 8), plus this step's v dt, is e.
        double f = 1 / dt;
        if (error > MAX_ACCEL * dt * dt) {
            double brake = Math.sqrt(2 * MAX_ACCEL * error) - MAX_ACCEL * dt / 2;
            f = Math.min(1 / dt, brake / error);
        }
        double wx = (sx - lastX) / dt + ex * f;
        double wy = (sy - lastY) / dt + ey * f;
        double wz = (sz - lastZ) / dt + ez * f;
        lastX = sx;
        lastY = sy;
        lastZ = sz;
        double speed = Math.sqrt(wx * wx + wy * wy + wz * wz);
        if (speed > MAX_SPEED) {
            double g = MAX_SPEED / speed;
            wx *= g;
            wy *= g;
            wz *= g;
        }
        double ax = wx - vx;
        double ay = wy - vy;
        double az = wz - vz;
        double change = Math.sqrt(ax * ax + ay * ay + az * az);
        double maxChange = MAX_ACCEL * dt;
        if (change > maxChange) {
            double g = maxChange / change;
            ax *= g;
            ay *= g;
            az *= g;
        }
        vx += ax;
        vy += ay;
        vz += az;
        x += vx * dt;
        y += vy * dt;
        z += vz * dt;
        if (x < -XY_LIMIT || x > XY_LIMIT) {
            x = Math.max(-XY_LIMIT, Math.min(XY_LIMIT, x));
            vx = 0;
        }
        if (y < -XY_LIMIT || y > XY_LIMIT) {
            y = Math.max(-XY_LIMIT, Math.min(XY_LIMIT, y));
            vy = 0;
        }
        if (z < Z_MIN || z > Z_MAX) {
            z = Math.max(Z_MIN, Math.min(Z_MAX, z));
            vz = 0;
        }
    }

    private double graspDistance() {
        double dx = objectX - x;
        double dy = objectY - y;
        double dz = objectZ - z;
        return Math.sqrt(dx * dx + dy * dy + dz * dz);
    }

    /** Writes the OBS_DIM observation values (layout: the index constants) into {@code out}. */
    public void observation(double[] out) {
        if (out.length < OBS_DIM) {
            throw new IllegalArgumentException("an observation needs " + OBS_DIM + " values, got room for " + out.length);
        }
        out[EE_X] = x;
        out[EE_Y] = y;
        out[EE_Z] = z;
        out[EE_VX] = vx;
        out[EE_VY] = vy;
        out[EE_VZ] = vz;
        out[GRIPPER] = gripper;
        out[OBJECT_X] = objectX;
        out[OBJECT_Y] = objectY;
        out[OBJECT_Z] = objectZ;
        out[GOAL_X] = goalX;
        out[GOAL_Y] = goalY;
        out[GOAL_Z] = GRASP_Z;
        out[HELD] = held ? 1.0 : 0.0;
    }

    /** The object rests on the table (not held) within SUCCESS_RADIUS of the goal in x, y. */
    public boolean success() {
        return !held && Math.hypot(objectX - goalX, objectY - goalY) <= SUCCESS_RADIUS;
    }

    public boolean held() {
        return held;
    }

    private static double uniform(SplittableRandom random) {
        return random.nextDouble(-SPAWN_HALF_WIDTH, SPAWN_HALF_WIDTH);
    }
}
