package dev.chimera.robotics.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.robotics.control.ActionChunk;
import dev.chimera.robotics.data.Trajectories;
import dev.chimera.robotics.spline.BSplineBasis;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BEAST round trips on awkward inputs, the C0 and C1 joints, the ridge fit against normal equations, the cache. */
class BeastTokenizerTest {

    /** A BEAST fitted on the given data and a copy of one episode's chunks to code. */
    private static BeastTokenizer fitted(Trajectories data, int steps, int n, Continuity c, List<ChunkedEpisode> out) {
        DofScaler scaler = DofScaler.fit(data.episodes(), data.dof());
        List<ChunkedEpisode> chunks = Synthetic.chunked(data, scaler, steps);
        out.addAll(chunks);
        return BeastTokenizer.fit(BeastSettings.of(steps, n, 4, c), data.gripper(), scaler, chunks);
    }

    /** Closed-loop MSE over real samples. */
    private static double mse(ActionTokenizer t, List<ChunkedEpisode> episodes) {
        return ControlPointSearch.mse(t, episodes);
    }

    @Test
    void ridgeFitMatchesTheNormalEquationsWithTNotAMultipleOfN() {
        int steps = 13;
        int n = 5;
        BeastTokenizer beast = BeastTokenizer.fit(BeastSettings.of(steps, n, 4, Continuity.C0), new boolean[] {false},
                null, List.of(ChunkedEpisode.of(new double[][] {{0}, {1}}, steps)));
        double[] chunk = new double[steps];
        for (int j = 0; j < steps; j++) {
            chunk[j] = Math.sin(0.4 * j) + 0.1 * j;
        }
        double prev = -0.3;
        double[] cp = new double[n];
        beast.fitControlPoints(chunk, new double[] {prev}, new double[] {0}, cp);
        // reference: (Phi_F^T Phi_F + lambda I) c = Phi_F^T (a - B_0 prev), solved by Gaussian elimination
        double[] u = new double[steps];
        for (int j = 0; j < steps; j++) {
            u[j] = (j + 1.0) / steps;
        }
        double[][] phi = BSplineBasis.clampedUniform(n, 4).design(u);
        int f = n - 1;
        double[][] m = new double[f][f + 1];
        for (int a = 0; a < f; a++) {
            for (int b = 0; b < f; b++) {
                for (int j = 0; j < steps; j++) {
                    m[a][b] += phi[j][a + 1] * phi[j][b + 1];
                }
            }
            m[a][a] += BeastSettings.DEFAULT_LAMBDA;
            for (int j = 0; j < steps; j++) {
                m[a][f] += phi[j][a + 1] * (chunk[j] - phi[j][0] * prev);
            }
        }
        double[] ref = solve(m);
        assertEquals(prev, cp[0], 0.0);
        for (int i = 0; i < f; i++) {
            assertEquals(ref[i], cp[i + 1], 1e-9, "control point " + (i + 1));
        }
        // the same fit as matrices (what the GPU encoder is given): free points = pseudo a - pinned0 c0
        BeastTokenizer.FitMatrices fit = beast.fitMatrices();
        assertEquals(1, fit.first());
        assertEquals(f * steps, fit.pseudo().length);
        for (int i = 0; i < f; i++) {
            double x = -fit.pinned0()[i] * prev;
            for (int j = 0; j < steps; j++) {
                x += fit.pseudo()[i * steps + j] * chunk[j];
            }
            assertEquals(cp[i + 1], x, 1e-12, "control point " + (i + 1) + " from the fit matrices");
        }
        java.util.Arrays.fill(fit.pseudo(), 0);
        double[] again = new double[n];
        beast.fitControlPoints(chunk, new double[] {prev}, new double[] {0}, again);
        assertEquals(cp[1], again[1], 0.0, "fitMatrices() hands out copies");
    }

    private static double[] solve(double[][] m) {
        int f = m.length;
        for (int c = 0; c < f; c++) {
            for (int r = c + 1; r < f; r++) {
                double w = m[r][c] / m[c][c];
                for (int k = c; k <= f; k++) {
                    m[r][k] -= w * m[c][k];
                }
            }
        }
        double[] x = new double[f];
        for (int r = f - 1; r >= 0; r--) {
            double s = m[r][f];
            for (int k = r + 1; k < f; k++) {
                s -= m[r][k] * x[k];
            }
            x[r] = s / m[r][r];
        }
        return x;
    }

