package dev.chimera.robotics.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backends;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.robotics.policy.ActionPolicy;
import dev.chimera.robotics.policy.LearnedChunkPolicy;
import dev.chimera.robotics.policy.PolicyEvaluation;
import dev.chimera.robotics.policy.PolicyModel;
import dev.chimera.robotics.sim.Demonstrations;
import dev.chimera.runtime.Checkout;
import dev.chimera.runtime.UserException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The example robot program: the controller at 1 kHz against the pick-and-place simulator on
 * simulated time, driven by the scripted expert in the learned policy's chunk shape (always), and
 * by the shipped BEAST policy (when the checkout has models/robot-beast).
 */
class ControllerExampleTest {
    /** The sim's 0.5 m/s speed limit, per millisecond tick (m). */
    private static final double SPEED_PER_TICK = 0.5e-3;

    @Test
    void expertChunksPickAndPlaceAt1kHz() {
        int successes = 0;
        long enforcements = 0;
        for (long s = 0; s < 10; s++) {
            long seed = PolicyEvaluation.HELD_OUT_SEED + s;
            ControllerExample.Result r = ControllerExample.run(new ExpertChunkPolicy(Demonstrations.expertSeed(seed)),
                    seed);
            successes += r.success() ? 1 : 0;
            enforcements += r.limitEnforcements();
            // 1-s chunks switched in at 0.001 s, 1.001 s, ..., 8.001 s (the last requested at 7.501 s,
            // before the close at 8 s); the one stop is the close's
            assertEquals(9, r.chunks(), r.toString());
            assertEquals(1, r.stops(), r.toString());
            assertEquals(ControllerStatus.STOPPED, r.status());
            // the expert's peak speed is at most the sim's limit, and the controller's joins are C0 and C1
            assertTrue(r.largestStep() < SPEED_PER_TICK, r.toString());
        }
        assertEquals(10, successes, "the expert's chunks, fitted as BEAST splines, through the controller");
        // the shortest vertical moves (0.4 s over 8 cm) peak near the 3 m/s^2 limit, and the 12-point
        // fit's acceleration overshoots it on a few ticks of 3 of the 10 episodes (measured: 141)
        assertTrue(enforcements < 500, "limit enforcements " + enforcements);
        long seed = PolicyEvaluation.HELD_OUT_SEED;
        ControllerExample.Result first = ControllerExample.run(new ExpertChunkPolicy(Demonstrations.expertSeed(seed)),
                seed);
        ControllerExample.Result again = ControllerExample.run(new ExpertChunkPolicy(Demonstrations.expertSeed(seed)),
                seed);
        assertEquals(first, again, "deterministic on simulated time");
        assertEquals(0, first.limitEnforcements(), "this episode stays within every limit");
    }

    @Test
    void shippedPolicyDrivesTheControllerAt1kHz() throws Exception {
        Path dir;
        try {
            dir = Checkout.shippedModel("robot-beast");
        } catch (UserException e) {
            Assumptions.abort("the shipped policy is not in this checkout, so its run is skipped: " + e.getMessage());
            return;
        }
        try (ComputePool pool = new ComputePool(1)) {
            PolicyModel model = PolicyModel.open(dir, Backends.cpu(pool));
            long seed = PolicyEvaluation.HELD_OUT_SEED;
            ControllerExample.Result first = ControllerExample.run(new LearnedChunkPolicy(new ActionPolicy(model)),
                    seed);
            ControllerExample.Result again = ControllerExample.run(new LearnedChunkPolicy(new ActionPolicy(model)),
                    seed);
            assertEquals(first, again, "deterministic on simulated time, planning included");
            assertEquals(9, first.chunks(), first.toString());
            assertEquals(1, first.stops(), "no watchdog stop, only the close's: " + first);
            assertEquals(ControllerStatus.STOPPED, first.status());
            // whatever the policy plans, the controller holds each axis to 0.5 m/s
            assertTrue(first.largestStep() <= Math.sqrt(3) * SPEED_PER_TICK + 1e-12, first.toString());
        }
    }
}
