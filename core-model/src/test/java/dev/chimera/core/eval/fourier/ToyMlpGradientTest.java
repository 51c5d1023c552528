package dev.chimera.core.eval.fourier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.heads.FourierActivations;
import dev.chimera.core.heads.FourierDensity;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.core.train.Batch;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * ToyMlp's backward pass (both heads, the ReLUs done in place, the bias gradients) against central
 * differences of an independent double-precision forward written here from the definitions.
 */
class ToyMlpGradientTest {
    private static final ComputePool POOL = new ComputePool(1);
    private static final Backend K = Backends.cpu(POOL);
    private static final int ROWS = 6;
    private static final int BINS = 20;
    private static final int FREQS = 4;
    private static final double H = 1e-5;

    @AfterAll
    static void close() {
        POOL.close();
    }

    @Test
    void linearHeadGradientsMatchFiniteDifferences() {
        check(HeadKind.LINEAR, 0);
    }

    @Test
    void fourierHeadGradientsMatchFiniteDifferences() {
        // A large gamma so that the regulariser's share of the gradient is visible to the check.
        check(HeadKind.FOURIER, 1e-2);
    }

    private static void check(HeadKind kind, double gamma) {
        ToyMlp model = new ToyMlp(kind, FREQS, BINS, gamma, K);
        Parameters p = model.parameters();
        SplittableRandom r = new SplittableRandom(5);
        // Uniform +-1/sqrt(in) everywhere (no /100 on the Fourier layer), so every term is O(1).
        for (Parameters.Entry e : p.entries()) {
            int in = e.shape().length == 2 ? e.shape()[1] : p.entry(e.name().replace("bias", "weight")).shape()[1];
            for (int i = e.offset(); i < e.offset() + e.size(); i++) {
                p.values()[i] = (float) Draws.uniform(r, -1 / Math.sqrt(in), 1 / Math.sqrt(in));
            }
        }
        // A batch as the experiment feeds it: inputs (1, rows, 2) of bin indices, token targets holding bins.
        Tensor inputs = Tensor.zeros(1, ROWS, 2);
        int[] targets = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            inputs.data()[2 * i] = r.nextInt(BINS);
            inputs.data()[2 * i + 1] = r.nextInt(BINS);
            targets[i] = r.nextInt(BINS);
        }
        Batch batch = new Batch(Inputs.values(inputs), Targets.tokens(targets));
        p.zeroGrads();
        double loss = model.forward(batch);
        model.backward(batch);

        double[] theta = new double[p.size()];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = p.values()[i];
        }
        float[] input = inputs.toArray();
        assertEquals(reference(kind, gamma, p, theta, input, targets), loss, 1e-5 * Math.abs(loss),
                "float32 forward vs double reference");
        for (Parameters.Entry e : p.entries()) {
            double diff = 0;
            double norm = 0;
            for (int i = e.offset(); i < e.offset() + e.size(); i++) {
                double saved = theta[i];
                theta[i] = saved + H;
                double up = reference(kind, gamma, p, theta, input, targets);
                theta[i] = saved - H;
                double down = reference(kind, gamma, p, theta, input, targets);
                theta[i] = saved;
                double numeric = (up - down) / (2 * H);
                diff += (p.grads()[i] - numeric) * (p.grads()[i] - numeric);
                norm += numeric * numeric;
            }
            // The analytic side runs in float32 (relative rounding ~1e-6 per op); the numeric side in double.
            double rel = Math.sqrt(diff) / Math.sqrt(norm);
            assertTrue(norm > 1e-12, kind + " " + e.name() + ": zero gradient proves nothing");
            assertTrue(rel < 1e-3, kind + " " + e.name() + ": relative error " + rel);
        }
    }

    /** The loss from the definitions, in double: MLP with ReLU, then mean softmax cross-entropy or the Fourier head. */
    private static double reference(HeadKind kind, double gamma, Parameters p, double[] th, float[] input, int[] targets) {
        double[] h = new double[ROWS * 2];
        for (int i = 0; i < h.length; i++) {
            h[i] = input[i];
        }
        h = relu(linear(p, th, "fc1", h, 2, ToyMlp.HIDDEN1));
        h = relu(linear(p, th, "fc2", h, ToyMlp.HIDDEN1, ToyMlp.HIDDEN2));
        if (kind == HeadKind.LINEAR) {
            double[] logits = linear(p, th, "head", h, ToyMlp.HIDDEN2, BINS);
            double sum = 0;
            for (int r = 0; r < ROWS; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int m = 0; m < BINS; m++) {
                    max = Math.max(max, logits[r * BINS + m]);
                }
                double z = 0;
                for (int m = 0; m < BINS; m++) {
                    z += Math.exp(logits[r * BINS + m] - max);
                }
                sum += max + Math.log(z) - logits[r * BINS + targets[r]];
            }
            return sum / ROWS;
        }
        FourierDensity density = new FourierDensity(FREQS, BINS, POOL, true);
        double[] z = linear(p, th, "head", h, ToyMlp.HIDDEN2, density.width());
        double[] losses = new double[ROWS];
        FourierActivations act = density.allocate(ROWS);
        density.crossEntropy(losses, z, targets, ROWS, act);
        double sum = 0;
        for (double l : losses) {
            sum += l;
        }
        return sum / ROWS + density.regularizer(gamma, act);
    }

    private static double[] linear(Parameters p, double[] th, String prefix, double[] x, int in, int out) {
        int w = p.entry(prefix + ".weight").offset();
        int b = p.entry(prefix + ".bias").offset();
        double[] y = new double[ROWS * out];
        for (int r = 0; r < ROWS; r++) {
            for (int o = 0; o < out; o++) {
                double s = th[b + o];
                for (int i = 0; i < in; i++) {
                    s += th[w + o * in + i] * x[r * in + i];
                }
                y[r * out + o] = s;
            }
        }
        return y;
    }

    private static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(0, x[i]);
        }
        return y;
    }
}
