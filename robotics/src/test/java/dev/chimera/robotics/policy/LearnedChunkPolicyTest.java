package dev.chimera.robotics.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backends;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.robotics.control.ActionChunk;
import dev.chimera.robotics.control.ControllerSettings;
import dev.chimera.robotics.control.RobotController;
import dev.chimera.robotics.sim.PickPlaceSim;
import dev.chimera.robotics.spline.BSplineBasis;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The adapter's chunks are exactly what the policy decodes (BEAST: the spline its tokens stand for,
 * in robot units; binning: degree 1 through the steps), and its history holds the observations the
 * controller showed it, 0.1 s apart. Untrained policies (seeded weights) suffice: the adapter's
 * arithmetic, not the policy's skill, is under test.
 */
class LearnedChunkPolicyTest {
    private static final PolicyTraining.Data DATA =
            PolicyTraining.Data.load(null, 20, new PrintWriter(Writer.nullWriter()));
    private static final double[] START = {0.05, -0.03, 0.2, 0.0};

    private static PolicyModel model(String codec) {
        try (ComputePool pool = new ComputePool(1)) {
            return PolicyTraining.newModel(codec, DATA, Backends.cpu(pool), null);
        }
    }

    private static double[] observation(long seed) {
        PickPlaceSim sim = new PickPlaceSim();
        sim.reset(seed);
        double[] obs = new double[PickPlaceSim.OBS_DIM];
        sim.observation(obs);
        return obs;
    }

    /** What the policy decodes, (T, D) in robot units, from a history of one repeated observation. */
    private static double[][] decoded(PolicyModel model, double[] obs) {
        PolicyLayout layout = model.layout();
        double[][] history = new double[layout.history()][];
        java.util.Arrays.fill(history, obs);
        double[] previous = new double[START.length];
        for (int d = 0; d < previous.length; d++) {
            previous[d] = model.actionScaler().normalise(d, START[d]);
        }
        double[][] out = new double[model.codec().steps()][START.length];
        new ActionPolicy(model).plan(history, previous, out);
        for (double[] step : out) {
            for (int d = 0; d < step.length; d++) {
                step[d] = model.actionScaler().denormalise(d, step[d]);
            }
        }
        return out;
    }

    @Test
    void anEnsemblePlansWithItsMembersMeanValues() {
        PolicyModel a = model("beast");
        a.members().get(0).initialise(7);
        double[] obs = observation(7);
        // [A, A]: each value is p / 2 + p / 2 = p exactly, so the tokens and the chunk are A's own
        PolicyModel twice = a.withMembers(List.of(a.members().get(0), a.members().get(0)));
        assertArrayEquals(flat(decoded(a, obs)), flat(decoded(twice, obs)), 0.0);
        // a second member with other weights moves the plan: the mean is taken, not the first member's values
        Decoder other = model("beast").members().get(0);
        other.initialise(99);
        PolicyModel mixed = a.withMembers(List.of(a.members().get(0), other));
        assertTrue(!java.util.Arrays.equals(flat(decoded(a, obs)), flat(decoded(mixed, obs))), "the second member counts");
    }

