package dev.chimera.core.train;

import static dev.chimera.core.train.OptimizerFixture.RATES;
import static dev.chimera.core.train.OptimizerFixture.assertClose;
import static dev.chimera.core.train.OptimizerFixture.assertSameContinuation;
import static dev.chimera.core.train.OptimizerFixture.copy;
import static dev.chimera.core.train.OptimizerFixture.doubles;
import static dev.chimera.core.train.OptimizerFixture.gradients;
import static dev.chimera.core.train.OptimizerFixture.parameters;
import static dev.chimera.core.train.OptimizerFixture.steps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.model.Parameters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SgdSaiTest {

    /**
     * SGD-SaI in double, from sgd_sai.py (v1.0.3): g-SNR from the first gradient as the 2-norm over
     * the unbiased standard deviation plus eps (the deviation taken as 0 for one element); the
     * buffer starts as the first gradient; decoupled decay on decay tensors only.
     */
    private static double[] reference(Parameters shape, double[] p0, SgdSai.Settings s, int steps) {
        double[] p = p0.clone();
        double[] buf = new double[p.length];
        double[] gsnr = new double[shape.entries().size()];
        Parameters grads = parameters(0);
        for (int t = 1; t <= steps; t++) {
            gradients(grads, t - 1);
            double lr = RATES[t - 1];
            int k = 0;
            for (Parameters.Entry e : shape.entries()) {
                int n = e.size();
                if (t == 1) {
                    double mean = 0;
                    for (int i = 0; i < n; i++) {
                        mean += grads.grads()[e.offset() + i] / (double) n;
                    }
                    double var = 0;
                    double norm2 = 0;
                    for (int i = 0; i < n; i++) {
                        double g = grads.grads()[e.offset() + i];
                        var += (g - mean) * (g - mean);
                        norm2 += g * g;
                    }
                    double std = n == 1 ? 0 : Math.sqrt(var / (n - 1));
                    gsnr[k] = Math.sqrt(norm2) / (std + s.eps());
                }
                for (int i = e.offset(); i < e.offset() + n; i++) {
                    double g = grads.grads()[i];
                    buf[i] = t == 1 ? g : s.momentum() * buf[i] + (1 - s.momentum()) * g;
                    double keep = e.decay() ? 1 - lr * s.weightDecay() : 1;
                    p[i] = p[i] * keep - lr * gsnr[k] * buf[i];
                }
                k++;
            }
        }
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.chimera.core.train.OptimizerFixture#backends")
    void firstStepByHand(Backend k) {
        Parameters p = Parameters.builder().add("w", false, 3).build();
        float[] g = {1f, 2f, 3f};
        System.arraycopy(g, 0, p.grads(), 0, 3);
        SgdSai opt = new SgdSai(p, SgdSai.Settings.defaults(), k);
        opt.step(0.1);
        // mean 2, unbiased std sqrt((1 + 0 + 1) / 2) = 1, norm sqrt(14): gsnr = sqrt(14) / (1 + 1e-8);
        // the buffer is the gradient itself at step 1, not (1 - momentum) times it.
        double gsnr = Math.sqrt(14) / (1 + 1e-8);
        assertEquals((float) gsnr, opt.state().get("gsnr")[0]);
        assertArrayEquals(g, opt.state().get("momentum_buffer"));
        assertClose(new double[] {-0.1 * gsnr, -0.2 * gsnr, -0.3 * gsnr}, p.values(), 1e-6, 1e-6, "values");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.chimera.core.train.OptimizerFixture#backends")
    void sixStepsMatchADoublePrecisionReference(Backend k) {
        SgdSai.Settings s = new SgdSai.Settings(0.9, 1e-8, 0.1);
        Parameters p = parameters(7);
        double[] p0 = doubles(p.values());
        SgdSai opt = new SgdSai(p, s, k);
        steps(opt, p, 0, RATES.length);
        // Values of magnitude ~1 carried in float through six updates, the g-SNR rounded to float once.
        assertClose(reference(p, p0, s, RATES.length), p.values(), 2e-6, 1e-6, "values");
        assertEquals(RATES.length, opt.steps());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.chimera.core.train.OptimizerFixture#backends")
    void restoredStateContinuesBitForBit(Backend k) {
        SgdSai.Settings s = SgdSai.Settings.defaults();
        Parameters a = parameters(3);
        SgdSai first = new SgdSai(a, s, k);
        steps(first, a, 0, 3);
        Parameters b = copy(a);
        SgdSai resumed = new SgdSai(b, s, k);
        resumed.restore(first.steps(), copy(first.state()));
        assertEquals(List.of("momentum_buffer", "gsnr"), List.copyOf(resumed.state().keySet()));
        assertSameContinuation(first, a, resumed, b, 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.chimera.core.train.OptimizerFixture#backends")
    void stateIsHalfOfAdamWPlusOneFloatPerTensor(Backend k) {
        Parameters p = parameters(1);
        long adamw = new AdamW(p, AdamW.Settings.defaults(), k).stateBytes();
        SgdSai opt = new SgdSai(p, SgdSai.Settings.defaults(), k);
        int tensors = p.entries().size();
        assertEquals(4L * p.size() + 4L * tensors, opt.stateBytes());
        assertTrue(opt.stateBytes() <= adamw / 2 + 4L * tensors);
        assertEquals(p.size(), opt.state().get("momentum_buffer").length);
        assertEquals(tensors, opt.state().get("gsnr").length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.chimera.core.train.OptimizerFixture#backends")
    void singleElementTensorTakesNormOverEpsAsTheOfficialCodeDoes(Backend k) {
        // torch's std of one element is NaN, mapped to 0 by nan_to_num: gsnr = |g| / eps.
        Parameters p = Parameters.builder().add("scale", false, 1).add("w", true, 2).build();
        p.values()[0] = 1f;
        p.grads()[0] = -0.5f;
        p.grads()[1] = 1f;
        p.grads()[2] = -1f;
        SgdSai opt = new SgdSai(p, new SgdSai.Settings(0.9, 1e-8, 0.01), k);
        opt.step(1e-6);
        float gsnr = opt.state().get("gsnr")[0];
        assertEquals((float) (0.5 / 1e-8), gsnr);
        assertEquals(1f - (float) (1e-6 * gsnr) * -0.5f, p.values()[0]);
        // [1, -1]: mean 0, std sqrt(2), norm sqrt(2): gsnr = sqrt(2) / (sqrt(2) + eps), just below 1.
        assertEquals((float) (Math.sqrt(2) / (Math.sqrt(2) + 1e-8)), opt.state().get("gsnr")[1]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.chimera.core.train.OptimizerFixture#backends")
    void constantGradientHasZeroDeviationAndZeroGradientFreezesTheTensor(Backend k) {
        Parameters p = Parameters.builder().add("const", false, 4).add("dead", true, 3).add("nodecay", false, 2)
                .build();
        for (int i = 0; i < p.size(); i++) {
            p.values()[i] = 0.5f;
        }
        for (int i = 0; i < 4; i++) {
            p.grads()[i] = 0.25f;
        }
        SgdSai.Settings s = new SgdSai.Settings(0.9, 1e-8, 0.1);
        SgdSai opt = new SgdSai(p, s, k);
        opt.step(0.01);
        float[] gsnr = opt.state().get("gsnr");
        // constant 0.25 over 4 elements: std exactly 0, norm 0.5, gsnr = 0.5 / 1e-8.
        assertEquals((float) (0.5 / 1e-8), gsnr[0]);
        // All-zero gradient: norm 0 over (0 + eps) is 0, so the tensor keeps only its decay, now and later.
        assertEquals(0f, gsnr[1]);
        assertEquals(0f, gsnr[2]);
        float keep = (float) (1 - 0.01 * 0.1);
        assertEquals(0.5f * keep, p.values()[4]);
        assertEquals(0.5f, p.values()[7]);
        p.grads()[5] = 3f;
        p.grads()[8] = -3f;
        opt.step(0.01);
        assertEquals(0.5f * keep * keep, p.values()[5]);
        assertEquals(0.5f, p.values()[8]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.chimera.core.train.OptimizerFixture#backends")
    void nonFiniteFirstGradientIsRefusedAndLeavesTheStateUntouched(Backend k) {
        Parameters p = parameters(2);
        p.grads()[3] = Float.NaN;
        float[] before = p.values().clone();
        SgdSai opt = new SgdSai(p, SgdSai.Settings.defaults(), k);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> opt.step(0.01));
        assertTrue(e.getMessage().contains("'w'"), e.getMessage());
        assertEquals(0, opt.steps());
        assertArrayEquals(before, p.values());
        assertArrayEquals(new float[4], opt.state().get("gsnr"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.chimera.core.train.OptimizerFixture#backends")
    void badSettingsAndRatesAreRejected(Backend k) {
        assertThrows(IllegalArgumentException.class, () -> new SgdSai.Settings(1.0, 1e-8, 0.01));
        assertThrows(IllegalArgumentException.class, () -> new SgdSai.Settings(0.9, 0, 0.01));
        assertThrows(IllegalArgumentException.class, () -> new SgdSai.Settings(0.9, 1e-8, Double.NaN));
        SgdSai opt = new SgdSai(parameters(1), SgdSai.Settings.defaults(), k);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.step(-1));
        assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
        Map<String, float[]> s = opt.state();
        assertEquals(2, s.size());
    }
}
