package dev.chimera.robotics.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The quintic stop and the C0/C1 blend, checked on the splines themselves. */
class SmoothStopTest {

    @Test
    void stopMatchesTheStartStateStaysWithinTheLimitAndEndsAtRest() {
        Limits[] limits = {new Limits(-9, 9, 9, 1.5), new Limits(-9, 9, 9, 1.5), Limits.unlimited()};
        double[] p0 = {0.2, -0.1, 1.0};
        double[] v0 = {0.8, 0.0, 0.0};
        double[] a0 = {-0.5, 0.0, 0.0};
        Piece stop = SmoothStop.from(1_000, new int[] {4, 4, 0}, p0, v0, a0, limits, 0.2);
        double[] pos = new double[3];
        double[] vel = new double[3];
        stop.state(1_000, pos, vel);
        assertEquals(0.2, pos[0], 1e-15);
        assertEquals(0.8, vel[0], 1e-12);
        assertEquals(-0.5, stop.acceleration(0, 1_000), 1e-12);
        double seconds = stop.duration * 1e-9;
        // bound 2|v0 + a0 T/4| / T <= 1.5 is tight at the smallest T (up to the 1.1 growth step)
        double w = 0.8 - 0.5 * seconds / 4;
        assertTrue(2 * w / seconds <= 1.5 && 2 * (0.8 - 0.5 * seconds / 1.1 / 4) / (seconds / 1.1) > 1.5,
                "T = " + seconds);
        double maxAcc = 0;
        for (int i = 0; i <= 10_000; i++) {
            long t = 1_000 + stop.duration * i / 10_000;
            maxAcc = Math.max(maxAcc, Math.abs(stop.acceleration(0, t)));
            stop.state(t, pos, vel);
            assertTrue(vel[0] >= -1e-12, "no turning back");
            assertEquals(1.0, pos[2], 0.0, "the gripper holds");
        }
        assertTrue(maxAcc <= 1.5, "max |acceleration| " + maxAcc);
        double[] acc = new double[3];
        stop.endState(pos, vel, acc);
        assertEquals(0.0, vel[0], 1e-12);
        assertEquals(0.0, acc[0], 1e-9);
        // c5 = c2 + 0.1 T w with c2 = p0 + 2 v0 T / 5 + a0 T^2 / 20
        assertEquals(0.2 + 0.4 * 0.8 * seconds - 0.5 * seconds * seconds / 20 + 0.1 * seconds * w, pos[0], 1e-12);
        assertEquals(-0.1, pos[1], 0.0, "a DoF at rest stays put");
    }

    @Test
    void stopFromRestWithoutLimitsTakesTheMinimumAndTravelsHalfOfV0T() {
        Piece stop = SmoothStop.from(0, new int[] {3}, new double[] {1}, new double[] {2}, new double[] {0},
                new Limits[] {Limits.unlimited()}, 0.25);
        assertEquals(250_000_000L, stop.duration);
        double[] pos = new double[1];
        double[] vel = new double[1];
        stop.state(stop.end(), pos, vel);
        assertEquals(1 + 2 * 0.25 / 2, pos[0], 1e-12);
    }

    @Test
    void blendPinsPositionAndVelocityForDegreeTwoAndUpPositionForOneNothingForZero() {
        Limits[] limits = {Limits.unlimited(), Limits.unlimited(), Limits.unlimited()};
        Segment hold = Segment.hold(0, new double[] {0, 0, 0});
        ActionChunk first = new ActionChunk(1.0, new int[] {4, 1, 0},
                new double[][] {{0, 0.1, 0.5, 0.2, 0.9, 1.0}, {0, 1}, {0, 1}});
        Segment running = Blend.chunk(hold, 0, first, limits, 200_000_000L);
        ActionChunk next = new ActionChunk(0.5, new int[] {4, 1, 0},
                new double[][] {{5, 5, 5, 5, 5}, {7, 8}, {3, 4}});
        long at = 600_000_000L;
        Segment blended = Blend.chunk(running, at, next, limits, 200_000_000L);
        double[] p0 = new double[3];
        double[] v0 = new double[3];
        double[] p1 = new double[3];
        double[] v1 = new double[3];
        running.state(at, p0, v0);
        blended.state(at, p1, v1);
        assertEquals(p0[0], p1[0], 1e-15);
        assertEquals(v0[0], v1[0], 1e-12, "C1 for degree 4");
        assertEquals(p0[1], p1[1], 1e-15, "C0 for degree 1");
        assertEquals(3.0, p1[2], 0.0, "the degree-0 DoF takes the chunk's value");
        blended.state(at - 1, p1, v1);
        running.state(at - 1, p0, v0);
        assertEquals(p0[0], p1[0], 0.0, "before the switch: the running trajectory");
        blended.state(at + 500_000_000L, p1, v1);
        assertEquals(5.0, p1[0], 1e-12, "the chunk's end");
        assertEquals(8.0, p1[1], 1e-12);
    }
}