    private static double[] flat(double[][] steps) {
        return java.util.Arrays.stream(steps).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    @Test
    void warmingUpLeavesLaterPlansUnchanged() {
        PolicyModel model = model("beast");
        double[] obs = observation(7);
        LearnedChunkPolicy policy = new LearnedChunkPolicy(new ActionPolicy(model));
        policy.observe(observation(3), 0L);
        ActionChunk before = policy.plan(obs, START, new double[4]);
        policy.warmUp();
        ActionChunk after = policy.plan(obs, START, new double[4]);
        for (int d = 0; d < START.length; d++) {
            assertArrayEquals(before.coefficients()[d], after.coefficients()[d], 0.0, "DoF " + d);
        }
    }

    @Test
    void beastChunkIsTheSplineItsTokensDecodeTo() {
        PolicyModel model = model("beast");
        double[] obs = observation(7);
        ActionChunk chunk = new LearnedChunkPolicy(new ActionPolicy(model)).plan(obs, START, new double[4]);
        double[][] steps = decoded(model, obs);
        assertEquals(50 / 50.0, chunk.durationSeconds(), 0.0, "T = 50 steps at 50 Hz");
        assertArrayEquals(new int[] {4, 4, 4, 0}, chunk.degrees());
        assertEquals(12, chunk.coefficients()[0].length);
        assertEquals(50, chunk.coefficients()[3].length, "the gripper: one degree-0 piece per step");
        double[] scratch = new double[64];
        double largest = 0;
        for (int d = 0; d < 3; d++) {
            BSplineBasis basis = chunk.basis(d);
            assertEquals(START[d], chunk.coefficients()[d][0], 1e-15, "c_0 pinned to the start (C0)");
            for (int j = 1; j <= 50; j++) {
                double value = basis.evaluate(chunk.coefficients()[d], 0, 1, j / 50.0, scratch);
                // the same sums in another order (Cox-de Boor vs. the fit's design matrix), then a
                // denormalisation: round-off of a few ulps of values below 1 m
                assertEquals(steps[j - 1][d], value, 1e-12, "DoF " + d + " step " + j);
                largest = Math.max(largest, Math.abs(value - START[d]));
            }
        }
        assertTrue(largest > 1e-3, "an untrained policy still moves: the comparison is not of constants");
        for (int j = 0; j < 50; j++) {
            assertEquals(steps[j][3], chunk.coefficients()[3][j], 0.0, "gripper step " + j);
        }
    }

    @Test
    void binningChunkIsDegreeOneThroughTheStartAndTheSteps() {
        PolicyModel model = model("binning");
        double[] obs = observation(8);
        ActionChunk chunk = new LearnedChunkPolicy(new ActionPolicy(model)).plan(obs, START, new double[4]);
        double[][] steps = decoded(model, obs);
        assertArrayEquals(new int[] {1, 1, 1, 0}, chunk.degrees());
        for (int d = 0; d < 4; d++) {
            double[] c = chunk.coefficients()[d];
            int first = d < 3 ? 1 : 0;
            assertEquals(50 + first, c.length);
            if (d < 3) {
                assertEquals(START[d], c[0], 0.0);
            }
            for (int j = 0; j < 50; j++) {
                assertEquals(steps[j][d], c[first + j], 0.0, "DoF " + d + " step " + j);
            }
        }
    }

    @Test
    void historyHoldsTheControllersObservationsTheSpacingApart() {
        LearnedChunkPolicy policy = new LearnedChunkPolicy(new ActionPolicy(model("beast")));
        assertEquals(0.1, policy.historySpacingSeconds(), 1e-12, "stride 5 at 50 Hz");
        AtomicLong clock = new AtomicLong();
        double[] home = {0, 0, 0.25, 0};
        RobotController controller = new RobotController(policy,
                ControllerSettings.defaults(4, PickPlaceSim.OBS_DIM), home, clock::get);
        double[] obs = new double[PickPlaceSim.OBS_DIM];
        double[] latest = new double[PickPlaceSim.OBS_DIM];
        latest[0] = -1;
        double[][] history = new double[8][PickPlaceSim.OBS_DIM];
        SplittableRandom random = new SplittableRandom(3);
        for (int ms = 0; ms <= 2345; ms++) {
            // a 1 kHz loop whose ticks come up to 0.3 ms late: each observation records its own tick
            clock.set(ms * 1_000_000L + random.nextLong(300_000));
            obs[0] = ms;
            controller.observe(obs);
            if (ms == 250) {
                // younger than the history: the first positions clip to the episode's first observation
                policy.history(latest, history);
                assertArrayEquals(new double[] {0, 0, 0, 0, 0, 50, 150, -1}, column(history), 0.0);
            }
        }
        policy.history(latest, history);
        // the ring has wrapped (1402 slots, 2346 observations); nearest to 2345 - 100 (7 - k) ms
        assertArrayEquals(new double[] {1645, 1745, 1845, 1945, 2045, 2145, 2245, -1}, column(history), 0.0);
        controller.close();
    }

    @Test
    void historyBeforeAnyObservationRepeatsTheLatest() {
        LearnedChunkPolicy policy = new LearnedChunkPolicy(new ActionPolicy(model("beast")));
        double[] latest = observation(9);
        double[][] history = new double[8][PickPlaceSim.OBS_DIM];
        policy.history(latest, history);
        for (double[] row : history) {
            assertArrayEquals(latest, row, 0.0);
        }
    }

    @Test
    void anObservationOfTheWrongSizeIsRefused() {
        LearnedChunkPolicy policy = new LearnedChunkPolicy(new ActionPolicy(model("beast")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> policy.plan(new double[4], START, new double[4]));
        assertEquals("an observation of 4 values, the policy reads 14", e.getMessage());
    }

    private static double[] column(double[][] rows) {
        double[] c = new double[rows.length];
        for (int k = 0; k < rows.length; k++) {
            c[k] = rows[k][0];
        }
        return c;
    }
}
