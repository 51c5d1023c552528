package dev.chimera.core.train;

import static dev.chimera.core.train.OptimizerFixture.RATES;
import static dev.chimera.core.train.OptimizerFixture.assertClose;
import static dev.chimera.core.train.OptimizerFixture.assertSameContinuation;
import static dev.chimera.core.train.OptimizerFixture.copy;
import static dev.chimera.core.train.OptimizerFixture.doubles;
import static dev.chimera.core.train.OptimizerFixture.gradients;
import static dev.chimera.core.train.OptimizerFixture.parameters;
import static dev.chimera.core.train.OptimizerFixture.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.model.Parameters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AdamWTest {

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

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.chimera.core.train.OptimizerFixture#backends")
    void firstStepIsMinusLrTimesSignWithDecayOnlyOnDecayTensors(Backend k) {
        Parameters p = Parameters.builder().add("w", true, 2).add("b", false, 2).build();
        float[] v = {1f, -2f, 1f, -2f};
        System.arraycopy(v, 0, p.values(), 0, 4);
        float[] g = {0.5f, -3f, 0.5f, -3f};
        System.arraycopy(g, 0, p.grads(), 0, 4);
        AdamW opt = new AdamW(p, new AdamW.Settings(0.9, 0.95, 1e-8, 0.1), k);
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.chimera.core.train.OptimizerFixture#backends")
    void sixStepsMatchADoublePrecisionReference(Backend k) {
        AdamW.Settings s = new AdamW.Settings(0.9, 0.95, 1e-8, 0.1);
        Parameters p = parameters(7);
        double[] p0 = doubles(p.values());
        AdamW opt = new AdamW(p, s, k);
        steps(opt, p, 0, RATES.length);
        // Values of magnitude <= 1 carried in float through six updates: a few float ulps each step.
        assertClose(reference(p, p0, s, RATES.length), p.values(), 2e-6, 1e-6, "values");
        assertEquals(RATES.length, opt.steps());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.chimera.core.train.OptimizerFixture#backends")
    void restoredStateContinuesBitForBit(Backend k) {
        AdamW.Settings s = AdamW.Settings.defaults();
        Parameters a = parameters(3);
        AdamW first = new AdamW(a, s, k);
        steps(first, a, 0, 3);
        Parameters b = copy(a);
        Map<String, float[]> saved = copy(first.state());
        AdamW resumed = new AdamW(b, s, k);
        resumed.restore(first.steps(), saved);
        assertEquals(List.of("exp_avg", "exp_avg_sq"), List.copyOf(resumed.state().keySet()));
        assertSameContinuation(first, a, resumed, b, 3);
        assertEquals(first.steps(), resumed.steps());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.chimera.core.train.OptimizerFixture#backends")
    void stateIsTwoFloatsPerParameterAndRestoreChecksNamesAndLengths(Backend k) {
        Parameters p = parameters(1);
        AdamW opt = new AdamW(p, AdamW.Settings.defaults(), k);
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
