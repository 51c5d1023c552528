package dev.chimera.robotics.control;

import dev.chimera.core.backend.Backends;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.robotics.policy.ActionPolicy;
import dev.chimera.robotics.policy.LearnedChunkPolicy;
import dev.chimera.robotics.policy.PolicyEvaluation;
import dev.chimera.robotics.policy.PolicyModel;
import dev.chimera.robotics.sim.PickPlaceSim;
import dev.chimera.runtime.Checkout;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How a robot program drives a {@link RobotController} at 1 kHz, here against the pick-and-place
 * simulator ({@link PickPlaceSim}) with the learned BEAST policy ({@link LearnedChunkPolicy}): start
 * the controller, then every millisecond hand it the robot's observation, take the setpoint for that
 * instant and send it to the robot; at the end close it and keep sampling until the robot is at
 * rest. The clock is simulated: each tick sets it and waits for the policy ({@link
 * RobotController#awaitPolicy}), so planning takes no simulated time and a run is deterministic. On a
 * real robot the clock is {@link System#nanoTime()}, the loop waits for each millisecond instead, and
 * the rest is the same.
 */
public final class ControllerExample {
    static final double RATE_HZ = 1000;
    static final long TICK_NANOS = 1_000_000;
    /** One episode, as long as the policy's evaluation episodes. */
    static final double EPISODE_SECONDS = 8;

    private ControllerExample() {
    }

    /**
     * @param success           the sim's success at the episode's end (object placed within 1 cm of the goal)
     * @param chunks            chunks switched in
     * @param stops             smooth stops begun (the one close() asks for included)
     * @param limitEnforcements all limit enforcements
     * @param largestStep       the largest change of the x, y, z setpoint from one tick to the next (m)
     * @param status            the controller's status at the end
     */
    public record Result(boolean success, long chunks, long stops, long limitEnforcements, double largestStep,
                         ControllerStatus status) {
    }

    /**
     * The robot's limits: the sim's workspace box, and per axis its speed (0.5 m/s) and acceleration
     * (3 m/s^2) limits, which bound the Euclidean norm there; the gripper command unbounded. Planning
     * takes no simulated time, so the watchdog only catches a policy stuck for seconds of wall time.
     */
    static ControllerSettings settings() {
        Limits xy = new Limits(-PickPlaceSim.XY_LIMIT, PickPlaceSim.XY_LIMIT, PickPlaceSim.MAX_SPEED,
                PickPlaceSim.MAX_ACCEL);
        Limits z = new Limits(PickPlaceSim.Z_MIN, PickPlaceSim.Z_MAX, PickPlaceSim.MAX_SPEED, PickPlaceSim.MAX_ACCEL);
        return ControllerSettings.defaults(PickPlaceSim.ACTION_DIM, PickPlaceSim.OBS_DIM)
                .withLimits(xy, xy, z, Limits.unlimited())
                .withWatchdogTimeout(Duration.ofSeconds(10));
    }

    /** One episode of the sim reset with this seed, the policy driving it through the controller at 1 kHz. */
    public static Result run(ChunkPolicy policy, long seed) {
        PickPlaceSim sim = new PickPlaceSim();
        sim.reset(seed);
        AtomicLong clock = new AtomicLong();
        double[] home = {PickPlaceSim.START_X, PickPlaceSim.START_Y, PickPlaceSim.START_Z, 0};
        double[] observation = new double[PickPlaceSim.OBS_DIM];
        double[] setpoint = new double[home.length];
        double[] before = home.clone();
        double largestStep = 0;
        boolean success = false;
        try (RobotController controller = new RobotController(policy, settings(), home, clock::get)) {
            controller.start();
            long episodeTicks = Math.round(EPISODE_SECONDS * RATE_HZ);
            for (long tick = 0; tick < episodeTicks || controller.status() != ControllerStatus.STOPPED; tick++) {
                long t = tick * TICK_NANOS;
                clock.set(t);
                if (tick == episodeTicks) {
                    success = sim.success();
                    controller.close();
                }
                sim.observation(observation);
                controller.observe(observation);
                controller.awaitPolicy(t, Duration.ofSeconds(30));
                controller.sample(t, setpoint);
                sim.step(setpoint, 1 / RATE_HZ);
                largestStep = Math.max(largestStep, Math.sqrt(square(setpoint[0] - before[0])
                        + square(setpoint[1] - before[1]) + square(setpoint[2] - before[2])));
                System.arraycopy(setpoint, 0, before, 0, setpoint.length);
            }
            return new Result(success, controller.chunks(), controller.stops(), controller.limitReport().total(),
                    largestStep, controller.status());
        }
    }

    private static double square(double v) {
        return v * v;
    }

    /** Arguments: [model directory (default: the shipped models/robot-beast)] [episode seed]. */
    public static void main(String[] args) throws IOException {
        try {
            run(args.length > 0 ? Path.of(args[0]) : Checkout.shippedModel("robot-beast"),
                    args.length > 1 ? Long.parseLong(args[1]) : PolicyEvaluation.HELD_OUT_SEED);
        } catch (UserException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void run(Path dir, long seed) throws IOException {
        try (ComputePool pool = new ComputePool(1)) {
            PolicyModel model = PolicyModel.open(dir, Backends.cpu(pool));
            Result r = run(new LearnedChunkPolicy(new ActionPolicy(model)), seed);
            System.out.printf(Locale.ROOT, "episode %d with %s: %s, %d chunks, %d stops, %d limit enforcements, "
                            + "largest setpoint step %.3f mm per ms, %s%n", seed, dir,
                    r.success() ? "success" : "failure", r.chunks(), r.stops(), r.limitEnforcements(),
                    1e3 * r.largestStep(), r.status());
        }
    }
}
