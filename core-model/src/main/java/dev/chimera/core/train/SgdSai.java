package dev.chimera.core.train;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD-SaI (Xu et al., "No More Adam: Learning Rate Scaling at Initialization is All You Need",
 * arXiv 2412.11768): SGD with momentum whose learning rate is scaled once per parameter tensor,
 * at the first step, by the gradient signal-to-noise ratio (g-SNR) of that first gradient, and
 * decoupled weight decay.
 *
 * <p>The maths follows the official code, AnonymousAlethiometer/SGD_SaI, file
 * {@code sgd_sai/sgd_sai.py} at tag v1.0.3 (the {@code main} branch, commit e213080). For each
 * tensor with first gradient {@code g} of {@code n} elements (all dimensions flattened):
 * <pre>
 *   sigma = std(g) with Bessel's correction, sqrt(sum (g_i - mean)^2 / (n - 1)); 0 when n = 1
 *           (torch's std is NaN there and the official code maps it to 0 with nan_to_num)
 *   gsnr  = ||g||_2 / (sigma + eps)
 * </pre>
 * and at every step t = 1, 2, ...:
 * <pre>
 *   buf_1 = g_1                                   (the first step copies the gradient, no dampening)
 *   buf_t = momentum * buf_{t-1} + (1 - momentum) * g_t
 *   p_t   = p_{t-1} * (1 - lr * weightDecay) - lr * gsnr * buf_t
 * </pre>
 * The decay factor applies only to tensors whose {@link Parameters.Entry#decay()} is set (the
 * official code decays whatever its parameter group says; here the group is the decay flag).
 * Consequences of the official formula that are kept as they are: a tensor whose first gradient
 * is all zeros gets gsnr = 0 and never moves again except by decay; a one-element tensor, or one
 * whose first gradient is constant, has sigma = 0 and gets gsnr = ||g|| / eps, a very large scale.
 * The statistics are computed in double here (torch uses float32), so a constant gradient gives
 * sigma exactly 0. Later versions on other branches (1.0.4 divides by the largest gsnr; the
 * 1.1.0 nightly replaces gsnr by sqrt(n)) are not what the paper describes and are not followed.
 *
 * <p>Defaults as in the official code: momentum 0.9, eps 1e-8, weight decay 1e-2 (and learning
 * rate 1e-2, which the caller's schedule supplies). State: the momentum buffer, one float per
 * parameter, and the g-SNR scales, one float per tensor, so half of {@link AdamW}'s state plus
 * one float per tensor; both are in {@link #state()}, so a restored optimiser continues bit for bit.
 * A first gradient whose g-SNR is not finite is refused (the trainer skips such steps).
 */
public final class SgdSai implements Optimizer {

    /** Hyper-parameters: (momentum, eps, weightDecay); {@link #defaults()} are the official 0.9 / 1e-8 / 1e-2. */
    public record Settings(double momentum, double eps, double weightDecay) {
        public Settings {
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("SGD-SaI momentum must lie in [0, 1), got " + momentum);
            }
            if (!(eps > 0) || Double.isInfinite(eps)) {
                throw new IllegalArgumentException("SGD-SaI eps must be finite and > 0, got " + eps);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("SGD-SaI weightDecay must be finite and >= 0, got " + weightDecay);
            }
        }

        public static Settings defaults() {
            return new Settings(0.9, 1e-8, 1e-2);
        }
    }

    private final Parameters parameters;
    private final Settings settings;
    private final Backend backend;
    /** (parameters.size()): the momentum buffer. */
    private final Tensor buf;
    /** (entries): the g-SNR of each tensor's first gradient, in declaration order. */
    private final float[] gsnr;
    private long steps;

    public SgdSai(Parameters parameters, Settings settings, Backend backend) {
        if (parameters == null || settings == null) {
            throw new IllegalArgumentException("SGD-SaI needs parameters and settings, got " + parameters + ", "
                    + settings);
        }
        this.parameters = parameters;
        this.settings = settings;
        this.backend = backend;
        this.buf = backend.allocate(parameters.size());
        this.gsnr = new float[parameters.entries().size()];
    }

    @Override
    public String name() {
        return "sgd_sai";
    }

    @Override
    public void step(double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("SGD-SaI learning rate must be finite and >= 0, got " + learningRate);
        }
        boolean first = steps == 0;
        if (first) {
            float[] g = new float[parameters.size()];
            backend.download(g, parameters.flatGrads());
            measureGsnr(g);
        }
        float momentum = (float) settings.momentum();
        float dampening = (float) (1 - settings.momentum());
        int k = 0;
        for (Parameters.Entry e : parameters.entries()) {
            float keep = e.decay() ? (float) (1 - learningRate * settings.weightDecay()) : 1f;
            float stepSize = (float) (learningRate * gsnr[k++]);
            backend.sgdSaiUpdate(parameters.values(e), buf.slice(e.offset(), e.offset() + e.size()),
                    parameters.grads(e), stepSize, momentum, dampening, keep, first);
        }
        steps++;
    }

    /** g-SNR of every tensor's gradient, ||g|| / (std(g) + eps), in double; checked before any state changes. */
    private void measureGsnr(float[] g) {
        float[] scales = new float[gsnr.length];
        int k = 0;
        for (Parameters.Entry e : parameters.entries()) {
            double s = gsnr(g, e.offset(), e.size(), settings.eps());
            if (!Double.isFinite(s) || (float) s == Float.POSITIVE_INFINITY) {
                throw new IllegalStateException("SGD-SaI: the first gradient of '" + e.name()
                        + "' gives a non-finite g-SNR (" + s + "); the first step needs finite gradients");
            }
            scales[k++] = (float) s;
        }
        System.arraycopy(scales, 0, gsnr, 0, scales.length);
    }

    /** ||g|| / (sigma + eps) over g[from, from + n), sigma the Bessel-corrected standard deviation (0 for n = 1). */
    static double gsnr(float[] g, int from, int n, double eps) {
        double sum = 0;
        double sumSquares = 0;
        for (int i = from; i < from + n; i++) {
            sum += g[i];
            sumSquares += (double) g[i] * g[i];
        }
        double mean = sum / n;
        double deviations = 0;
        for (int i = from; i < from + n; i++) {
            double d = g[i] - mean;
            deviations += d * d;
        }
        double sigma = n > 1 ? Math.sqrt(deviations / (n - 1)) : 0;
        return Math.sqrt(sumSquares) / (sigma + eps);
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public long stateBytes() {
        return 4L * (buf.size() + gsnr.length);
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> s = new LinkedHashMap<>();
        s.put("momentum_buffer", buf.data());
        s.put("gsnr", gsnr);
        return s;
    }

    @Override
    public void restoreSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("SGD-SaI step count must be >= 0, got " + steps);
        }
        this.steps = steps;
    }
}
