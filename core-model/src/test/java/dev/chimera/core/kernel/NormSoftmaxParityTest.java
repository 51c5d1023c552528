package dev.chimera.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import dev.chimera.core.backend.Backend;

/**
 * Row kernels: RMSNorm and fused softmax cross-entropy, forward and backward,
 * {@link VectorBackend} (one and two threads) against {@link ScalarBackend}, plus independent
 * checks of the reference (finite differences, closed forms, extreme logits).
 */
class NormSoftmaxParityTest extends KernelParityFixture {
    private static final int[] WIDTHS = {1, 7, 17, 33, 1000, 1023};
    private static final int[] ROWS = {1, 5, 70};
    private static final float EPS_NORM = 1e-5f;

    /** Every (rows, cols) from the grids, plus 200 x 1023, which is split over the pool (>= 2^15 values). */
    static Stream<Arguments> rowShapes() {
        List<Arguments> out = new ArrayList<>();
        for (int rows : ROWS) {
            for (int cols : WIDTHS) {
                out.add(Arguments.of(rows, cols));
            }
        }
        out.add(Arguments.of(200, 1023));
        return out.stream();
    }

    private static long seed(int rows, int cols) {
        return 1000L * rows + cols;
    }

    // ------------------------------------------------------------------ RMSNorm

    /**
     * rstd: the vector kernel sums x^2 in float32 over 16 lanes (positive terms, no cancellation: relative
     * error <= ~(C/16 + 4) u, i.e. <= ~4e-6 worst case at C = 1023, observed far less), then 1/sqrt in double.
     */
    private static final double RSTD_RTOL = 32 * Parity.EPS;
    /** out = x * rstd * w: rstd's error plus two float roundings; no cancellation, so relative only. */
    private static final double NORM_OUT_RTOL = RSTD_RTOL + 2 * Parity.EPS;

    @ParameterizedTest(name = "rows={0} cols={1}")
    @MethodSource("rowShapes")
    void rmsNormForwardParity(int rows, int cols) {
        long seed = seed(rows, cols);
        Tensor x = Tensor.uniform(seed, -2, 2, rows, cols);
        Tensor w = Tensor.uniform(seed + 1, -1.5f, 1.5f, cols);
        Tensor refOut = Tensor.zeros(rows, cols);
        Tensor refRstd = Tensor.zeros(rows);
        REF.rmsNorm(refOut, refRstd, x, w, EPS_NORM);
        for (VectorBackend v : vectors) {
            Tensor out = Tensor.uniform(7, 100, 200, rows, cols);
            Tensor rstd = Tensor.uniform(8, 100, 200, rows);
            v.rmsNorm(out, rstd, x, w, EPS_NORM);
            String what = "rmsNorm " + rows + "x" + cols + " " + v.name();
            Parity.assertClose(what + " rstd", refRstd, rstd, 0, RSTD_RTOL);
            Parity.assertClose(what + " out", refOut, out, 1e-30, NORM_OUT_RTOL);
        }
    }

