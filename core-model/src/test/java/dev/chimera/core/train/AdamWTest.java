package dev.chimera.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.model.Parameters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AdamWTest {

    /** Learning rates of the steps in the tests: they vary, as a schedule's do. */
    static final double[] RATES = {1e-2, 2e-2, 3e-2, 2.5e-2, 1e-2, 5e-3};

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

    /** AdamW in double, written from the paper: m, v, bias corrections, decoupled decay on decay tensors only. */
    private static double[] reference(Parameters shape, double[] p0, AdamW.Settings s, int steps) {
        double[] p = p0.clone();
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        Parameters grads = parameters(0);
        for (int t = 1; t <= steps; t++) {
            gradients(grads, t - 1);
            double lr = RATES[t - 1];
            for (Parameters.Entry e : shape.entries()) {
                for (int i = e.offset(); i < e.offset() + e.size(); i++) {
                    double g = grads.grads()[i];
                    m[i] = s.beta1() * m[i] + (1 - s.beta1()) * g;
                    v[i] = s.beta2() * v[i] + (1 - s.beta2()) * g * g;
                    double mHat = m[i] / (1 - Math.pow(s.beta1(), t));
                    double vHat = v[i] / (1 - Math.pow(s.beta2(), t));
                    if (e.decay()) {
                        p[i] -= lr * s.weightDecay() * p[i];
                    }
                    p[i] -= lr * mHat / (Math.sqrt(vHat) + s.eps());
                }
            }
        }
        return p;
    }

    private static double[] doubles(float[] f) {
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

    @Test
    void firstStepIsMinusLrTimesSignWithDecayOnlyOnDecayTensors() {
        Parameters p = Parameters.builder().add("w", true, 2).add("b", false, 2).build();
        float[] v = {1f, -2f, 1f, -2f};
        System.arraycopy(v, 0, p.values(), 0, 4);
        float[] g = {0.5f, -3f, 0.5f, -3f};
        System.arraycopy(g, 0, p.grads(), 0, 4);
        AdamW opt = new AdamW(p, new AdamW.Settings(0.9, 0.95, 1e-8, 0.1));
        opt.step(0.01);
        // mHat = g and vHat = g^2 at step 1, so the update is lr * g / (|g| + eps) = lr * sign(g).
        double[] expected = {
            1 * (1 - 0.001) - 0.01 * 0.5 / (0.5 + 1e-8),
            -2 * (1 - 0.001) + 0.01 * 3 / (3 + 1e-8),
            1 - 0.01 * 0.5 / (0.5 + 1e-8),
            -2 + 0.01 * 3 / (3 + 1e-8)};
        // Float rounding of values of magnitude <= 2: a few ulps.
        assertClose(expected, p.values(), 1e-6, 0, "values");
        assertEquals(1, opt.steps());
    }

    @Test
    void sixStepsMatchADoublePrecisionReference() {
        AdamW.Settings s = new AdamW.Settings(0.9, 0.95, 1e-8, 0.1);
        Parameters p = parameters(7);
        double[] p0 = doubles(p.values());
        AdamW opt = new AdamW(p, s);
        for (int t = 0; t < RATES.length; t++) {
            gradients(p, t);
            opt.step(RATES[t]);
        }
        // Values of magnitude <= 1 carried in float through six updates: a few float ulps each step.
        assertClose(reference(p, p0, s, RATES.length), p.values(), 2e-6, 1e-6, "values");
        assertEquals(RATES.length, opt.steps());
    }

    @Test
    void restoredStateContinuesBitForBit() {
        AdamW.Settings s = AdamW.Settings.defaults();
        Parameters a = parameters(3);
        AdamW first = new AdamW(a, s);
        for (int t = 0; t < 3; t++) {
            gradients(a, t);
            first.step(RATES[t]);
        }
        Parameters b = copy(a);
        Map<String, float[]> saved = copy(first.state());
        AdamW resumed = new AdamW(b, s);
        resumed.restore(first.steps(), saved);
        assertEquals(List.of("exp_avg", "exp_avg_sq"), List.copyOf(resumed.state().keySet()));
        for (int t = 3; t < RATES.length; t++) {
            gradients(a, t);
            gradients(b, t);
            first.step(RATES[t]);
            resumed.step(RATES[t]);
        }
        assertArrayEquals(a.values(), b.values());
        for (String k : first.state().keySet()) {
            assertArrayEquals(first.state().get(k), resumed.state().get(k), k);
        }
        assertEquals(first.steps(), resumed.steps());
    }

    @Test
    void stateIsTwoFloatsPerParameterAndRestoreChecksNamesAndLengths() {
        Parameters p = parameters(1);
        AdamW opt = new AdamW(p, AdamW.Settings.defaults());
        assertEquals(8L * p.size(), opt.stateBytes());
        Map<String, float[]> wrong = copy(opt.state());
        wrong.put("exp_avg", new float[p.size() + 1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.restore(1, wrong));
        assertTrue(e.getMessage().contains("exp_avg"), e.getMessage());
        Map<String, float[]> missing = new LinkedHashMap<>();
        missing.put("exp_avg", new float[p.size()]);
        assertThrows(IllegalArgumentException.class, () -> opt.restore(1, missing));
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Settings(1.0, 0.95, 1e-8, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Settings(0.9, Double.NaN, 1e-8, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Settings(0.9, 0.95, 0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Settings(0.9, 0.95, 1e-8, -1));
    }
}
