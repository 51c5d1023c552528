package dev.chimera.core.train;

import dev.chimera.core.model.Parameters;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter, "Decoupled weight decay regularization"): Adam moments with
 * bias correction, and weight decay applied to the weights directly (p -= lr * wd * p), only on
 * tensors whose {@link Parameters.Entry#decay()} is set (not norms, biases, A_log, D, dt_bias).
 * State: two floats per parameter.
 */
public final class AdamW implements Optimizer {

    /** Hyper-parameters: (beta1, beta2, eps, weightDecay); {@link #defaults()} are the GPT-style 0.9/0.95/1e-8/0.1. */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {
        public Settings {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("AdamW betas must lie in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(eps > 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW needs eps > 0 and weightDecay >= 0, got " + eps + ", "
                        + weightDecay);
            }
        }

        public static Settings defaults() {
            return new Settings(0.9, 0.95, 1e-8, 0.1);
        }
    }

    private final Parameters parameters;
    private final Settings settings;
    private final float[] m;
    private final float[] v;
    private long steps;

    public AdamW(Parameters parameters, Settings settings) {
        this.parameters = parameters;
        this.settings = settings;
        this.m = new float[parameters.size()];
        this.v = new float[parameters.size()];
    }

    @Override
    public String name() {
        return "adamw";
    }

    @Override
    public void step(double learningRate) {
        steps++;
        float[] p = parameters.values();
        float[] g = parameters.grads();
        float b1 = (float) settings.beta1();
        float b2 = (float) settings.beta2();
        float eps = (float) settings.eps();
        // Bias corrections folded into the step size and the denominator (Adam paper, section 2).
        float c1 = (float) (1 - Math.pow(settings.beta1(), steps));
        float c2 = (float) (1 - Math.pow(settings.beta2(), steps));
        float lr = (float) learningRate;
        for (Parameters.Entry e : parameters.entries()) {
            float keep = e.decay() ? (float) (1 - learningRate * settings.weightDecay()) : 1f;
            for (int i = e.offset(), end = e.offset() + e.size(); i < end; i++) {
                float gi = g[i];
                float mi = b1 * m[i] + (1 - b1) * gi;
                float vi = b2 * v[i] + (1 - b2) * gi * gi;
                m[i] = mi;
                v[i] = vi;
                float mHat = mi / c1;
                float vHat = vi / c2;
                p[i] = p[i] * keep - lr * mHat / ((float) Math.sqrt(vHat) + eps);
            }
        }
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public long stateBytes() {
        return 4L * (m.length + v.length);
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> s = new LinkedHashMap<>();
        s.put("exp_avg", m);
        s.put("exp_avg_sq", v);
        return s;
    }

    @Override
    public void restoreSteps(long steps) {
        this.steps = steps;
    }
}
