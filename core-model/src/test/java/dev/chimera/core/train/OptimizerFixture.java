package dev.chimera.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.model.Parameters;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** What the optimiser tests share: seeded parameters and gradients, varying learning rates, copies and checks. */
final class OptimizerFixture {

    /** Learning rates of the steps in the tests: they vary, as a schedule's do. */
    static final double[] RATES = {1e-2, 2e-2, 3e-2, 2.5e-2, 1e-2, 5e-3};

    private OptimizerFixture() {
    }

    /**
     * The backends an optimiser's update runs on: the scalar reference and the vector one (over a
     * one-thread pool, which starts no threads to close). Each test runs on both.
     */
    static Stream<Backend> backends() {
        return Stream.of(new ScalarBackend(), new VectorBackend(new ComputePool(1)));
    }

    /** A decayed matrix, a non-decayed norm weight and bias, and a decayed odd-sized tensor; values seeded. */
    static Parameters parameters(long seed) {
        Parameters p = Parameters.builder()
                .add("w", true, 3, 5)
                .add("norm.weight", false, 4)
                .add("bias", false, 3)
                .add("w2", true, 7, 1)
                .build();
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = p.values();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return p;
    }

    /** Seeded gradients for step {@code step} (0-based), of both signs and magnitudes from 1e-3 to 1. */
    static void gradients(Parameters p, int step) {
        SplittableRandom r = new SplittableRandom(1000 + step);
        float[] g = p.grads();
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) ((r.nextDouble() * 2 - 1) * Math.pow(10, -3 * r.nextDouble()));
        }
    }

    /** Steps {@code from} to {@code to} (exclusive) of the tests: each step's gradients, then an update at its rate. */
    static void steps(Optimizer opt, Parameters p, int from, int to) {
        for (int t = from; t < to; t++) {
            gradients(p, t);
            opt.step(RATES[t]);
        }
    }

    /**
     * Takes the steps from {@code from} to the last rate in both runs, side by side, then asserts
     * that they reached the same values and the same state, bit for bit.
     */
    static void assertSameContinuation(Optimizer first, Parameters a, Optimizer resumed, Parameters b, int from) {
        for (int t = from; t < RATES.length; t++) {
            gradients(a, t);
            gradients(b, t);
            first.step(RATES[t]);
            resumed.step(RATES[t]);
        }
        assertArrayEquals(a.values(), b.values());
        for (String k : first.state().keySet()) {
            assertArrayEquals(first.state().get(k), resumed.state().get(k), k);
        }
    }

    static Parameters copy(Parameters from) {
        Parameters to = parameters(0);
        System.arraycopy(from.values(), 0, to.values(), 0, from.size());
        return to;
    }

    static Map<String, float[]> copy(Map<String, float[]> state) {
        Map<String, float[]> c = new LinkedHashMap<>();
        state.forEach((k, v) -> c.put(k, v.clone()));
        return c;
    }

    static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** |a - ref| <= atol + rtol * |ref| elementwise. */
    static void assertClose(double[] ref, float[] actual, double atol, double rtol, String what) {
        assertEquals(ref.length, actual.length);
        for (int i = 0; i < ref.length; i++) {
            double err = Math.abs(actual[i] - ref[i]);
            assertTrue(err <= atol + rtol * Math.abs(ref[i]),
                    what + "[" + i + "]: " + actual[i] + " vs reference " + ref[i] + " (error " + err + ")");
        }
    }
}
