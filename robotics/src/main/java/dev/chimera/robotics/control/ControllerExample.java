package dev.chimera.robotics.control;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * How a robot program drives a {@link RobotController} at 1 kHz: start it, then every millisecond
 * hand it the latest observation, take the setpoint for that instant and send it to the robot; watch
 * its status; close it at the end and keep sampling until the robot is at rest. The policy is the
 * scripted {@link ReachPolicy} visiting waypoints (x, y, z, gripper), one every two seconds; the
 * robot is a stand-in ({@link PointMass}), kept apart so a simulator can replace it.
 */
public final class ControllerExample {
    static final double RATE_HZ = 1000;
    static final long TICK_NANOS = 1_000_000;
    static final double[][] WAYPOINTS = {{0.3, 0.1, 0.2, 1}, {0.4, -0.1, 0.1, 0}, {0.2, 0.0, 0.25, 1}};

    private ControllerExample() {
    }

    /** The stand-in robot: per DoF a unit point mass pulled to the setpoint by a critically damped spring. */
    static final class PointMass {
        private static final double OMEGA = 2 * Math.PI * 10;
        final double[] x;   // (D)
        final double[] v;   // (D)

        PointMass(double[] start) {
            x = start.clone();
            v = new double[start.length];
        }

        /** One step of dt seconds (semi-implicit Euler) toward the setpoint (D). */
        void step(double[] setpoint, double dt) {
            for (int d = 0; d < x.length; d++) {
                double a = OMEGA * OMEGA * (setpoint[d] - x[d]) - 2 * OMEGA * v[d];
                v[d] += a * dt;
                x[d] += v[d] * dt;
            }
        }
    }

    /**
     * @param maxTrackingError largest |robot - setpoint| over the run's x, y, z
     * @param finalSetpoint    the setpoint once at rest after close, (D)
     * @param chunks           chunks switched in
     * @param limitEnforcements all limit enforcements
     * @param status           the controller's status at the end
     */
    public record Result(double maxTrackingError, double[] finalSetpoint, long chunks, long limitEnforcements,
                         ControllerStatus status) {
    }

    /**
     * Runs the program for the given seconds, then closes the controller and samples until at rest.
     *
     * @param realTime on the wall clock (the real loop), or on a simulated clock that waits for the
     *                 policy each tick (deterministic: what tests and simulators use)
     */
    public static Result run(double seconds, boolean realTime) {
        AtomicLong simulated = new AtomicLong();
        LongSupplier clock = realTime ? System::nanoTime : simulated::get;
        double[] home = {0.25, 0.0, 0.3, 0.0};
        Limits xyz = new Limits(-0.5, 0.5, 0.5, 2.0);
        ControllerSettings settings = ControllerSettings.defaults(4, 4).withLimits(xyz, xyz, xyz, Limits.unlimited());
        PointMass robot = new PointMass(home);
        double[] setpoint = new double[4];
        double maxError = 0;
        RobotController controller = new RobotController(ReachPolicy.standard(4, 0.3), settings, home, clock);
        controller.start();
        long t0 = clock.getAsLong();
        long ticks = Math.round(seconds * RATE_HZ);
        long tick = 0;
        for (; tick < ticks || controller.status() != ControllerStatus.STOPPED; tick++) {
            long t = t0 + tick * TICK_NANOS;
            if (tick == ticks) {
                controller.close();
            }
            if (realTime) {
                waitUntil(t);
            } else {
                simulated.set(t);
            }
            controller.observe(WAYPOINTS[(int) (tick / (2 * RATE_HZ)) % WAYPOINTS.length]);
            if (!realTime) {
                controller.awaitPolicy(t, Duration.ofSeconds(5));
            }
            controller.sample(t, setpoint);
            robot.step(setpoint, 1 / RATE_HZ);
            for (int d = 0; d < 3; d++) {
                maxError = Math.max(maxError, Math.abs(robot.x[d] - setpoint[d]));
            }
        }
        return new Result(maxError, setpoint.clone(), controller.chunks(), controller.limitReport().total(),
                controller.status());
    }

    static void waitUntil(long deadline) {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            if (remaining > 200_000) {
                LockSupport.parkNanos(remaining - 150_000);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    public static void main(String[] args) {
        Result r = run(args.length > 0 ? Double.parseDouble(args[0]) : 6, true);
        double[] end = r.finalSetpoint();
        System.out.printf(Locale.ROOT, "%d chunks, %d limit enforcements, largest tracking error %.4f, at rest at "
                        + "(%.3f, %.3f, %.3f, gripper %.0f), %s%n", r.chunks(), r.limitEnforcements(),
                r.maxTrackingError(), end[0], end[1], end[2], end[3], r.status());
    }
}
