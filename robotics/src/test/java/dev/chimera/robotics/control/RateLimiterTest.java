package dev.chimera.robotics.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The output limits on their own (exact reference trajectories fed in) and through the controller:
 * a feasible reference passes untouched, an infeasible one is limited, counted, and caught up with
 * without overshoot or drift.
 */
class RateLimiterTest {
    static final long MS = 1_000_000;

    /** Feeds r(t), r'(t) at the given times; returns the outputs (samples). */
    static double[] feed(RateLimiter limiter, long[] times, java.util.function.DoubleUnaryOperator r,
                         java.util.function.DoubleUnaryOperator rv) {
        double[] y = new double[times.length];
        double[] out = new double[1];
        for (int i = 0; i < times.length; i++) {
            double t = times[i] * 1e-9;
            limiter.apply(times[i], new double[] {r.applyAsDouble(t)}, new double[] {rv.applyAsDouble(t)}, out);
            y[i] = out[0];
        }
        return y;
    }

    static long[] uniform(int n, long step) {
        long[] times = new long[n];
        for (int i = 0; i < n; i++) {
            times[i] = i * step;
        }
        return times;
    }

    @Test
    void feasibleReferencePassesExactlyEvenWithJitteredSampleTimes() {
        // r = 0.3 sin(2 t): |r'| <= 0.6 < 1, |r''| <= 1.2 < 2 (limits)
        long[] times = new long[20_000];
        Random random = new Random(11);
        for (int i = 1; i < times.length; i++) {
            times[i] = times[i - 1] + 700_000 + random.nextInt(600_000); // 0.7-1.3 ms
        }
        RateLimiter limiter = new RateLimiter(new Limits[] {new Limits(-1, 1, 1, 2)}, new double[] {0});
        double[] y = feed(limiter, times, t -> 0.3 * Math.sin(2 * t), t -> 0.6 * Math.cos(2 * t));
        for (int i = 0; i < times.length; i++) {
            assertEquals(0.3 * Math.sin(2 * times[i] * 1e-9), y[i], 0.0, "sample " + i);
        }
        assertEquals(0, limiter.report().total());
    }

    @Test
    void stepIsLimitedCountedAndReachedWithoutOvershootOrDrift() {
        double vmax = 0.5;
        double amax = 2.0;
        RateLimiter limiter = new RateLimiter(new Limits[] {new Limits(-2, 2, vmax, amax)}, new double[] {0});
        long[] times = uniform(4_000, MS);
        double[] y = feed(limiter, times, t -> t < 0.1 ? 0 : 1, t -> 0);
        double previousV = 0;
        for (int i = 1; i < y.length; i++) {
            double v = (y[i] - y[i - 1]) / 1e-3;
            assertTrue(Math.abs(v) <= vmax * (1 + 1e-12), "speed " + v + " at " + i);
            assertTrue(Math.abs(v - previousV) <= amax * 1e-3 * (1 + 1e-9), "acceleration at " + i);
            assertTrue(y[i] >= y[i - 1] && y[i] <= 1.0, "monotone, no overshoot at " + i + ": " + y[i]);
            previousV = v;
        }
        // accelerate to 0.5 (0.25 s), cruise, brake at amax / 2 (0.5 s): on the step after about 2.4 s
        int arrived = 0;
        while (y[arrived] != 1.0) {
            arrived++;
        }
        assertTrue(arrived > 2_300 && arrived < 2_700, "reached exactly 1 at sample " + arrived);
        for (int i = arrived; i < y.length; i++) {
            assertEquals(1.0, y[i], 0.0, "stays on the reference");
        }
        LimitReport report = limiter.report();
        assertEquals(0, report.position()[0]);
        assertTrue(report.velocity()[0] > 1_000, "velocity enforcements " + report.velocity()[0]);
        assertTrue(report.acceleration()[0] > 200, "acceleration enforcements " + report.acceleration()[0]);
    }

    @Test
    void positionIsClampedAndCountedThenFollowedAgain() {
        RateLimiter limiter = new RateLimiter(new Limits[] {new Limits(-1, 1, Double.POSITIVE_INFINITY,
                Double.POSITIVE_INFINITY), Limits.unlimited()}, new double[] {0, 0});
        long[] times = uniform(6_284, MS); // one period of sin(t)
        double[] out = new double[2];
        int outside = 0;
        for (long time : times) {
            double t = time * 1e-9;
            double r = 1.2 * Math.sin(t);
            limiter.apply(time, new double[] {r, r}, new double[] {1.2 * Math.cos(t), 1.2 * Math.cos(t)}, out);
            assertEquals(Math.max(-1, Math.min(1, r)), out[0], 0.0);
            assertEquals(r, out[1], 0.0, "the unlimited DoF is untouched");
            outside += Math.abs(r) > 1 ? 1 : 0;
        }
        assertEquals(outside, limiter.report().position()[0]);
        assertEquals(0, limiter.report().position()[1]);
    }

    @Test
    void controllerLimitsTheReachPolicyAndSettlesExactlyOnTheClampedTarget() {
        Limits xyz = new Limits(-0.5, 0.5, 0.3, 1.0);
        ControllerSettings settings = ControllerSettings.defaults(4, 4).withLimits(xyz, xyz, xyz, Limits.unlimited());
        Drive drive = new Drive(ReachPolicy.standard(4, 0.5), settings, new double[4]);
        drive.controller.start();
        double[] target = {0.8, -0.35, 0.1, 1};
        drive.run(6_000, MS, target, true);
        for (int d = 0; d < 3; d++) {
            assertTrue(drive.maxSpeed(d, 0, drive.samples) <= 0.3 * (1 + 1e-9), "DoF " + d);
            assertTrue(drive.maxAcceleration(d, 0, drive.samples) <= 1.0 * (1 + 1e-6), "DoF " + d);
        }
        double[] end = drive.out[drive.samples - 1];
        assertEquals(0.5, end[0], 0.0, "x held at its upper bound");
        assertEquals(-0.35, end[1], 1e-12, "y on the reference: no drift");
        assertEquals(0.1, end[2], 1e-12);
        LimitReport report = drive.controller.limitReport();
        assertTrue(report.position()[0] > 0 && report.position()[1] == 0, "x clamped, y not");
        assertTrue(report.velocity()[0] > 0 && report.acceleration()[0] > 0, "x limited");
        assertEquals(0, report.position()[3] + report.velocity()[3] + report.acceleration()[3], "gripper unlimited");
        drive.controller.close();
    }
}
