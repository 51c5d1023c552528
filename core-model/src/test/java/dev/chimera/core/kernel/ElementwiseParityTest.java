package dev.chimera.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chimera.core.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import dev.chimera.core.backend.Backend;

/**
 * Activations (forward and backward) and the elementwise arithmetic kernels: {@link VectorBackend}
 * against {@link ScalarBackend}, and the double-precision {@link Activation} derivatives against
 * finite differences.
 */
class ElementwiseParityTest extends KernelParityFixture {
    /** 70000 is above VectorBackend' 2^15 threshold, so it is split over the two-thread pool. */
    private static final int[] SIZES = {1, 7, 17, 33, 1000, 1023, 70000};

    // ------------------------------------------------------------------ tolerances, with reasons

    /** Absolute tolerance of the forward pass on inputs in [-8, 8] (relative part: {@link #ACT_RTOL}). */
    private static double forwardAtol(Activation f) {
        switch (f) {
            case GELU:
                // 1 + tanh(u) cancels for x < 0: tanh's absolute error (~ulp(1)) is scaled by 0.5*|x| <= 4.
                return 8 * Parity.EPS;
            default:
                // Results are products/sums without cancellation: only a relative error; atol covers underflow near 0.
                return 1e-30;
        }
    }

    /** Absolute tolerance of the backward pass with |dy| <= 1 and x in [-8, 8]. */
    private static double backwardAtol(Activation f) {
        switch (f) {
            case GELU:
                // 1 - t^2 cancels as tanh saturates; its ~ulp(1) absolute error is multiplied by
                // 0.5*|x|*sqrt(2/pi)*(1 + 3*0.044715*x^2) <= ~31 for |x| <= 8 (observed: ~4 ulp(1)).
                return 32 * Parity.EPS;
            case SILU:
                // 1 - s cancels for large x: absolute error ~ulp(1), multiplied by |x|*s <= 8.
                return 16 * Parity.EPS;
            case SIGMOID:
                // 1 - s cancels for large x: absolute error ~ulp(1) times s <= 1.
                return 2 * Parity.EPS;
            default:
                // RELU is exact; SOFTPLUS (sigmoid) and EXP are products without cancellation: relative error only.
                return 1e-30;
        }
    }

    /**
     * Relative tolerance of activations: the vector kernels evaluate exp/tanh/log1p in float32 (a few
     * ulps each) and combine them in 2-5 float ops, while the reference rounds a double once
     * (observed: <= ~1.5 eps relative with the AVX-512 intrinsics).
     */
    private static final double ACT_RTOL = 8 * Parity.EPS;

    // ------------------------------------------------------------------ activations: parity

