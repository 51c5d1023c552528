package dev.chimera.core.ssd;

import static dev.chimera.core.ssd.SsdTestData.assertClose;
import static dev.chimera.core.ssd.SsdTestData.d;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.Simd;
import dev.chimera.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The optimised scan: forward against {@link SsdChunked}, backward against
 * {@link SsdRecurrence#backward}, threads against one thread, steps against the forward pass.
 */
class SsdScanTest {
    private static ComputePool one;
    private static ComputePool three;

    @BeforeAll
    static void pools() {
        one = new ComputePool(1);
        three = new ComputePool(3);
    }

    @AfterAll
    static void close() {
        one.close();
        three.close();
    }

    /** Outputs of one forward and backward call of {@link SsdScan}. */
    private record Run(Tensor y, Tensor hFinal, Tensor chunkStates, Tensor dx, Tensor ddt, Tensor dA, Tensor dB,
                       Tensor dC, Tensor dD, Tensor dh0) {
    }

    /** Parameter gradients start here, to check that dA and dD are added to, not overwritten. */
    private static final float PRIOR = 0.25f;

    private static Run run(SsdScan scan, SsdTestData in, Tensor dy, Tensor dhFinal) {
        SsdShape s = in.s;
        Run r = new Run(Tensor.zeros(s.xShape()), Tensor.zeros(s.stateShape()),
                Tensor.zeros(scan.chunkStatesShape(s)), Tensor.zeros(s.xShape()), Tensor.zeros(s.dtShape()),
                Tensor.zeros(s.nheads()), Tensor.zeros(s.bcShape()), Tensor.zeros(s.bcShape()),
                Tensor.zeros(s.nheads()), Tensor.zeros(s.stateShape()));
        r.dA.fill(PRIOR);
        r.dD.fill(PRIOR);
        scan.forward(r.y, r.hFinal, r.chunkStates, in.x, in.dt, in.A, in.B, in.C, in.D, in.h0);
        Tensor workspace = Tensor.zeros(scan.backwardWorkspaceSize(s));
        workspace.fill(Float.NaN); // scratch must be written before it is read
        scan.backward(r.dx, r.ddt, r.dA, r.dB, r.dC, r.dD, r.dh0, dy, dhFinal, in.x, in.dt, in.A, in.B, in.C, in.D,
                r.chunkStates, workspace);
        return r;
    }

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        // (headdim, dstate): below, across and over a vector width; (40, 20) and (64, 64) reach
        // the forward pass's two-step blocks and the backward pass's 4x1 and 4x4 register tiles
        // (with scalar edges for 40 x 20).
        int[][] dims = {{3, 4}, {7, 17}, {16, 33}, {40, 20}, {64, 64}};
        for (int chunk : new int[] {4, 8}) {
            for (int seqlen : new int[] {1, chunk - 1, chunk, 2 * chunk + 3}) {
                for (int ngroups : new int[] {1, 2, 4}) { // 4 heads: 4, 2 or 1 head(s) per group
                    for (int[] pn : dims) {
                        for (boolean withH0 : new boolean[] {false, true}) {
                            cases.add(Arguments.of(chunk, seqlen, ngroups, pn[0], pn[1], withH0));
                        }
                    }
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "chunk={0} seqlen={1} ngroups={2} headdim={3} dstate={4} h0={5}")
    @MethodSource("cases")
    void matchesReferences(int chunk, int seqlen, int ngroups, int headdim, int dstate, boolean withH0) {
        SsdShape s = new SsdShape(2, seqlen, 4, headdim, ngroups, dstate);
        long seed = chunk * 100_000L + seqlen * 1000L + ngroups * 100L + headdim * 10L + dstate;
        SsdTestData in = new SsdTestData(seed, s, withH0, 5.0);
        SplittableRandom r = new SplittableRandom(seed + 1);
        Tensor dy = SsdTestData.uniform(r, -1, 1, s.xShape());
        Tensor dhFinal = withH0 ? SsdTestData.uniform(r, -1, 1, s.stateShape()) : null;

        Tensor yChunked = Tensor.zeros(s.xShape());
        Tensor hChunked = Tensor.zeros(s.stateShape());
        SsdChunked.forward(yChunked, hChunked, in.x, in.dt, in.A, in.B, in.C, in.D, in.h0, chunk);
        SsdRecurrence.Gradients ref = SsdRecurrence.backward(d(dy), d(dhFinal), d(in.x), d(in.dt), d(in.A), d(in.B),
                d(in.C), d(in.D), d(in.h0), s);
        for (boolean vector : new boolean[] {true, false}) {
            Run got = run(new SsdScan(three, chunk, vector), in, dy, dhFinal);
            String tag = (vector ? "vector " : "scalar ");
            // float32 state rounded each step over <= 19 steps, dot products over dstate <= 33;
            // values are O(1), observed errors are below 1e-6.
            assertClose(tag + "y", d(yChunked), got.y, 1e-5, 1e-5);
            assertClose(tag + "hFinal", d(hChunked), got.hFinal, 1e-5, 1e-5);
            // Activation gradients: float32 sums of <= 33 * 19 terms of size O(1).
            assertClose(tag + "dx", ref.dx(), got.dx, 1e-5, 1e-4);
            // ddt carries A (|A| <= 16) times <G_t, h_{t-1}>, a float32 sum of headdim * dstate terms that cancel.
            assertClose(tag + "ddt", ref.ddt(), got.ddt, 1e-4, 2e-4);
            assertClose(tag + "dB", ref.dB(), got.dB, 1e-5, 1e-4);
            assertClose(tag + "dC", ref.dC(), got.dC, 1e-5, 1e-4);
            assertClose(tag + "dh0", ref.dh0(), got.dh0, 1e-5, 1e-4);
            // Parameter gradients: per-pair sums kept in double, then a float32 sum over batch.
            assertClose(tag + "dA", shifted(ref.dA()), got.dA, 1e-5, 1e-5);
            assertClose(tag + "dD", shifted(ref.dD()), got.dD, 1e-5, 1e-5);
        }
    }

    private static double[] shifted(double[] grad) {
        double[] out = new double[grad.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = grad[i] + PRIOR;
        }
        return out;
    }

    @ParameterizedTest(name = "ngroups={0}")
    @MethodSource("groupCounts")
    void threadsDoNotChangeResults(int ngroups) {
        SsdShape s = new SsdShape(3, 19, 4, 7, ngroups, 17);
        SsdTestData in = new SsdTestData(77 + ngroups, s, true, 5.0);
        SplittableRandom r = new SplittableRandom(78);
        Tensor dy = SsdTestData.uniform(r, -1, 1, s.xShape());
        Tensor dhFinal = SsdTestData.uniform(r, -1, 1, s.stateShape());
        Run a = run(new SsdScan(one, 4, Simd.vectorEnabled()), in, dy, dhFinal);
        Run b = run(new SsdScan(three, 4, Simd.vectorEnabled()), in, dy, dhFinal);
        // Each pair's arithmetic is fixed and sums across pairs run in a fixed order: bit-identical.
        assertArrayEquals(a.y.toArray(), b.y.toArray());
        assertArrayEquals(a.hFinal.toArray(), b.hFinal.toArray());
        assertArrayEquals(a.chunkStates.toArray(), b.chunkStates.toArray());
        assertArrayEquals(a.dx.toArray(), b.dx.toArray());
        assertArrayEquals(a.ddt.toArray(), b.ddt.toArray());
        assertArrayEquals(a.dA.toArray(), b.dA.toArray());
        assertArrayEquals(a.dB.toArray(), b.dB.toArray());
        assertArrayEquals(a.dC.toArray(), b.dC.toArray());
        assertArrayEquals(a.dD.toArray(), b.dD.toArray());
        assertArrayEquals(a.dh0.toArray(), b.dh0.toArray());
    }

    static List<Integer> groupCounts() {
        return List.of(1, 2, 4); // 4 groups for 4 heads: dB and dC written directly, no per-head parts
    }

    @ParameterizedTest(name = "ngroups={0}")
    @MethodSource("groupCounts")
    void stepsEqualForward(int ngroups) {
        SsdShape s = new SsdShape(3, 11, 4, 7, ngroups, 17);
        SsdTestData in = new SsdTestData(5 + ngroups, s, true, 5.0);
        SsdScan scan = new SsdScan(three, 4, Simd.vectorEnabled());
        Tensor y = Tensor.zeros(s.xShape());
        Tensor hFinal = Tensor.zeros(s.stateShape());
        scan.forward(y, hFinal, null, in.x, in.dt, in.A, in.B, in.C, in.D, in.h0);
        Tensor state = in.h0.copy();
        float[] yFromSteps = new float[y.size()]; // (batch, seqlen, nheads, headdim)
        int row = s.nheads() * s.headdim();
        for (int t = 0; t < s.seqlen(); t++) {
            Tensor yt = Tensor.zeros(s.batch(), s.nheads(), s.headdim());
            scan.step(yt, SsdTestData.perSequence(state), in.at(in.x, t).view(s.batch(), s.nheads(), s.headdim()),
                    in.at(in.dt, t).view(s.batch(), s.nheads()), in.A,
                    in.at(in.B, t).view(s.batch(), s.ngroups(), s.dstate()),
                    in.at(in.C, t).view(s.batch(), s.ngroups(), s.dstate()), in.D);
            for (int b = 0; b < s.batch(); b++) {
                System.arraycopy(yt.data(), b * row, yFromSteps, (b * s.seqlen() + t) * row, row);
            }
        }
        // The step runs the forward pass's own update: bit-identical.
        assertArrayEquals(y.toArray(), yFromSteps);
        assertArrayEquals(hFinal.toArray(), state.toArray());
    }

    /**
     * As {@link #stepsEqualForward} for heads wide enough that the forward pass takes its
     * two-vector blocks two steps at a time (headdim 40 and more) and the step its eight-row
     * readout (headdim 8 and more), with dstate a multiple of 4 or not (the readout chains run
     * over n mod 4) and chunk states saved every 3 steps so that single and paired steps mix.
     */
    @ParameterizedTest(name = "headdim={0} dstate={1}")
    @MethodSource("wideHeads")
    void stepsEqualForwardWideHeads(int headdim, int dstate) {
        SsdShape s = new SsdShape(2, 10, 2, headdim, 1, dstate);
        SsdTestData in = new SsdTestData(9 + headdim, s, true, 5.0);
        SsdScan scan = new SsdScan(three, 3, Simd.vectorEnabled());
        Tensor y = Tensor.zeros(s.xShape());
        Tensor hFinal = Tensor.zeros(s.stateShape());
        scan.forward(y, hFinal, Tensor.zeros(scan.chunkStatesShape(s)), in.x, in.dt, in.A, in.B, in.C, in.D, in.h0);
        Tensor state = in.h0.copy();
        float[] yFromSteps = new float[y.size()];
        int row = s.nheads() * s.headdim();
        for (int t = 0; t < s.seqlen(); t++) {
            Tensor yt = Tensor.zeros(s.batch(), s.nheads(), s.headdim());
            scan.step(yt, SsdTestData.perSequence(state), in.at(in.x, t).view(s.batch(), s.nheads(), s.headdim()),
                    in.at(in.dt, t).view(s.batch(), s.nheads()), in.A,
                    in.at(in.B, t).view(s.batch(), s.ngroups(), s.dstate()),
                    in.at(in.C, t).view(s.batch(), s.ngroups(), s.dstate()), in.D);
            for (int b = 0; b < s.batch(); b++) {
                System.arraycopy(yt.data(), b * row, yFromSteps, (b * s.seqlen() + t) * row, row);
            }
        }
        assertArrayEquals(y.toArray(), yFromSteps);
        assertArrayEquals(hFinal.toArray(), state.toArray());
    }

    static List<Arguments> wideHeads() {
        return List.of(Arguments.of(64, 64), Arguments.of(80, 24), Arguments.of(40, 20), Arguments.of(64, 18),
                Arguments.of(24, 33));
    }

    /** Sequences stepped together equal each stepped alone, and the scalar float32 reference step. */
    @Test
    void batchedStepEqualsSingleSteps() {
        // 8 * 4 * 16 * 64 = 32768 state values: large enough that the step spreads over the pool.
        SsdShape s = new SsdShape(8, 1, 4, 16, 2, 64);
        SsdTestData in = new SsdTestData(404, s, true, 5.0);
        int[] rowShape = {s.batch(), s.nheads(), s.headdim()};
        int[] bcShape = {s.batch(), s.ngroups(), s.dstate()};
        Tensor x = in.x.view(rowShape);
        Tensor dt = in.dt.view(s.batch(), s.nheads());
        Tensor B = in.B.view(bcShape);
        Tensor C = in.C.view(bcShape);
        Tensor y = Tensor.zeros(rowShape);
        Tensor state = in.h0.copy();
        new SsdScan(three, 4, Simd.vectorEnabled()).step(y, SsdTestData.perSequence(state), x, dt, in.A, B, C, in.D);

        SsdScan single = new SsdScan(one, 4, Simd.vectorEnabled());
        float[] refY = new float[y.size()];
        float[] refState = in.h0.toArray();
        SsdRecurrence.step(refY, refState, x.toArray(), dt.toArray(), in.A.toArray(), B.toArray(), C.toArray(),
                in.D.toArray(), s);
        for (int b = 0; b < s.batch(); b++) {
            Tensor yb = Tensor.zeros(1, s.nheads(), s.headdim());
            Tensor sb = in.h0.slice(b, b + 1).copy();
            single.step(yb, SsdTestData.perSequence(sb), x.slice(b, b + 1), dt.slice(b, b + 1), in.A, B.slice(b, b + 1),
                    C.slice(b, b + 1), in.D);
            // Same per-pair arithmetic whatever the batch around it: bit-identical.
            assertArrayEquals(y.select(b).toArray(), yb.toArray(), "y of sequence " + b);
            assertArrayEquals(state.select(b).toArray(), sb.toArray(), "state of sequence " + b);
        }
        // Vector sums over dstate 64 in float32 against the scalar reference's double sums.
        assertClose("y vs reference step", d(Tensor.of(refY, rowShape)), y, 1e-5, 1e-5);
        assertClose("state vs reference step", d(Tensor.of(refState, s.stateShape())), state, 1e-6, 1e-6);
    }
}