    @Test
    void constantChunksDecodeExactly() {
        double[][] episode = new double[37][2];
        for (double[] row : episode) {
            row[0] = 0.25;
            row[1] = 1.0;
        }
        Trajectories data = new Trajectories(List.of("x", "g"), new boolean[] {false, true}, 10, List.<double[][]>of(episode));
        List<ChunkedEpisode> chunks = new java.util.ArrayList<>();
        BeastTokenizer beast = fitted(data, 10, 4, Continuity.C0, chunks);
        // every value is its scaler's centre (0); the spline of equal points is that value
        assertEquals(0.0, mse(beast, chunks), 1e-28);
    }

    @Test
    void smoothRoundTripsForOneAndFourteenDof() {
        for (int[] shape : new int[][] {{1, 0}, {12, 2}}) {
            Trajectories data = Synthetic.smooth(11, 6, 203, shape[0], shape[1], 50, 0.0);
            List<ChunkedEpisode> chunks = new java.util.ArrayList<>();
            BeastTokenizer beast = fitted(data, 50, 12, Continuity.C0, chunks);
            assertEquals(11 * shape[0] + 12 * shape[1], beast.maxTokens());
            double binning = mse(new BinningTokenizer(50, data.dof()), chunks);
            double mse = mse(beast, chunks);
            // 12 points of degree 4 over 1 s of sines up to 1.1 Hz: the fit is far below 256-bin rounding
            assertTrue(mse < 1e-5 && mse < binning, shape[0] + " DoF: beast " + mse + ", binning " + binning);
        }
    }

    @Test
    void aStepInTheGripperIsRecoveredExactlyAndAContinuousStepStaysBounded() {
        // T = 13, N = 4: segments of 3, 3, 4, 3 actions (midpoint rule); switches inside segments
        double[][] episode = new double[39][2];
        for (int t = 0; t < 39; t++) {
            episode[t][0] = t < 20 ? 0.0 : 1.0;
            episode[t][1] = (t >= 4 && t < 11) || t >= 27 ? 1.0 : 0.0;
        }
        Trajectories data = new Trajectories(List.of("x", "g"), new boolean[] {false, true}, 10, List.<double[][]>of(episode));
        List<ChunkedEpisode> chunks = new java.util.ArrayList<>();
        BeastTokenizer beast = fitted(data, 13, 4, Continuity.C0, chunks);
        ClosedLoop run = ClosedLoop.run(beast, chunks.get(0));
        double[][] decoded = run.trajectory(chunks.get(0));
        double[][] truth = DofScaler.fit(data.episodes(), 2).normalise(episode);
        for (int t = 0; t < 39; t++) {
            assertEquals(truth[t][1], decoded[t][1], 0.0, "gripper at step " + t);
            assertTrue(Math.abs(decoded[t][0] - truth[t][0]) < 1.5, "a spline rings at a jump but stays near it");
        }
    }

    @Test
    void c0JumpIsExactlyZero() {
        Trajectories data = Synthetic.smooth(4, 5, 120, 3, 1, 20, 0.02);
        List<ChunkedEpisode> chunks = new java.util.ArrayList<>();
        BeastTokenizer beast = fitted(data, 20, 7, Continuity.C0, chunks);
        double[] points = new double[7 * 4];
        for (ChunkedEpisode e : chunks) {
            ClosedLoop run = ClosedLoop.run(beast, e);
            for (int k = 0; k < e.chunks(); k++) {
                beast.controlPoints(run.tokens()[k], run.previous()[k], run.velocity()[k], points);
                for (int d = 0; d < 3; d++) {
                    assertEquals(run.previous()[k][d], beast.evaluate(points, d, 0.0), 0.0);
                }
            }
        }
    }

    @Test
    void c1SlopeMatchesTheGivenVelocity() {
        int steps = 16;
        int n = 6;
        Trajectories data = Synthetic.smooth(8, 4, 100, 2, 0, 16, 0.0);
        List<ChunkedEpisode> chunks = new java.util.ArrayList<>();
        BeastTokenizer beast = fitted(data, steps, n, Continuity.C1, chunks);
        assertEquals((n - 2) * 2, beast.maxTokens(), "c0 and c1 are not tokens");
        double[] previous = {0.2, -0.4};
        double[] velocity = {0.03, -0.05}; // per step
        int[] tokens = new int[beast.maxTokens()];
        beast.encode(chunks.get(1).chunk(2), previous, velocity, tokens);
        double[] points = new double[n * 2];
        beast.controlPoints(tokens, previous, velocity, points);
        BSplineBasis basis = BSplineBasis.clampedUniform(n, 4);
        BSplineBasis slope = basis.derivative();
        double[] q = new double[(n - 1) * 2];
        double[] scratch = new double[slope.scratchLength()];
        for (int d = 0; d < 2; d++) {
            basis.derivativeCoefficients(points, d, 2, q, d, 2);
            // dS/du at u = 0 is v T: one step is 1/T of u
            assertEquals(velocity[d] * steps, slope.evaluate(q, d, 2, 0.0, scratch), 1e-12);
            assertEquals(previous[d], beast.evaluate(points, d, 0.0), 0.0);
        }
    }

