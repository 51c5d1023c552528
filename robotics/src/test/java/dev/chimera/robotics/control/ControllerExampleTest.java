package dev.chimera.robotics.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The example robot program on simulated time: it visits the waypoints, tracks them, and ends at rest. */
class ControllerExampleTest {
    @Test
    void visitsTheWaypointsAndStopsAtRest() {
        ControllerExample.Result first = ControllerExample.run(7, false);
        // waypoints change at 0, 2 and 4 s; a chunk planned half a second before it starts moves at
        // most 0.3 units, so the third waypoint is reached by the chunk that ends at 6.002 s and the
        // program closes at 7 s at rest on it
        assertArrayEquals(ControllerExample.WAYPOINTS[2], first.finalSetpoint(), 1e-9);
        assertEquals(ControllerStatus.STOPPED, first.status());
        assertEquals(8, first.chunks(), "chunks at 2 ms, then every second up to 7.002 s (published at 6.502 s)");
        // the 10 Hz point mass lags a 0.3 unit/s setpoint by about 2 v / omega = 0.01
        assertTrue(first.maxTrackingError() < 0.02, "tracking error " + first.maxTrackingError());
        ControllerExample.Result second = ControllerExample.run(7, false);
        assertEquals(first.maxTrackingError(), second.maxTrackingError(), 0.0, "deterministic on simulated time");
        assertEquals(first.limitEnforcements(), second.limitEnforcements());
    }
}
