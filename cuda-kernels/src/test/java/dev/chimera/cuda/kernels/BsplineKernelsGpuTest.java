package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.TestGpu.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuTest;
import dev.chimera.cuda.TestGpu;
import dev.chimera.cuda.kernels.BsplineKernels.Codebook;
import dev.chimera.robotics.spline.BSplineBasis;
import dev.chimera.robotics.tokenize.BeastSettings;
import dev.chimera.robotics.tokenize.BeastTokenizer;
import dev.chimera.robotics.tokenize.ChunkedEpisode;
import dev.chimera.robotics.tokenize.Continuity;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bspline.cu} against the CPU's {@link BeastTokenizer} on awkward inputs: one chunk of one DoF with T not
 * a multiple of N, 37 chunks of 14 DoF with two grippers (C1, a DoF whose bounds coincide), 37 of 7 DoF with
 * one gripper (C0, T = 23, N = 7, degree 3), 5 chunks of a lone gripper; smooth, constant and step
 * trajectories, bounds narrower than the data (clamped bins).
 *
 * <p>Control points and setpoints: fp32 rel 1e-4 (normwise, {@link TestGpu#assertClose}). Tokens: equal, but
 * for ties ({@link #checkTokens}): walking each chunk's DoF in token order, a token may differ by one bin where
 * the CPU's value before rounding lies within {@link #EDGE} (in normalised units) of a bin edge, but not exactly
 * on it (an exact half, such as a gripper's mean of one high step in two, rounds up on both, as Math.round);
 * after such a tie the rest of that continuous DoF's tokens are not compared (the quantisation feedback carries
 * the other rounding into them). At most 1% of the tokens may tie. The decoding tests start from the CPU's
 * tokens, so they never see a tie.
 */
@GpuTest
class BsplineKernelsGpuTest {
    static final double FP32 = 1e-4;
    static final double EDGE = 1e-5;
    private static CudaDevice gpu;
    private static BsplineKernels k;

    /** A CPU tokenizer and B chunks (B, T, D) with their previous actions and velocities (B, D). */
    record Case(BeastTokenizer beast, boolean[] gripper, int batch, double[] chunks, double[] previous,
                double[] velocity) {
        int steps() {
            return beast.settings().steps();
        }

        int controlPoints() {
            return beast.settings().controlPoints();
        }

        int dof() {
            return gripper.length;
        }

        double[] chunk(int b) {
            int n = steps() * dof();
            return Arrays.copyOfRange(chunks, b * n, (b + 1) * n);
        }

        double[] row(double[] v, int b) {
            return Arrays.copyOfRange(v, b * dof(), (b + 1) * dof());
        }
    }

    @BeforeAll
    static void load() {
        gpu = TestGpu.device();
        k = new BsplineKernels(gpu);
    }

    /** The cases of the class comment. */
    static List<Case> cases() {
        boolean[] fourteen = new boolean[14];
        fourteen[6] = true;
        fourteen[13] = true;
        boolean[] seven = new boolean[7];
        seven[6] = true;
        return List.of(
                make(1, 1, new BeastSettings(13, 5, 4, BeastSettings.DEFAULT_LAMBDA, Continuity.C0),
                        new boolean[] {false}, -1),
                make(2, 37, new BeastSettings(50, 10, 4, BeastSettings.DEFAULT_LAMBDA, Continuity.C1), fourteen, 3),
                make(3, 37, new BeastSettings(23, 7, 3, 3.25e-6, Continuity.C0), seven, -1),
                make(4, 5, new BeastSettings(10, 5, 4, BeastSettings.DEFAULT_LAMBDA, Continuity.C1),
                        new boolean[] {true}, -1));
    }

    /**
     * A case: bounds fitted by the CPU on 8 other chunks, then narrowed by 5% about their centre (grippers: the
     * levels 0 and 1); DoF {@code degenerate} (if >= 0) gets lower == upper (every token 0).
     */
    static Case make(long seed, int batch, BeastSettings settings, boolean[] gripper, int degenerate) {
        int dof = gripper.length;
        int steps = settings.steps();
        Random r = new Random(seed);
        double[][] training = new double[8 * steps][dof];
        double[] t = new double[8 * steps * dof];
        trajectories(r, 8, steps, gripper, t, new double[8 * dof], new double[8 * dof]);
        for (int i = 0; i < training.length; i++) {
            System.arraycopy(t, i * dof, training[i], 0, dof);
        }
        BeastTokenizer fitted = BeastTokenizer.fit(settings, gripper, null, List.of(ChunkedEpisode.of(training, steps)));
        double[] lower = new double[dof];
        double[] upper = new double[dof];
        for (int d = 0; d < dof; d++) {
            double centre = 0.5 * (fitted.lower(d) + fitted.upper(d));
            double half = 0.5 * (fitted.upper(d) - fitted.lower(d));
            lower[d] = gripper[d] ? 0 : d == degenerate ? centre : centre - 0.95 * half;
            upper[d] = gripper[d] ? 1 : d == degenerate ? centre : centre + 0.95 * half;
        }
        BeastTokenizer beast = BeastTokenizer.restore(settings, gripper, lower, upper, null);
        double[] chunks = new double[batch * steps * dof];
        double[] previous = new double[batch * dof];
        double[] velocity = new double[batch * dof];
        trajectories(r, batch, steps, gripper, chunks, previous, velocity);
        return new Case(beast, gripper, batch, chunks, previous, velocity);
    }

    /**
     * Seeded chunks into chunks (B, T, D) and their previous actions and velocities (B, D): a continuous DoF
     * is a sum of sines with a drift (3 in 5), a constant or a step; a gripper 0/1, switching at most once.
     * Step j of a chunk is at u = (j + 1) / T; the previous action is the same motion at u = 0.
     */
    static void trajectories(Random r, int batch, int steps, boolean[] gripper, double[] chunks, double[] previous,
                             double[] velocity) {
        int dof = gripper.length;
        for (int b = 0; b < batch; b++) {
            for (int d = 0; d < dof; d++) {
                int kind = r.nextInt(5);
                double a1 = 2 * r.nextDouble() - 1;
                double a2 = 0.5 * r.nextDouble();
                double w1 = 1 + 6 * r.nextDouble();
                double w2 = 5 + 15 * r.nextDouble();
                double phase = 6 * r.nextDouble();
                double drift = r.nextDouble() - 0.5;
                double level = 2 * r.nextDouble() - 1;
                double jump = 2 * r.nextDouble() - 1;
                int at = r.nextInt(steps + steps / 2); // past the end: no step (no switch)
                boolean high = r.nextBoolean();
                for (int j = -1; j < steps; j++) {
                    double u = (j + 1.0) / steps;
                    double v;
                    if (gripper[d]) {
                        v = (j < at) == high ? 1 : 0;
                    } else if (kind < 3) {
                        v = a1 * Math.sin(w1 * u + phase) + a2 * Math.sin(w2 * u) + drift * u;
                    } else if (kind == 3) {
                        v = level;
                    } else {
                        v = j < at ? level : level + jump;
                    }
                    if (j < 0) {
                        previous[b * dof + d] = v;
                    } else {
                        chunks[(b * steps + j) * dof + d] = v;
                    }
                }
                velocity[b * dof + d] = gripper[d] || kind >= 3 ? 0
                        : chunks[b * steps * dof + d] - previous[b * dof + d];
            }
        }
    }

    /** The case's code on the device, made from the CPU tokenizer's own fit and bounds. */
    static Codebook codebook(Case c) {
        BeastTokenizer.FitMatrices fit = c.beast().fitMatrices();
        BeastSettings s = c.beast().settings();
        double c1Scale = s.steps() / BSplineBasis.clampedUniform(s.controlPoints(), s.degree()).startSlopePerSecondPoint();
        double[] lower = new double[c.dof()];
        double[] upper = new double[c.dof()];
        for (int d = 0; d < c.dof(); d++) {
            lower[d] = c.beast().lower(d);
            upper[d] = c.beast().upper(d);
        }
        return Codebook.upload(gpu, s.steps(), s.controlPoints(), fit.first(), c1Scale, fit.pseudo(), fit.pinned0(),
                fit.pinned1(), fit.feedback(), lower, upper, c.gripper());
    }

    /** BSplineBasis.design at u = s / R, s = 1..R, as the kernel reads it: (R, N) floats. */
    static float[] basis(Case c, int samples) {
        double[] u = new double[samples];
        for (int s = 0; s < samples; s++) {
            u[s] = (s + 1.0) / samples;
        }
        double[][] phi = BSplineBasis.clampedUniform(c.controlPoints(), c.beast().settings().degree()).design(u);
        float[] flat = new float[samples * c.controlPoints()];
        for (int s = 0; s < samples; s++) {
            for (int i = 0; i < c.controlPoints(); i++) {
                flat[s * c.controlPoints() + i] = (float) phi[s][i];
            }
        }
        return flat;
    }

    /** The CPU's tokens (B, K). */
    static int[] cpuTokens(Case c) {
        int kk = c.beast().maxTokens();
        int[] all = new int[c.batch() * kk];
        int[] one = new int[kk];
        for (int b = 0; b < c.batch(); b++) {
            assertEquals(kk, c.beast().encode(c.chunk(b), c.row(c.previous(), b), c.row(c.velocity(), b), one));
            System.arraycopy(one, 0, all, b * kk, kk);
        }
        return all;
    }

    /** The CPU's fitted control points (B, N, D). */
    static double[] cpuFitted(Case c) {
        int n = c.controlPoints() * c.dof();
        double[] all = new double[c.batch() * n];
        double[] one = new double[n];
        for (int b = 0; b < c.batch(); b++) {
            c.beast().fitControlPoints(c.chunk(b), c.row(c.previous(), b), c.row(c.velocity(), b), one);
            System.arraycopy(one, 0, all, b * n, n);
        }
        return all;
    }

    /** The CPU's de-quantised control points (B, N, D) of the tokens. */
    static double[] cpuControlPoints(Case c, int[] tokens) {
        int n = c.controlPoints() * c.dof();
        int kk = c.beast().maxTokens();
        double[] all = new double[c.batch() * n];
        double[] one = new double[n];
        for (int b = 0; b < c.batch(); b++) {
            c.beast().controlPoints(Arrays.copyOfRange(tokens, b * kk, (b + 1) * kk), c.row(c.previous(), b),
                    c.row(c.velocity(), b), one);
            System.arraycopy(one, 0, all, b * n, n);
        }
        return all;
    }

    /** The CPU's setpoints (B, R, D) of the tokens. */
    static double[] cpuDecoded(Case c, int[] tokens, int samples) {
        int n = samples * c.dof();
        int kk = c.beast().maxTokens();
        double[] all = new double[c.batch() * n];
        double[] one = new double[n];
        for (int b = 0; b < c.batch(); b++) {
            c.beast().decode(Arrays.copyOfRange(tokens, b * kk, (b + 1) * kk), c.row(c.previous(), b),
                    c.row(c.velocity(), b), samples, one);
            System.arraycopy(one, 0, all, b * n, n);
        }
        return all;
    }

    /**
     * GPU tokens against the CPU's, with the tie rule of the class comment; returns the number of ties. The
     * CPU's values before rounding are its fitted points moved by its feedback with its own tokens (as its
     * encoder moves them), so that a tie is judged at the value the CPU rounded.
     */
    static int checkTokens(Case c, int[] cpu, int[] gpu, String what) {
        BeastTokenizer.FitMatrices fit = c.beast().fitMatrices();
        double[] fitted = cpuFitted(c);
        int n = c.controlPoints();
        int dof = c.dof();
        int kk = c.beast().maxTokens();
        int free = n - fit.first();
        int grippers = 0;
        int[] rank = new int[dof];
        for (int d = 0; d < dof; d++) {
            rank[d] = c.gripper()[d] ? grippers++ : -1;
        }
        int ties = 0;
        for (int b = 0; b < c.batch(); b++) {
            for (int d = 0; d < dof; d++) {
                double lo = c.beast().lower(d);
                double hi = c.beast().upper(d);
                double[] x = new double[n];
                for (int i = 0; i < n; i++) {
                    x[i] = fitted[(b * n + i) * dof + d];
                }
                boolean tied = false;
                for (int i = c.gripper()[d] ? 0 : fit.first(); i < n; i++) {
                    int at = b * kk + (i < fit.first() ? i * grippers + rank[d]
                            : fit.first() * grippers + (i - fit.first()) * dof + d);
                    int q = cpu[at];
                    int g = gpu[at];
                    assertTrue(g >= 0 && g < BsplineKernels.BINS, what + ": token " + g + " at " + at);
                    if (!tied && q != g) {
                        double pos = (x[i] - lo) / (hi - lo) * (BsplineKernels.BINS - 1);
                        double fromEdge = Math.abs(pos - Math.floor(pos) - 0.5) * (hi - lo) / (BsplineKernels.BINS - 1);
                        assertTrue(Math.abs(q - g) == 1 && fromEdge > 0 && fromEdge <= EDGE, String.format(
                                "%s: chunk %d DoF %d point %d: GPU token %d, CPU %d (its value %.9f, %.3g from a bin edge)",
                                what, b, d, i, g, q, x[i], fromEdge));
                        ties++;
                        tied = !c.gripper()[d];
                    }
                    if (!c.gripper()[d]) {
                        int f = i - fit.first();
                        double delta = (hi > lo ? lo + q * (hi - lo) / (BsplineKernels.BINS - 1) : lo) - x[i];
                        for (int later = f + 1; later < free; later++) {
                            x[fit.first() + later] -= fit.feedback()[f * free + later] * delta;
                        }
                    }
                }
            }
        }
        assertTrue(ties <= Math.max(1, cpu.length / 100), what + ": " + ties + " ties in " + cpu.length + " tokens");
        return ties;
    }

    @Test
    void encodeMatchesTheCpuTokensAndFittedPoints() {
        for (Case c : cases()) {
            String what = c.batch() + " chunks of " + c.dof() + " DoF, T = " + c.steps() + ", N = " + c.controlPoints();
            int kk = c.beast().maxTokens();
            int points = c.batch() * c.controlPoints() * c.dof();
            try (Codebook code = codebook(c); DeviceBuffer chunks = gpu.upload(floats(c.chunks()));
                 DeviceBuffer previous = gpu.upload(floats(c.previous()));
                 DeviceBuffer velocity = gpu.upload(floats(c.velocity()));
                 DeviceBuffer tokens = gpu.allocate(5L + c.batch() * kk);
                 DeviceBuffer fitted = gpu.allocate(3L + points)) {
                assertEquals(kk, code.shape().tokensPerChunk(), what);
                k.encode(code, tokens.at(5), fitted.at(3), chunks.at(0), previous.at(0), velocity.at(0), c.batch());
                int[] gpuTokens = Arrays.copyOfRange(ints(tokens), 5, 5 + c.batch() * kk);
                checkTokens(c, cpuTokens(c), gpuTokens, what);
                assertClose(floats(cpuFitted(c)), Arrays.copyOfRange(fitted.toArray(), 3, 3 + points), FP32,
                        what + ": fitted points");
            }
        }
    }

    @Test
    void dequantiseAndEvaluateMatchTheCpuDecoderAtAnyRate() {
        for (Case c : cases()) {
            String what = c.batch() + " chunks of " + c.dof() + " DoF, T = " + c.steps() + ", N = " + c.controlPoints();
            int[] tokens = cpuTokens(c);
            int points = c.batch() * c.controlPoints() * c.dof();
            try (Codebook code = codebook(c); DeviceBuffer dt = gpu.upload(tokens);
                 DeviceBuffer previous = gpu.upload(floats(c.previous()));
                 DeviceBuffer velocity = gpu.upload(floats(c.velocity()));
                 DeviceBuffer dp = gpu.allocate(points)) {
                k.dequantise(code, dp.at(0), dt.at(0), previous.at(0), velocity.at(0), c.batch());
                assertClose(floats(cpuControlPoints(c, tokens)), dp.toArray(), FP32, what + ": control points");
                for (int samples : new int[] {c.steps(), 7, 1000}) {
                    try (DeviceBuffer basis = gpu.upload(basis(c, samples));
                         DeviceBuffer out = gpu.allocate((long) c.batch() * samples * c.dof())) {
                        k.evaluate(code, out.at(0), dp.at(0), basis.at(0), previous.at(0), c.batch(), samples);
                        assertClose(floats(cpuDecoded(c, tokens, samples)), out.toArray(), FP32,
                                what + ": decoded at R = " + samples);
                    }
                }
            }
        }
    }

    static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** An int buffer's contents (the kernels write int32 tokens; a download moves raw bits). */
    private static int[] ints(DeviceBuffer b) {
        float[] raw = b.toArray();
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = Float.floatToRawIntBits(raw[i]);
        }
        return out;
    }
}
