package dev.chimera.robotics.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The watchdog: a policy that stalls past the timeout, one that stalls with no timeout in reach (the
 * chunk runs out and its prepared stop takes over), one that throws. Each stop must start without a
 * jump in position or velocity, stay within the acceleration limit (the limiter never has to step
 * in during the stop), end at rest, report its cause, and let a later chunk resume motion.
 */
class WatchdogTest {
    static final double[] HOME = {0.0, 0.0, 0.0, 0.0};
    static final long MS = 1_000_000;
    static final double AMAX = 2.0;
    static final Limits XYZ = new Limits(-5, 5, 1.0, AMAX);

    /** The wave policy for its first {@code good} calls, then blocked until released, or throwing. */
    static final class FaultyPolicy implements ChunkPolicy {
        final WavePolicy wave = new WavePolicy(4);
        final CountDownLatch release = new CountDownLatch(1);
        final int good;
        final boolean throwing;

        FaultyPolicy(int good, boolean throwing) {
            this.good = good;
            this.throwing = throwing;
        }

        @Override
        public int dof() {
            return 4;
        }

        @Override
        public ActionChunk plan(double[] observation, double[] start, double[] velocity) throws Exception {
            if (wave.calls.get() >= good) {
                if (throwing) {
                    wave.calls.incrementAndGet();
                    throw new IllegalStateException("boom");
                }
                release.await();
            }
            return wave.plan(observation, start, velocity);
        }
    }

    static ControllerSettings settings(Duration timeout) {
        // speeds of 0.3 units/s need no limiting between switches; switch corners of WavePolicy do,
        // so the limits are checked only over the stops
        return ControllerSettings.defaults(4, 4).withLimits(XYZ, XYZ, XYZ, Limits.unlimited())
                .withWatchdogTimeout(timeout);
    }

    /** Checks the stop over samples [from, to): smooth start, acceleration within the limit, at rest at the end. */
    static void assertSmoothStop(Drive drive, int from, int to) {
        for (int d = 0; d < 3; d++) {
            double before = drive.velocity(from - 1, d);
            double after = drive.velocity(from + 1, d);
            assertEquals(before, after, 2 * AMAX * 1e-3 * 1.001, "DoF " + d + ": velocity across the stop's start");
            assertTrue(Math.abs(before) > 0.02, "DoF " + d + " was moving when the stop began: " + before);
            double acc = drive.maxAcceleration(d, from, to);
            assertTrue(acc <= AMAX * (1 + 1e-6), "DoF " + d + " acceleration during the stop " + acc);
            assertEquals(drive.out[to - 1][d], drive.out[to - 2][d], 0.0, "DoF " + d + " at rest");
        }
    }

    @Test
    void planOutlastingTheTimeoutStopsSmoothlyThenResumes() {
        FaultyPolicy policy = new FaultyPolicy(2, false);
        Drive drive = new Drive(policy, settings(Duration.ofMillis(50)), HOME);
        drive.controller.start();
        drive.run(1_600, MS, HOME, true); // the third plan, asked at 1.502 s, times out: a stop from 1.503 s
        assertEquals(ControllerStatus.STOPPING, drive.controller.status());
        assertEquals("the policy took longer than 50 ms to plan", drive.controller.stopCause());
        long stopLimits = drive.controller.limitReport().total();
        drive.run(1_000, MS, HOME, true);
        assertEquals(ControllerStatus.STOPPED, drive.controller.status());
        assertEquals(1, drive.controller.stops());
        assertEquals(stopLimits, drive.controller.limitReport().total(), "no limit enforced during the stop");
        assertSmoothStop(drive, drive.index(1_503 * MS), drive.samples);
        policy.release.countDown();
        drive.run(500, MS, HOME, true);
        assertEquals(ControllerStatus.RUNNING, drive.controller.status(), "resumed by the next chunk");
        assertEquals(3, drive.controller.chunks());
        drive.controller.close();
    }

    @Test
    void chunkRunningOutFollowsItsPreparedStopThenResumes() {
        FaultyPolicy policy = new FaultyPolicy(2, false);
        Drive drive = new Drive(policy, settings(Duration.ofSeconds(30)), HOME);
        drive.controller.start();
        drive.run(1_400, MS, HOME, true);
        drive.run(700, MS, HOME, false); // to 2.1 s: chunk 1 ends at 2.002 s, the third plan hangs
        assertEquals(ControllerStatus.STOPPING, drive.controller.status());
        assertEquals(Segment.LATE, drive.controller.stopCause());
        long limits = drive.controller.limitReport().total();
        drive.run(900, MS, HOME, false);
        assertEquals(ControllerStatus.STOPPED, drive.controller.status());
        assertEquals(1, drive.controller.stops());
        assertEquals(limits, drive.controller.limitReport().total(), "no limit enforced during the stop");
        assertSmoothStop(drive, drive.index(2_002 * MS), drive.samples);
        double[] rest = drive.out[drive.samples - 1].clone();
        // the hung plan returns and is switched in 1 ms ahead of the clock (3.001 or 3.002 s: the
        // policy thread races the next tick here), from rest
        policy.release.countDown();
        drive.run(300, MS, HOME, true);
        assertEquals(ControllerStatus.RUNNING, drive.controller.status());
        assertEquals(3, drive.controller.chunks());
        int resume = drive.index(3_002 * MS);
        for (int d = 0; d < 3; d++) {
            // at most 1 ms into the chunk, started from rest: a t^2 / 2 with |a| < 20 is below 1e-5
            assertEquals(rest[d], drive.out[resume][d], 1e-5, "the late chunk starts where the stop came to rest");
            assertEquals(0.0, drive.velocity(resume + 1, d), 1e-2, "and from rest (C1)");
        }
        drive.controller.close();
    }

    @Test
    void throwingPolicyStopsSmoothlyAndReportsTheCause() {
        FaultyPolicy policy = new FaultyPolicy(2, true);
        Drive drive = new Drive(policy, settings(Duration.ofSeconds(30)), HOME);
        drive.controller.start();
        drive.run(1_600, MS, HOME, true);
        assertEquals(ControllerStatus.STOPPING, drive.controller.status());
        String cause = "the policy failed: java.lang.IllegalStateException: boom";
        assertEquals(cause, drive.controller.stopCause());
        long limits = drive.controller.limitReport().total();
        drive.run(1_400, MS, HOME, true);
        assertEquals(ControllerStatus.STOPPED, drive.controller.status());
        assertEquals(cause, drive.controller.stopCause());
        assertEquals(1, drive.controller.stops(), "retries every 100 ms keep the one stop going");
        assertEquals(2 + 1 + 14, policy.wave.calls.get(), "two chunks, the failure at 1.502 s, retries every 0.1 s");
        assertEquals(limits, drive.controller.limitReport().total(), "no limit enforced during the stop");
        assertSmoothStop(drive, drive.index(1_503 * MS), drive.samples);
        drive.controller.close();
        assertEquals("closed", drive.controller.stopCause());
    }
}