    @Test
    void pseudoInverseIsComputedOncePerShape() {
        int before = SplineFit.computed();
        BeastSettings s = new BeastSettings(17, 6, 3, 3.25e-6, Continuity.C0);
        List<ChunkedEpisode> one = List.of(ChunkedEpisode.of(new double[][] {{0}, {1}, {0.5}}, 17));
        BeastTokenizer.fit(s, new boolean[] {false}, null, one);
        BeastTokenizer.fit(s, new boolean[] {false}, null, one);
        assertEquals(before + 1, SplineFit.computed());
        assertTrue(SplineFit.of(17, 6, 3, 3.25e-6, Continuity.C0) == SplineFit.of(17, 6, 3, 3.25e-6, Continuity.C0));
    }

    @Test
    void anyResolutionAgreesWithTheDataRateAndTheActionChunkIsInRobotUnits() {
        Trajectories data = Synthetic.smooth(2, 5, 100, 2, 1, 10, 0.0);
        DofScaler scaler = DofScaler.fit(data.episodes(), 3);
        List<ChunkedEpisode> chunks = Synthetic.chunked(data, scaler, 10);
        BeastTokenizer beast = BeastTokenizer.fit(BeastSettings.of(10, 5, 4, Continuity.C0), data.gripper(), scaler,
                chunks);
        double[] previous = new double[3];
        double[] velocity = new double[3];
        chunks.get(0).previous(3, previous);
        int[] tokens = new int[beast.maxTokens()];
        int count = beast.encode(chunks.get(0).chunk(3), previous, velocity, tokens);
        double[] rate = new double[30];
        beast.decode(tokens, count, previous, velocity, rate);
        double[] fine = new double[1000 * 3]; // 1 kHz from a 10 Hz chunk of 1 s
        beast.decode(tokens, previous, velocity, 1000, fine);
        for (int j = 0; j < 10; j++) {
            for (int d = 0; d < 3; d++) {
                assertEquals(rate[j * 3 + d], fine[(100 * j + 99) * 3 + d], 1e-12, "step " + j + " DoF " + d);
            }
        }
        ActionChunk chunk = beast.toActionChunk(tokens, previous, velocity, 10.0);
        assertEquals(1.0, chunk.durationSeconds(), 1e-15);
        assertArrayEquals(new int[] {4, 4, 0}, chunk.degrees());
        double[] scratch = new double[16];
        for (int j = 0; j < 10; j++) {
            for (int d = 0; d < 2; d++) {
                double robot = chunk.basis(d).evaluate(chunk.coefficients()[d], 0, 1, (j + 1) / 10.0, scratch);
                assertEquals(scaler.denormalise(d, rate[j * 3 + d]), robot, 1e-9);
            }
            assertEquals(scaler.denormalise(2, rate[j * 3 + 2]), chunk.coefficients()[2][j], 1e-12);
        }
    }

    @Test
    void tokensAreControlPointMajor() {
        // DoF 0 continuous, DoF 1 gripper; N = 3, C0: [g s0, x c1, g s1, x c2, g s2]
        double[][] episode = new double[12][2];
        for (int t = 0; t < 12; t++) {
            episode[t][0] = 0.1 * t;
            episode[t][1] = t >= 4 ? 1 : 0;
        }
        Trajectories data = new Trajectories(List.of("x", "g"), new boolean[] {false, true}, 10, List.<double[][]>of(episode));
        List<ChunkedEpisode> chunks = new java.util.ArrayList<>();
        BeastTokenizer beast = fitted(data, 6, 3, Continuity.C0, chunks);
        int[] tokens = new int[5];
        double[] previous = {chunks.get(0).chunk(0)[0], 0 - 1.0};
        assertEquals(5, beast.encode(chunks.get(0).chunk(0), previous, new double[2], tokens));
        // gripper steps 0,0,0,0,1,1 in segments {0,1},{2,3},{4,5}: means 0, 0, 1 -> bins 0, 0, 255
        assertEquals(0, tokens[0]);
        assertEquals(0, tokens[2]);
        assertEquals(255, tokens[4]);
    }
}