    @ParameterizedTest(name = "rows={0} cols={1}")
    @MethodSource("rowShapes")
    void rmsNormBackwardParity(int rows, int cols) {
        long seed = seed(rows, cols) + 5;
        Tensor x = Tensor.uniform(seed, -2, 2, rows, cols);
        Tensor w = Tensor.uniform(seed + 1, -1.5f, 1.5f, cols);
        Tensor dout = Tensor.uniform(seed + 2, -1, 1, rows, cols);
        Tensor rstd = Tensor.zeros(rows);
        REF.rmsNorm(Tensor.zeros(rows, cols), rstd, x, w, EPS_NORM);
        Tensor dw0 = Tensor.uniform(seed + 3, -1, 1, cols); // nonzero: dweight must be accumulated into

        Tensor refDx = Tensor.uniform(9, 100, 200, rows, cols);
        Tensor refDw = dw0.copy();
        REF.rmsNormBackward(refDx, refDw, dout, x, w, rstd);

        double maxTerm = 0; // max |dout * x * rstd|, the size of one row's contribution to dweight
        double maxGs = 0;   // max |dout * w * rstd|, the size of dx before the cancelling correction
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < cols; i++) {
                maxTerm = Math.max(maxTerm, Math.abs(dout.get(r, i) * x.get(r, i) * rstd.at(r)));
                maxGs = Math.max(maxGs, Math.abs(dout.get(r, i) * w.at(i) * rstd.at(r)));
            }
        }
        // dx = s*(g*w - x*coeff): the difference cancels (completely for C = 1, where dx ~ eps/x^2), so the
        // float32 errors of the products and of the row's dot (a few ulp of |g*w|) stay absolute, times s.
        double dxAtol = 8 * Parity.EPS * maxGs;
        // dweight: both add one term per row into the same float in the same order; the terms are rounded
        // differently (float products vs one double product), so each addition may round differently:
        // <= ~2 ulp of (partial sum ~ |P| + sqrt(rows)*term) per row.
        double dwAtol = 2 * rows * Parity.EPS * (1 + Math.sqrt(rows) * maxTerm);
        for (VectorBackend v : vectors) {
            String what = "rmsNormBackward " + rows + "x" + cols + " " + v.name();
            Tensor dx = Tensor.uniform(10, 100, 200, rows, cols); // garbage: dx must be overwritten
            Tensor dw = dw0.copy();
            v.rmsNormBackward(dx, dw, dout, x, w, rstd);
            Parity.assertClose(what + " dx", refDx, dx, dxAtol, 4 * Parity.EPS);
            Parity.assertClose(what + " dweight", refDw, dw, dwAtol, 2 * Parity.EPS);
        }
    }

    /** dweight += ..., dx = ... : run twice on the same buffers and check the accumulation explicitly. */
    @Test
    void rmsNormBackwardAccumulatesDweightAndOverwritesDx() {
        int rows = 5;
        int cols = 33;
        Tensor x = Tensor.uniform(1, -2, 2, rows, cols);
        Tensor w = Tensor.uniform(2, 0.5f, 1.5f, cols);
        Tensor dout = Tensor.uniform(3, -1, 1, rows, cols);
        Tensor rstd = Tensor.zeros(rows);
        REF.rmsNorm(Tensor.zeros(rows, cols), rstd, x, w, EPS_NORM);
        for (Backend k : new Backend[] {REF, vectors[0], vectors[1]}) {
            Tensor dxOnce = Tensor.zeros(rows, cols);
            Tensor dwOnce = Tensor.zeros(cols);
            k.rmsNormBackward(dxOnce, dwOnce, dout, x, w, rstd);

            Tensor p = Tensor.uniform(4, -3, 3, cols);
            Tensor dw = p.copy();
            Tensor dx = Tensor.uniform(5, -50, 50, rows, cols);
            k.rmsNormBackward(dx, dw, dout, x, w, rstd);
            k.rmsNormBackward(dx, dw, dout, x, w, rstd);
            // dx depends only on the inputs: bit-identical to a fresh run.
            Parity.assertExact(k.name() + " dx overwritten", dxOnce, dx);
            // dw = P + 2 * once, up to the float rounding of the additions, done in another order here:
            // a couple of ulps of the largest partial sum.
            Tensor expected = Tensor.zeros(cols);
            for (int i = 0; i < cols; i++) {
                expected.set(p.at(i) + 2 * dwOnce.at(i), i);
            }
            double big = Parity.maxAbs(expected) + 2 * Parity.maxAbs(dwOnce) + Parity.maxAbs(p);
            Parity.assertClose(k.name() + " dweight += twice", expected, dw, 2 * Math.ulp((float) big), 0);
            // and the accumulated gradient is not trivially zero
            assertTrue(Parity.maxAbs(dwOnce) > 0.1, k.name() + " dweight contribution looks empty");
        }
    }

    /** Double-precision RMSNorm: out = x * w / sqrt(mean(x^2) + eps), per row. */
    private static double[] rmsNormDouble(double[] x, double[] w, int rows, int cols, double eps) {
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < cols; i++) {
                ss += x[r * cols + i] * x[r * cols + i];
            }
            double s = 1 / Math.sqrt(ss / cols + eps);
            for (int i = 0; i < cols; i++) {
                out[r * cols + i] = x[r * cols + i] * s * w[i];
            }
        }
        return out;
    }

    /** loss = sum(out * R). */
    private static double loss(double[] x, double[] w, double[] rr, int rows, int cols, double eps) {
        double[] out = rmsNormDouble(x, w, rows, cols, eps);
        double l = 0;
        for (int i = 0; i < out.length; i++) {
            l += out[i] * rr[i];
        }
        return l;
    }

    private static double[] toDouble(Tensor t) {
        double[] d = new double[t.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.at(i);
        }
        return d;
    }

    @Test
    void rmsNormMatchesFiniteDifferencesInDouble() {
        for (int[] shape : new int[][] {{3, 7}, {2, 37}}) { // 37: two full 16-lane vectors and a tail
            int rows = shape[0];
            int cols = shape[1];
            Tensor x = Tensor.uniform(21 + cols, -2, 2, rows, cols);
            Tensor w = Tensor.uniform(22 + cols, -1.5f, 1.5f, cols);
            Tensor r = Tensor.uniform(23 + cols, -1, 1, rows, cols);
            double[] xd = toDouble(x);
            double[] wd = toDouble(w);
            double[] rd = toDouble(r);
            double h = 1e-4;
            Tensor fdDx = Tensor.zeros(rows, cols);
            for (int i = 0; i < xd.length; i++) {
                double keep = xd[i];
                xd[i] = keep + h;
                double up = loss(xd, wd, rd, rows, cols, EPS_NORM);
                xd[i] = keep - h;
                double down = loss(xd, wd, rd, rows, cols, EPS_NORM);
                xd[i] = keep;
                fdDx.data()[i] = (float) ((up - down) / (2 * h));
            }
            Tensor fdDw = Tensor.zeros(cols);
            for (int i = 0; i < cols; i++) {
                double keep = wd[i];
                wd[i] = keep + h;
                double up = loss(xd, wd, rd, rows, cols, EPS_NORM);
                wd[i] = keep - h;
                double down = loss(xd, wd, rd, rows, cols, EPS_NORM);
                wd[i] = keep;
                fdDw.data()[i] = (float) ((up - down) / (2 * h));
            }
            Tensor outD = Tensor.zeros(rows, cols);
            double[] od = rmsNormDouble(xd, wd, rows, cols, EPS_NORM);
            for (int i = 0; i < od.length; i++) {
                outD.data()[i] = (float) od[i];
            }
            for (Backend k : new Backend[] {REF, vectors[0], vectors[1]}) {
                String what = k.name() + " rmsNorm " + rows + "x" + cols;
                Tensor out = Tensor.zeros(rows, cols);
                Tensor rstd = Tensor.zeros(rows);
                k.rmsNorm(out, rstd, x, w, EPS_NORM);
                // float32 kernel vs double definition, O(1) values: a few ulps.
                Parity.assertClose(what + " forward vs double", outD, out, 1e-6, 8 * Parity.EPS);
                Tensor dx = Tensor.zeros(rows, cols);
                Tensor dw = Tensor.zeros(cols);
                k.rmsNormBackward(dx, dw, r, x, w, rstd);
                // Kernel in float32 (~1e-6 on O(1) values, cancellation in g - xhat*dot) vs a central
                // difference in double with h = 1e-4 (truncation ~h^2 |f'''| ~ 1e-8): 2e-5 absolute is ample.
                Parity.assertClose(what + " dx vs finite differences", fdDx, dx, 2e-5, 1e-4);
                Parity.assertClose(what + " dweight vs finite differences", fdDw, dw, 2e-5, 1e-4);
            }
        }
    }

    @Test
    void rmsNormOnRank3InputTreatsLeadingAxesAsRows() {
        Tensor x = Tensor.uniform(31, -2, 2, 2, 35, 33);
        Tensor w = Tensor.uniform(32, 0.5f, 1.5f, 33);
        Tensor refOut = Tensor.zeros(70, 33);
        Tensor refRstd = Tensor.zeros(70);
        REF.rmsNorm(refOut, refRstd, x.view(70, 33), w, EPS_NORM);
        for (Backend k : new Backend[] {REF, vectors[1]}) {
            Tensor out = Tensor.zeros(2, 35, 33);
            Tensor rstd = Tensor.zeros(70);
            k.rmsNorm(out, rstd, x, w, EPS_NORM);
            Parity.assertClose(k.name() + " rank-3 rmsNorm", refOut, out.view(70, 33), 1e-30, NORM_OUT_RTOL);
            Parity.assertClose(k.name() + " rank-3 rstd", refRstd, rstd, 0, RSTD_RTOL);
        }
    }

    /**
     * The softmax inside cross-entropy: float32 exp (a few ulp), a float32 sum of C positive terms over 16 lanes (relative error
     * <= ~(C/16 + 4) u, no cancellation), 1/sum and a multiply: relative error only.
     */
    private static final double SOFTMAX_RTOL = 32 * Parity.EPS;

    // ------------------------------------------------------------------ softmax cross-entropy

    /** Random targets in [0, vocab), with every third row (starting at row 1) ignored. */
    private static int[] targets(long seed, int rows, int vocab) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] t = new int[rows];
        for (int r = 0; r < rows; r++) {
            t[r] = r % 3 == 1 ? Backend.IGNORE_TARGET : random.nextInt(vocab);
        }
        return t;
    }

    @ParameterizedTest(name = "rows={0} cols={1}")
    @MethodSource("rowShapes")
    void crossEntropyForwardParity(int rows, int vocab) {
        long seed = seed(rows, vocab) + 70;
        Tensor logits = Tensor.uniform(seed, -8, 8, rows, vocab);
        int[] t = targets(seed, rows, vocab);
        Tensor refLoss = Tensor.zeros(rows);
        Tensor refProbs = Tensor.zeros(rows, vocab);
        REF.softmaxCrossEntropy(refLoss, refProbs, logits, t);
        for (int r = 0; r < rows; r++) {
            if (t[r] == Backend.IGNORE_TARGET) {
                assertEquals(0f, refLoss.at(r), 0, "scalar: ignored row " + r + " has a loss");
            }
        }
        for (VectorBackend v : vectors) {
            String what = "softmaxCrossEntropy " + rows + "x" + vocab + " " + v.name();
            Tensor loss = Tensor.uniform(1, 100, 200, rows);
            Tensor probs = Tensor.uniform(2, 100, 200, rows, vocab);
            v.softmaxCrossEntropy(loss, probs, logits, t);
            Parity.assertClose(what + " probs", refProbs, probs, 1e-30, SOFTMAX_RTOL);
            // loss = lse - logit[t] with |lse| <= 8 + ln(1023) < 16: the float32 log-sum-exp is off by
            // ~ulp(16) + the sum's relative error (<= ~70 u); the difference can cancel, so absolute.
            Parity.assertClose(what + " losses", refLoss, loss, 64 * Parity.EPS, 4 * Parity.EPS);
            for (int r = 0; r < rows; r++) {
                if (t[r] == Backend.IGNORE_TARGET) {
                    assertEquals(0f, loss.at(r), 0, what + ": ignored row " + r + " has a loss");
                }
            }
        }
    }

    @ParameterizedTest(name = "rows={0} cols={1}")
    @MethodSource("rowShapes")
    void crossEntropyBackwardParity(int rows, int vocab) {
        long seed = seed(rows, vocab) + 80;
        Tensor logits = Tensor.uniform(seed, -8, 8, rows, vocab);
        int[] t = targets(seed, rows, vocab);
        Tensor probs = Tensor.zeros(rows, vocab);
        REF.softmaxCrossEntropy(Tensor.zeros(rows), probs, logits, t);
        Tensor dloss = Tensor.uniform(seed + 1, 0.1f, 2f, rows);
        // The definition, computed here in float: (p - onehot) * dloss, zero rows for ignored targets.
        Tensor expected = Tensor.zeros(rows, vocab);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < vocab; i++) {
                float scale = t[r] == Backend.IGNORE_TARGET ? 0f : dloss.at(r);
                expected.set((probs.get(r, i) - (i == t[r] ? 1f : 0f)) * scale, r, i);
            }
        }
        for (Backend k : new Backend[] {REF, vectors[0], vectors[1]}) {
            Tensor d = Tensor.uniform(3, 100, 200, rows, vocab); // garbage: must be overwritten
            k.softmaxCrossEntropyBackward(d, dloss, probs, t);
            // One float subtract and one multiply per element on every path: bit-identical.
            Parity.assertExact("softmaxCrossEntropyBackward " + rows + "x" + vocab + " " + k.name(), expected, d);
            for (int r = 0; r < rows; r++) {
                if (t[r] == Backend.IGNORE_TARGET) {
                    assertEquals(0.0, Parity.maxAbs(d.select(r)), 0, k.name() + " ignored row " + r);
                }
            }
        }
    }

    @Test
    void crossEntropyLossIsMinusLogProbOfTarget() {
        int rows = 6;
        int vocab = 45;
        Tensor logits = Tensor.uniform(91, -5, 5, rows, vocab);
        int[] t = {0, 44, 17, 3, 16, 31}; // first, last, and in the vector part and the tail
        for (Backend k : new Backend[] {REF, vectors[0], vectors[1]}) {
            Tensor loss = Tensor.zeros(rows);
            Tensor probs = Tensor.zeros(rows, vocab);
            k.softmaxCrossEntropy(loss, probs, logits, t);
            for (int r = 0; r < rows; r++) {
                double expected = -Math.log(probs.get(r, t[r]));
                // -log of a float32 probability (relative error a few ulps) vs float32 lse - logit (|lse| < 10):
                // a few ulp(10) absolute.
                assertEquals(expected, loss.at(r), 4e-6, k.name() + " row " + r);
                // and probs is the softmax of the logits
                double z = 0;
                for (int i = 0; i < vocab; i++) {
                    z += Math.exp(logits.get(r, i));
                }
                assertEquals(Math.log(z) - logits.get(r, t[r]), loss.at(r), 4e-6, k.name() + " closed form row " + r);
            }
        }
    }

    @Test
    void crossEntropyWithHugeLogits() {
        int vocab = 37;
        Tensor logits = Tensor.uniform(92, -8, 8, 3, vocab);
        logits.set(1e4f, 0, 3);
        logits.set(-1e4f, 0, 35);
        logits.set(1e4f, 1, 3);
        logits.set(-1e4f, 1, 35);
        logits.set(-1e4f, 2, 20);
        int[] t = {3, 35, 20};
        for (Backend k : new Backend[] {REF, vectors[0], vectors[1]}) {
            Tensor loss = Tensor.zeros(3);
            Tensor probs = Tensor.zeros(3, vocab);
            k.softmaxCrossEntropy(loss, probs, logits, t);
            String what = k.name() + " cross-entropy with +-1e4";
            Parity.assertFinite(what + " losses", loss);
            Parity.assertFinite(what + " probs", probs);
            assertEquals(0f, loss.at(0), 1e-3, what + ": target is the dominant logit"); // ulp(1e4) ~ 1e-3
            assertEquals(2e4f, loss.at(1), 2e-3, what + ": target is -1e4 next to +1e4");
            // row 2: lse of the moderate logits minus (-1e4)
            double z = 0;
            for (int i = 0; i < vocab; i++) {
                if (i != 20) {
                    z += Math.exp(logits.get(2, i));
                }
            }
            assertEquals(Math.log(z) + 1e4, loss.at(2), 2e-3, what + ": target is -1e4");
            Tensor d = Tensor.zeros(3, vocab);
            k.softmaxCrossEntropyBackward(d, Tensor.of(new float[] {1, 1, 1}, 3), probs, t);
            Parity.assertFinite(what + " backward", d);
            assertEquals(-1f, d.get(1, 35), 1e-6, what + ": gradient at a zero-probability target");
        }
    }

    @Test
    void targetsOutOfRangeThrowNamingTheRow() {
        int rows = 5;
        int vocab = 7;
        Tensor logits = Tensor.uniform(93, -1, 1, rows, vocab);
        for (Backend k : new Backend[] {REF, vectors[0], vectors[1]}) {
            for (int bad : new int[] {vocab, -2, 1000, Integer.MIN_VALUE}) {
                int[] t = {0, 1, Backend.IGNORE_TARGET, bad, 2};
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> k.softmaxCrossEntropy(Tensor.zeros(rows), Tensor.zeros(rows, vocab), logits, t),
                        k.name() + " target " + bad);
                assertTrue(e.getMessage().contains("row 3"), k.name() + ": " + e.getMessage());
                assertTrue(e.getMessage().contains(Integer.toString(bad)), k.name() + ": " + e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> k.softmaxCrossEntropyBackward(Tensor.zeros(rows, vocab), Tensor.zeros(rows),
                                Tensor.zeros(rows, vocab), t), k.name() + " backward target " + bad);
                assertTrue(e.getMessage().contains("row 3"), k.name() + ": " + e.getMessage());
            }
            // wrong number of targets
            assertThrows(IllegalArgumentException.class,
                    () -> k.softmaxCrossEntropy(Tensor.zeros(rows), Tensor.zeros(rows, vocab), logits, new int[4]));
            // wrong losses length
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.softmaxCrossEntropy(Tensor.zeros(rows + 1), Tensor.zeros(rows, vocab), logits,
                            new int[rows]));
            assertTrue(e.getMessage().contains("(6)") && e.getMessage().contains("(5, 7)"), e.getMessage());
        }
    }

    @Test
    void rowKernelShapeMismatchesAreRejected() {
        for (Backend k : new Backend[] {REF, vectors[1]}) {
            Tensor x = Tensor.zeros(4, 6);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.rmsNorm(Tensor.zeros(4, 6), Tensor.zeros(4), x, Tensor.zeros(5), 1e-5f));
            assertTrue(e.getMessage().contains("(5)") && e.getMessage().contains("(4, 6)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> k.rmsNorm(Tensor.zeros(4, 6), Tensor.zeros(3), x, Tensor.zeros(6), 1e-5f));
            assertTrue(e.getMessage().contains("(3)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> k.softmaxCrossEntropy(Tensor.zeros(4), Tensor.zeros(6, 4), x, new int[4]));
            assertTrue(e.getMessage().contains("(6, 4)") && e.getMessage().contains("(4, 6)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> k.rmsNormBackward(Tensor.zeros(4, 6), Tensor.zeros(7), Tensor.zeros(4, 6), x,
                            Tensor.zeros(6), Tensor.zeros(4)));
            assertTrue(e.getMessage().contains("(7)"), e.getMessage());
        }
    }

    // ------------------------------------------------------------------ views

    @Test
    void rowKernelsRespectViewOffsets() {
        int rows = 5;
        int cols = 37;
        Tensor x = Parity.paddedView(1, 3, 5, rows, cols);
        Tensor w = Parity.paddedView(2, 7, 1, cols);
        Tensor dout = Parity.paddedView(3, 2, 9, rows, cols);
        int[] t = {0, Backend.IGNORE_TARGET, 36, 17, 5};
        Tensor dloss = Parity.paddedView(4, 1, 1, rows);

        Tensor refOut = Tensor.zeros(rows, cols);
        Tensor refRstd = Tensor.zeros(rows);
        REF.rmsNorm(refOut, refRstd, x.copy(), w.copy(), EPS_NORM);
        Tensor refDx = Tensor.zeros(rows, cols);
        Tensor refDw = Tensor.zeros(cols);
        REF.rmsNormBackward(refDx, refDw, dout.copy(), x.copy(), w.copy(), refRstd);
        Tensor refLoss = Tensor.zeros(rows);
        Tensor refProbs = Tensor.zeros(rows, cols);
        REF.softmaxCrossEntropy(refLoss, refProbs, x.copy(), t);
        Tensor refDl = Tensor.zeros(rows, cols);
        REF.softmaxCrossEntropyBackward(refDl, dloss.copy(), refProbs, t);

        for (Backend k : new Backend[] {REF, vectors[0], vectors[1]}) {
            String n = k.name() + " on views: ";
            Tensor out = Parity.paddedView(11, 4, 6, rows, cols);
            Tensor rstd = Parity.paddedView(12, 3, 3, rows);
            Tensor dx = Parity.paddedView(13, 8, 2, rows, cols);
            Tensor dw = Tensor.wrap(new float[cols + 10], 6, cols); // zeros inside, zeros around
            java.util.Arrays.fill(dw.data(), 0, 6, Float.NaN);
            java.util.Arrays.fill(dw.data(), 6 + cols, cols + 10, Float.NaN);
            Tensor loss = Parity.paddedView(16, 5, 5, rows);
            Tensor probs = Parity.paddedView(17, 9, 9, rows, cols);
            Tensor dl = Parity.paddedView(18, 3, 7, rows, cols);
            Tensor[] outputs = {out, rstd, dx, dw, loss, probs, dl};
            float[][] before = new float[outputs.length][];
            for (int i = 0; i < outputs.length; i++) {
                before[i] = outputs[i].data().clone();
            }
            k.rmsNorm(out, rstd, x, w, EPS_NORM);
            k.rmsNormBackward(dx, dw, dout, x, w, rstd);
            k.softmaxCrossEntropy(loss, probs, x, t);
            k.softmaxCrossEntropyBackward(dl, dloss, probs, t);
            Parity.assertClose(n + "rmsNorm", refOut, out.copy(), 1e-30, NORM_OUT_RTOL);
            Parity.assertClose(n + "rstd", refRstd, rstd.copy(), 0, RSTD_RTOL);
            // The backward passes below consume each kernel's own forward outputs (rstd, probs), so their
            // tolerances add the forward's relative error to the backward's own.
            Parity.assertClose(n + "rmsNorm dx", refDx, dx.copy(), 16 * Parity.EPS, RSTD_RTOL + 4 * Parity.EPS);
            Parity.assertClose(n + "rmsNorm dweight", refDw, dw.copy(), 16 * Parity.EPS, RSTD_RTOL + 4 * Parity.EPS);
            Parity.assertClose(n + "cross-entropy loss", refLoss, loss.copy(), 64 * Parity.EPS, 4 * Parity.EPS);
            Parity.assertClose(n + "cross-entropy probs", refProbs, probs.copy(), 1e-30, SOFTMAX_RTOL);
            Parity.assertClose(n + "cross-entropy backward", refDl, dl.copy(), 2 * SOFTMAX_RTOL, SOFTMAX_RTOL);
            for (int i = 0; i < outputs.length; i++) {
                Tensor o = outputs[i];
                Parity.assertUntouched(n + "output " + i + " head", before[i], o.data(), 0, o.offset());
                Parity.assertUntouched(n + "output " + i + " tail", before[i], o.data(), o.offset() + o.size(),
                        o.data().length);
            }
        }
    }
}
