package dev.chimera.robotics.control;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/** Drives a controller on a simulated clock and records every setpoint: the tests' control loop. */
final class Drive {
    final AtomicLong clock = new AtomicLong();
    final RobotController controller;
    final int dof;
    long[] times = new long[1024];        // (samples)
    double[][] out = new double[1024][];  // (samples, D)
    int samples;

    Drive(ChunkPolicy policy, ControllerSettings settings, double[] initial) {
        controller = new RobotController(policy, settings, initial, clock::get);
        dof = initial.length;
    }

    /** Samples {@code steps} times every {@code stepNanos} after the last sample, observing each time. */
    Drive run(int steps, long stepNanos, double[] observation, boolean awaitPolicy) {
        long t = samples == 0 ? 0 : times[samples - 1];
        for (int k = 0; k < steps; k++) {
            t += stepNanos;
            clock.set(t);
            controller.observe(observation);
            if (awaitPolicy && !controller.awaitPolicy(t, Duration.ofSeconds(10))) {
                throw new AssertionError("the policy thread did not settle by " + t + " ns");
            }
            double[] y = new double[dof];
            controller.sample(t, y);
            if (samples == times.length) {
                times = Arrays.copyOf(times, 2 * samples);
                out = Arrays.copyOf(out, 2 * samples);
            }
            times[samples] = t;
            out[samples++] = y;
        }
        return this;
    }

    /** The index of the first sample at or after the given time. */
    int index(long time) {
        int i = Arrays.binarySearch(times, 0, samples, time);
        return i >= 0 ? i : -i - 1;
    }

    /** (y_i - y_{i-1}) / dt of DoF d. */
    double velocity(int i, int d) {
        return (out[i][d] - out[i - 1][d]) / ((times[i] - times[i - 1]) * 1e-9);
    }

    /** The largest |second difference| / dt^2 of DoF d over samples [from, to): a bound on acceleration. */
    double maxAcceleration(int d, int from, int to) {
        double max = 0;
        for (int i = Math.max(from, 2); i < to; i++) {
            double dt = (times[i] - times[i - 1]) * 1e-9;
            max = Math.max(max, Math.abs(velocity(i, d) - velocity(i - 1, d)) / dt);
        }
        return max;
    }

    /** The largest |velocity| of DoF d over samples [from, to). */
    double maxSpeed(int d, int from, int to) {
        double max = 0;
        for (int i = Math.max(from, 1); i < to; i++) {
            max = Math.max(max, Math.abs(velocity(i, d)));
        }
        return max;
    }
}
