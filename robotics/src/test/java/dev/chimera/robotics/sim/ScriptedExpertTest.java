package dev.chimera.robotics.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScriptedExpertTest {

    private static double[] firstObservation(long seed) {
        PickPlaceSim sim = new PickPlaceSim();
        sim.reset(seed);
        double[] o = new double[PickPlaceSim.OBS_DIM];
        sim.observation(o);
        return o;
    }

    @Test
    void planStaysWithinTheLimitsAndHoldsStillAfterwards() {
        double dt = 1e-4;
        double[] a = new double[4];
        double[] b = new double[4];
        double[] c = new double[4];
        for (long seed = 0; seed < 40; seed++) {
            double[] o = firstObservation(seed);
            ScriptedExpert expert = ScriptedExpert.plan(o, seed);
            expert.action(0, a);
            assertArrayEquals(new double[] {0, 0, 0.25, 0}, a, "starts where the end effector is");
            double maxSpeed = 0;
            double maxAccel = 0;
            for (double t = dt; t < expert.finishSeconds() + 1; t += dt) {
                expert.action(t - dt, a);
                expert.action(t, b);
                expert.action(t + dt, c);
                double v = 0;
                double acc = 0;
                for (int i = 0; i < 3; i++) {
                    v += Math.pow((c[i] - a[i]) / (2 * dt), 2);
                    acc += Math.pow((c[i] - 2 * b[i] + a[i]) / (dt * dt), 2);
                }
                maxSpeed = Math.max(maxSpeed, Math.sqrt(v));
                maxAccel = Math.max(maxAccel, Math.sqrt(acc));
                assertTrue(b[3] == 0 || b[3] == 1, "binary gripper");
            }
            // Central differences at 0.1 ms: error ~1e-8 relative, far below the margins checked.
            assertTrue(maxSpeed <= PickPlaceSim.MAX_SPEED * 1.0001, "seed " + seed + ": " + maxSpeed);
            assertTrue(maxAccel <= PickPlaceSim.MAX_ACCEL * 0.84, "seed " + seed + ": " + maxAccel);
            expert.action(expert.finishSeconds(), a);
            expert.action(expert.finishSeconds() + 5, b);
            assertArrayEquals(a, b, "holds still after finishing");
            assertEquals(ScriptedExpert.RETREAT_Z, b[2]);
            assertEquals(0, b[3]);
        }
    }

    @Test
    void waypointsFollowTheScript() {
        double[] o = firstObservation(3);
        ScriptedExpert expert = ScriptedExpert.plan(o, 11);
        double[] a = new double[4];
        // Sample densely and find the phases by the gripper and height.
        double firstClosed = Double.NaN;
        double lastClosed = Double.NaN;
        for (double t = 0; t < expert.finishSeconds(); t += 0.001) {
            expert.action(t, a);
            if (a[3] == 1 && Double.isNaN(firstClosed)) {
                firstClosed = t;
                // Closing starts at the grasp point: within the waypoint jitter of the object, on the table.
                assertEquals(o[PickPlaceSim.OBJECT_X], a[0], ScriptedExpert.WAYPOINT_JITTER);
                assertEquals(o[PickPlaceSim.OBJECT_Y], a[1], ScriptedExpert.WAYPOINT_JITTER);
                assertEquals(PickPlaceSim.GRASP_Z, a[2], 1e-12);
            }
            if (a[3] == 1) {
                lastClosed = t;
            }
        }
        expert.action(lastClosed + 0.002, a);
        // Opening happens at the place point: the goal shifted by the grasp offset, +- jitter (x, y).
        assertEquals(o[PickPlaceSim.GOAL_X], a[0], 2 * ScriptedExpert.WAYPOINT_JITTER);
        assertEquals(PickPlaceSim.GRASP_Z, a[2], 1e-12);
        assertTrue(lastClosed - firstClosed > 2 * ScriptedExpert.GRIPPER_HOLD_SECONDS);
        ScriptedExpert again = ScriptedExpert.plan(o, 11);
        double[] b = new double[4];
        for (double t = 0; t < 8; t += 0.37) {
            expert.action(t, a);
            again.action(t, b);
            assertArrayEquals(a, b);
        }
    }
}