    @ParameterizedTest
    @EnumSource(Activation.class)
    void forwardParity(Activation f) {
        for (int size : SIZES) {
            Tensor x = Tensor.uniform(size + 11, -8, 8, size);
            Tensor ref = Tensor.zeros(size);
            REF.activation(f, ref, x);
            for (VectorBackend v : vectors) {
                Tensor got = Tensor.uniform(1, 100, 200, size); // garbage: out must be overwritten
                v.activation(f, got, x);
                Parity.assertClose(f + " forward, size " + size + ", " + v.name(), ref, got, forwardAtol(f), ACT_RTOL);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void backwardParity(Activation f) {
        for (int size : SIZES) {
            Tensor x = Tensor.uniform(size + 12, -8, 8, size);
            Tensor dy = Tensor.uniform(size + 13, -1, 1, size);
            Tensor ref = Tensor.zeros(size);
            REF.activationBackward(f, ref, dy, x);
            for (VectorBackend v : vectors) {
                Tensor got = Tensor.uniform(2, 100, 200, size);
                v.activationBackward(f, got, dy, x);
                Parity.assertClose(f + " backward, size " + size + ", " + v.name(), ref, got, backwardAtol(f),
                        ACT_RTOL);
            }
        }
    }

    /** The reference itself: out = (float) f.apply(x), dx = (float) (dy * f.derivative(x)). */
    @ParameterizedTest
    @EnumSource(Activation.class)
    void referenceMatchesActivationDefinition(Activation f) {
        Tensor x = Tensor.uniform(5, -8, 8, 257);
        Tensor dy = Tensor.uniform(6, -1, 1, 257);
        Tensor out = Tensor.zeros(257);
        Tensor dx = Tensor.zeros(257);
        REF.activation(f, out, x);
        REF.activationBackward(f, dx, dy, x);
        for (int i = 0; i < 257; i++) {
            assertEquals((float) f.apply(x.at(i)), out.at(i), f + " forward at x=" + x.at(i));
            assertEquals((float) (dy.at(i) * f.derivative(x.at(i))), dx.at(i), f + " backward at x=" + x.at(i));
        }
    }

    /** Spot values of the definitions, so a wrong formula in Activation cannot hide behind parity. */
    @Test
    void activationKnownValues() {
        double tol = 1e-12; // closed forms evaluated in double
        assertEquals(1 / (1 + Math.exp(-1.5)), Activation.SIGMOID.apply(1.5), tol);
        assertEquals(0.5, Activation.SIGMOID.apply(0), tol);
        assertEquals(2 / (1 + Math.exp(-2.0)), Activation.SILU.apply(2), tol);
        assertEquals(Math.log(1 + Math.exp(0.7)), Activation.SOFTPLUS.apply(0.7), tol);
        assertEquals(Math.log(1 + Math.exp(-3.0)), Activation.SOFTPLUS.apply(-3), tol);
        assertEquals(Math.exp(1.25), Activation.EXP.apply(1.25), tol);
        assertEquals(3.0, Activation.RELU.apply(3), 0);
        assertEquals(0.0, Activation.RELU.apply(-3), 0);
        double x = 1.3;
        double gelu = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        assertEquals(gelu, Activation.GELU.apply(x), tol);
        // tanh-approximate GELU(1) = 0.841192 (GPT-2 / PyTorch approximate='tanh')
        assertEquals(0.841192, Activation.GELU.apply(1), 1e-6);
    }

    // ------------------------------------------------------------------ derivatives vs finite differences

    @ParameterizedTest
    @EnumSource(Activation.class)
    void derivativeMatchesCentralDifference(Activation f) {
        double h = 1e-5;
        SplittableRandom random = new SplittableRandom(f.ordinal() + 77);
        double[] xs = new double[400];
        for (int i = 0; i < 200; i++) {
            xs[i] = -8 + 16.0 * i / 199; // a grid over [-8, 8], including the endpoints
        }
        for (int i = 200; i < 400; i++) {
            xs[i] = -8 + 16 * random.nextDouble();
        }
        int checked = 0;
        for (double x : xs) {
            if (f == Activation.RELU && Math.abs(x) < 1e-3) {
                continue; // the kink: no derivative at 0
            }
            double fd = (f.apply(x + h) - f.apply(x - h)) / (2 * h);
            double d = f.derivative(x);
            // Central difference: truncation h^2/6*|f'''| (~1e-11 * f''' ) plus rounding ~1e-16*|f|/h;
            // for EXP at x = 8 both are ~1e-7 relative to f' = e^8, so allow 1e-7 absolute + 1e-7 relative.
            double tol = 1e-7 + 1e-7 * Math.abs(d);
            if (!(Math.abs(d - fd) <= tol)) {
                fail(f + ".derivative(" + x + ") = " + d + " but central difference gives " + fd + " (|diff| "
                        + Math.abs(d - fd) + " > " + tol + ")");
            }
            checked++;
        }
        assertTrue(checked > 390, "checked only " + checked + " points");
    }

    // ------------------------------------------------------------------ NaN safety

    private static final float[] EXTREMES = {
        1e30f, -1e30f, 1e4f, -1e4f, 100f, -100f, 88.7f, -88.7f, 1e-30f, -1e-30f, 0f, -0f,
        // also: exp overflow just past float range, GELU's clamp point, and the largest finite floats
        89f, -89f, 10f, -10f, 20f, -20f, Float.MAX_VALUE, -Float.MAX_VALUE,
    };

    @ParameterizedTest
    @EnumSource(Activation.class)
    void extremeInputsGiveNoNaN(Activation f) {
        // 37 copies of each value: two full vectors (AVX-512) or four (AVX2), then a scalar tail.
        int size = 37;
        Backend[] all = {REF, vectors[0], vectors[1]};
        for (float value : EXTREMES) {
            Tensor x = Tensor.zeros(size);
            x.fill(value);
            for (float g : new float[] {1f, -0.5f}) {
                Tensor dy = Tensor.zeros(size);
                dy.fill(g);
                Tensor refOut = null;
                Tensor refDx = null;
                for (Backend k : all) {
                    String what = f + " at x=" + value + " (dy=" + g + ") on " + k.name();
                    Tensor out = Tensor.zeros(size);
                    Tensor dx = Tensor.zeros(size);
                    k.activation(f, out, x);
                    k.activationBackward(f, dx, dy, x);
                    if (f == Activation.EXP) {
                        Parity.assertNoNaN(what + " forward", out);
                        Parity.assertNoNaN(what + " backward", dx);
                    } else {
                        Parity.assertFinite(what + " forward", out);
                        Parity.assertFinite(what + " backward", dx);
                    }
                    if (refOut == null) {
                        refOut = out;
                        refDx = dx;
                    } else if (f != Activation.EXP || Math.abs(value) < 88) {
                        // (EXP beyond 88 is out of float range: the reference's (float) (dy * exp(x)) in double
                        // can still be finite where the float exp overflows to Inf, so it is left out.)
                        // Same value on both paths too; wide tolerances, the point is "not wildly off".
                        // (extreme inputs go through denormals and exp overflow, so allow 1e-6 absolute)
                        Parity.assertClose(what + " forward vs scalar", refOut, out, 1e-6, 1e-5);
                        Parity.assertClose(what + " backward vs scalar", refDx, dx, 1e-6, 1e-5);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ arithmetic

    @Test
    void addAndMulAreExact() {
        for (int size : SIZES) {
            Tensor a = Tensor.uniform(size, -8, 8, size);
            Tensor b = Tensor.uniform(size + 1, -8, 8, size);
            Tensor refAdd = Tensor.zeros(size);
            Tensor refMul = Tensor.zeros(size);
            REF.add(refAdd, a, b);
            REF.mul(refMul, a, b);
            for (VectorBackend v : vectors) {
                Tensor add = Tensor.uniform(3, 100, 200, size);
                Tensor mul = Tensor.uniform(4, 100, 200, size);
                v.add(add, a, b);
                v.mul(mul, a, b);
                // One IEEE float add or multiply per element on both paths: bit-identical.
                Parity.assertExact("add size " + size + " " + v.name(), refAdd, add);
                Parity.assertExact("mul size " + size + " " + v.name(), refMul, mul);
            }
        }
        // and the reference does what it says
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor b = Tensor.of(new float[] {4, -5, 0.5f}, 3);
        Tensor out = Tensor.zeros(3);
        REF.add(out, a, b);
        assertEquals("[5.0, -3.0, 3.5]", Arrays.toString(out.toArray()));
        REF.mul(out, a, b);
        assertEquals("[4.0, -10.0, 1.5]", Arrays.toString(out.toArray()));
    }

    @Test
    void scaleIsExact() {
        float alpha = -0.7314f;
        for (int size : SIZES) {
            Tensor x = Tensor.uniform(size + 2, -8, 8, size);
            Tensor ref = Tensor.zeros(size);
            REF.scale(ref, alpha, x);
            for (VectorBackend v : vectors) {
                Tensor got = Tensor.uniform(5, 100, 200, size);
                v.scale(got, alpha, x);
                // One float multiply per element on both paths: bit-identical.
                Parity.assertExact("scale size " + size + " " + v.name(), ref, got);
            }
        }
        Tensor out = Tensor.zeros(2);
        REF.scale(out, 2f, Tensor.of(new float[] {1.5f, -3f}, 2));
        assertEquals("[3.0, -6.0]", Arrays.toString(out.toArray()));
    }

    // ------------------------------------------------------------------ views and shapes

    @Test
    void viewsWithOffsetAreRespected() {
        int size = 1000;
        for (Backend k : new Backend[] {REF, vectors[0], vectors[1]}) {
            Tensor x = Parity.paddedView(1, 3, 7, size);
            Tensor y = Parity.paddedView(2, 9, 1, size);
            for (Activation f : Activation.values()) {
                Tensor out = Parity.paddedView(3, 5, 17, size);
                float[] before = out.data().clone();
                k.activation(f, out, x);
                Tensor expected = Tensor.zeros(size);
                REF.activation(f, expected, x.copy());
                Parity.assertClose(f + " on views " + k.name(), expected, out.copy(), forwardAtol(f) * 8, ACT_RTOL);
                Parity.assertUntouched(f + " " + k.name() + " head", before, out.data(), 0, out.offset());
                Parity.assertUntouched(f + " " + k.name() + " tail", before, out.data(), out.offset() + size,
                        out.data().length);

                Tensor dx = Parity.paddedView(4, 21, 2, size);
                before = dx.data().clone();
                k.activationBackward(f, dx, y, x);
                REF.activationBackward(f, expected, y.copy(), x.copy());
                Parity.assertClose(f + " backward on views " + k.name(), expected, dx.copy(), backwardAtol(f),
                        ACT_RTOL);
                Parity.assertUntouched(f + " backward " + k.name() + " head", before, dx.data(), 0, dx.offset());
                Parity.assertUntouched(f + " backward " + k.name() + " tail", before, dx.data(), dx.offset() + size,
                        dx.data().length);
            }
            Tensor out = Parity.paddedView(5, 2, 2, size);
            float[] before = out.data().clone();
            k.add(out, x, y);
            Tensor expected = Tensor.zeros(size);
            REF.add(expected, x.copy(), y.copy());
            Parity.assertExact("add on views " + k.name(), expected, out.copy());
            k.mul(out, x, y);
            REF.mul(expected, x.copy(), y.copy());
            Parity.assertExact("mul on views " + k.name(), expected, out.copy());
            k.scale(out, 3f, x);
            REF.scale(expected, 3f, x.copy());
            Parity.assertExact("scale on views " + k.name(), expected, out.copy());
            Parity.assertUntouched("arith " + k.name() + " head", before, out.data(), 0, out.offset());
            Parity.assertUntouched("arith " + k.name() + " tail", before, out.data(), out.offset() + size,
                    out.data().length);
        }
    }

    @Test
    void shapeMismatchIsRejected() {
        for (Backend k : new Backend[] {REF, vectors[1]}) {
            Tensor a = Tensor.zeros(3, 4);
            Tensor b = Tensor.zeros(4, 3);
            Tensor c = Tensor.zeros(3, 4);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> k.activation(Activation.GELU, a, b)),
                    "(3, 4)", "(4, 3)");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> k.activationBackward(Activation.SILU, a, c, b)), "(3, 4)", "(4, 3)");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> k.add(a, c, b)), "(3, 4)", "(4, 3)");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> k.mul(b, a, c)), "(3, 4)", "(4, 3)");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> k.scale(a, 1f, Tensor.zeros(12))),
                    "(3, 4)", "(12)");
        }
    }

    private static void assertMentions(IllegalArgumentException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should contain " + p + ": " + e.getMessage());
        }
    }
}
