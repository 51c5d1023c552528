package dev.chimera.core.kernel;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The shared assertion helper must fail when it should, and say where. */
class ParityTest {

    @Test
    void acceptsValuesWithinTolerance() {
        Tensor ref = Tensor.of(new float[] {1, -2, 100, 0}, 2, 2);
        Tensor got = Tensor.of(new float[] {1.0001f, -2, 100.01f, 1e-5f}, 2, 2);
        Parity.assertClose("ok", ref, got, 2e-5, 1.1e-4);
        Parity.assertExact("same", ref, ref.copy());
        Tensor inf = Tensor.of(new float[] {Float.POSITIVE_INFINITY, Float.NaN}, 2);
        Parity.assertClose("equal infinities and NaN pairs", inf, inf.copy(), 0, 0);
    }

    @Test
    void reportsTheWorstElementWithIndexValuesAndShapes() {
        Tensor ref = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor got = Tensor.of(new float[] {1, 2.5f, 3, 4, 5, 6.001f}, 2, 3);
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Parity.assertClose("what", ref, got, 1e-6, 0));
        String m = e.getMessage();
        assertTrue(m.startsWith("what:"), m);
        assertTrue(m.contains("2 of 6"), m);
        assertTrue(m.contains("flat 1 [0, 1]"), m);
        assertTrue(m.contains("ref 2.0") && m.contains("got 2.5"), m);
        assertTrue(m.contains("(2, 3)"), m);
    }

    @Test
    void failsOnNaNInfinityAndShapeMismatch() {
        Tensor ref = Tensor.of(new float[] {1, 2}, 2);
        assertThrows(AssertionFailedError.class,
                () -> Parity.assertClose("nan", ref, Tensor.of(new float[] {1, Float.NaN}, 2), 1e9, 1e9));
        assertThrows(AssertionFailedError.class,
                () -> Parity.assertClose("nan ref", Tensor.of(new float[] {Float.NaN, 2}, 2), ref, 1e9, 1e9));
        assertThrows(AssertionFailedError.class, () -> Parity.assertClose("inf", ref,
                Tensor.of(new float[] {1, Float.POSITIVE_INFINITY}, 2), 1e9, 1e9));
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Parity.assertClose("shape", ref, Tensor.of(new float[] {1, 2}, 1, 2), 1, 1));
        assertTrue(e.getMessage().contains("(2)") && e.getMessage().contains("(1, 2)"), e.getMessage());
        assertThrows(AssertionFailedError.class,
                () -> Parity.assertExact("one ulp", ref, Tensor.of(new float[] {1, Math.nextUp(2f)}, 2)));
    }

    @Test
    void relativeToleranceUsesTheReference() {
        Tensor ref = Tensor.of(new float[] {1000}, 1);
        Parity.assertClose("0.1% of 1000", ref, Tensor.of(new float[] {1000.9f}, 1), 0, 1e-3);
        assertThrows(AssertionFailedError.class,
                () -> Parity.assertClose("0.1% of 1000", ref, Tensor.of(new float[] {1001.1f}, 1), 0, 1e-3));
    }

    @Test
    void untouchedAndFiniteChecks() {
        float[] before = {Float.NaN, 1, 2};
        Parity.assertUntouched("same", before, before.clone(), 0, 3);
        float[] after = before.clone();
        after[2] = 3;
        Parity.assertUntouched("outside the changed index", before, after, 0, 2);
        assertThrows(AssertionFailedError.class, () -> Parity.assertUntouched("changed", before, after, 0, 3));
        float[] otherNaN = before.clone();
        otherNaN[0] = Float.intBitsToFloat(0x7fc00001); // a different NaN: a write happened
        assertThrows(AssertionFailedError.class, () -> Parity.assertUntouched("nan bits", before, otherNaN, 0, 1));
        assertThrows(AssertionFailedError.class,
                () -> Parity.assertFinite("inf", Tensor.of(new float[] {0, Float.NEGATIVE_INFINITY}, 2)));
        Parity.assertNoNaN("inf is not NaN", Tensor.of(new float[] {0, Float.NEGATIVE_INFINITY}, 2));
        assertThrows(AssertionFailedError.class, () -> Parity.assertNoNaN("nan", Tensor.of(new float[] {Float.NaN}, 1)));
    }

    @Test
    void paddedViewSitsInsideNaNs() {
        Tensor t = Parity.paddedView(1, 3, 4, 2, 5);
        assertTrue(t.offset() == 3 && t.data().length == 17, t.offset() + " " + t.data().length);
        for (int i = 0; i < 3; i++) {
            assertTrue(Float.isNaN(t.data()[i]));
        }
        for (int i = 13; i < 17; i++) {
            assertTrue(Float.isNaN(t.data()[i]));
        }
        Parity.assertFinite("inside", t);
    }
}
