package dev.chimera.core.train;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter, "Decoupled weight decay regularization"): Adam moments with
 * bias correction, and weight decay applied to the weights directly (p -= lr * wd * p), only on
 * tensors whose {@link Parameters.Entry#decay()} is set (not norms, biases, A_log, D, dt_bias).
 * State: two floats per parameter. The update itself is the backend's {@link Backend#adamwUpdate}.
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
    private final Backend backend;
    private final Tensor m;
    private final Tensor v;
    private long steps;

    public AdamW(Parameters parameters, Settings settings, Backend backend) {
        this.parameters = parameters;
        this.settings = settings;
        this.backend = backend;
        this.m = backend.allocate(parameters.size());
        this.v = backend.allocate(parameters.size());
    }

    @Override
    public String name() {
        return "adamw";
    }

    @Override
    public void step(double learningRate) {
        steps++;
        float b1 = (float) settings.beta1();
        float b2 = (float) settings.beta2();
        float eps = (float) settings.eps();
        // Bias corrections folded into the step size and the denominator (Adam paper, section 2).
        float c1 = (float) (1 - Math.pow(settings.beta1(), steps));
        float c2 = (float) (1 - Math.pow(settings.beta2(), steps));
        float lr = (float) learningRate;
        for (Parameters.Entry e : parameters.entries()) {
            float keep = e.decay() ? (float) (1 - learningRate * settings.weightDecay()) : 1f;
            backend.adamwUpdate(parameters.values(e), slice(m, e), slice(v, e), parameters.grads(e), lr, b1, b2, eps,
                    c1, c2, keep);
        }
    }

    private static Tensor slice(Tensor state, Parameters.Entry e) {
        return state.slice(e.offset(), e.offset() + e.size());
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public long stateBytes() {
        return 4L * (m.size() + v.size());
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> s = new LinkedHashMap<>();
        s.put("exp_avg", m.data());
        s.put("exp_avg_sq", v.data());
        return s;
    }

    @Override
    public void restoreSteps(long steps) {
        this.steps = steps;
    }
}
