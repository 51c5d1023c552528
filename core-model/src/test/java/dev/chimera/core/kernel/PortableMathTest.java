package dev.chimera.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class PortableMathTest {
    private static final int L = Simd.FLOAT.length();

    /** Applies f to one value through a vector (lane 0 holds x, the others copies). */
    private static float lane(UnaryOperator<FloatVector> f, float x) {
        return f.apply(FloatVector.broadcast(Simd.FLOAT, x)).lane(0);
    }

    private static void assertAccurate(UnaryOperator<FloatVector> f, DoubleUnaryOperator truth, double lo, double hi,
                                       double relTol, double absTol) {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 20_000; i++) {
            float x = (float) (lo + (hi - lo) * r.nextDouble());
            double want = truth.applyAsDouble(x);
            float got = lane(f, x);
            assertTrue(Math.abs(got - want) <= absTol + relTol * Math.abs(want), x + ": " + got + " vs " + want);
        }
    }

    @Test
    void eachFunctionIsWithinAFewUlpOfTheDoublePrecisionValue() {
        // Tolerances: 2-5 float ulp (6e-8 relative each) from the polynomial and its reconstruction.
        assertAccurate(PortableMath::expUpTo88, Math::exp, -87, 88, 3e-7, 0);
        assertAccurate(PortableMath::exp, Math::exp, -100, 88.7, 6e-7, 1e-37);
        assertAccurate(PortableMath::sigmoid, x -> 1 / (1 + Math.exp(-x)), -100, 100, 3e-7, 1e-37);
        assertAccurate(PortableMath::softplus, x -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), -100, 100,
                3e-7, 1e-37);
        // tanh: (1-e)/(1+e) above 0.625 loses a little to cancellation; 4e-7 absolute near the switch.
        assertAccurate(PortableMath::tanh, Math::tanh, -20, 20, 3e-7, 4e-7 * 0.6);
        assertAccurate(PortableMath::tanh, Math::tanh, -0.6, 0.6, 3e-7, 0);
    }

    @Test
    void edgesOverflowUnderflowAndNanAreHandled() {
        assertEquals(Float.POSITIVE_INFINITY, lane(PortableMath::exp, 89f));
        assertEquals(Float.POSITIVE_INFINITY, lane(PortableMath::exp, Float.POSITIVE_INFINITY));
        assertEquals(0f, lane(PortableMath::exp, -200f));
        assertEquals(0f, lane(PortableMath::expUpTo88, Float.NEGATIVE_INFINITY));
        assertEquals(1f, lane(PortableMath::sigmoid, 200f));
        assertEquals(0f, lane(PortableMath::sigmoid, -200f));
        assertEquals(200f, lane(PortableMath::softplus, 200f));
        assertEquals(1f, lane(PortableMath::tanh, 30f));
        assertEquals(-1f, lane(PortableMath::tanh, -30f));
        assertEquals(0f, lane(PortableMath::tanh, 0f));
        for (UnaryOperator<FloatVector> f : java.util.List.<UnaryOperator<FloatVector>>of(PortableMath::exp,
                PortableMath::sigmoid, PortableMath::softplus, PortableMath::tanh)) {
            assertTrue(Float.isNaN(lane(f, Float.NaN)));
        }
    }

    @Test
    void lanesAreIndependentOfTheirNeighbours() {
        float[] xs = new float[L];
        for (int i = 0; i < L; i++) {
            xs[i] = -3f + 0.37f * i;
        }
        float[] together = PortableMath.tanh(FloatVector.fromArray(Simd.FLOAT, xs, 0)).toArray();
        for (int i = 0; i < L; i++) {
            assertEquals(Float.floatToRawIntBits(lane(PortableMath::tanh, xs[i])), Float.floatToRawIntBits(together[i]));
        }
    }
}
