package dev.chimera.core.eval.fourier;

import dev.chimera.core.kernel.Activation;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.layers.Linear;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * The synthetic experiment's model (toy_synthetic.py, class MLP): input (2) -> Linear 64 -> ReLU
 * -> Linear 32 -> ReLU -> head, where the head is a {@link LinearToyHead} or a
 * {@link FourierToyHead} over B bins. The input is the pair of bin indices of (x, y), as floats,
 * exactly as the reference feeds it (it quantises the features with the same B bins).
 */
public final class ToyMlp {
    public static final int INPUTS = 2;
    public static final int HIDDEN1 = 64;
    public static final int HIDDEN2 = 32;

    private final Parameters parameters;
    private final Linear fc1;
    private final Linear fc2;
    private final ToyHead head;

    /** {@code frequencies} and {@code gamma} are used by the Fourier head only. */
    public ToyMlp(HeadKind kind, int frequencies, int bins, double gamma, ComputePool pool) {
        Parameters.Builder b = Parameters.builder();
        fc1 = new Linear(b, "fc1", INPUTS, HIDDEN1, true);
        fc2 = new Linear(b, "fc2", HIDDEN1, HIDDEN2, true);
        head = kind == HeadKind.LINEAR ? new LinearToyHead(b, "head", HIDDEN2, bins)
                : new FourierToyHead(b, "head", HIDDEN2, frequencies, bins, gamma, pool);
        parameters = b.build();
        fc1.bind(parameters);
        fc2.bind(parameters);
        head.bind(parameters);
    }

    public Parameters parameters() {
        return parameters;
    }

    public ToyHead head() {
        return head;
    }

    /**
     * PyTorch's default nn.Linear initialisation for every layer (weight and bias uniform on
     * +-1/sqrt(in), what kaiming_uniform with a = sqrt(5) reduces to), then the head's own scaling.
     */
    public void initialise(SplittableRandom random) {
        for (Linear l : new Linear[] {fc1, fc2, head.projection()}) {
            double bound = 1 / Math.sqrt(l.in());
            for (Tensor t : new Tensor[] {parameters.value(l.weightName()), parameters.value(biasName(l))}) {
                float[] v = t.data();
                for (int i = t.offset(); i < t.offset() + t.size(); i++) {
                    v[i] = (float) Draws.uniform(random, -bound, bound);
                }
            }
        }
        head.initialise();
    }

    /** Linear names its tensors prefix.weight and prefix.bias. */
    private static String biasName(Linear l) {
        String w = l.weightName();
        return w.substring(0, w.length() - "weight".length()) + "bias";
    }

    /** Every buffer of a forward and backward pass over {@code rows} rows. */
    public final class Activations {
        final Tensor input;    // (rows, 2): the caller writes the features here
        final int[] targets;   // (rows): the caller writes the target bins here
        final Tensor h1;       // (rows, 64) pre-activation
        final Tensor a1;       // (rows, 64)
        final Tensor h2;       // (rows, 32) pre-activation
        final Tensor a2;       // (rows, 32)
        final Tensor da1;      // (rows, 64), then dh1 in place
        final Tensor da2;      // (rows, 32), then dh2 in place
        final Tensor logits;   // (rows, B)
        final ToyHead.Activations headActivations;

        public Activations(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("ToyMlp: rows must be >= 1, got " + rows);
            }
            input = Tensor.zeros(rows, INPUTS);
            targets = new int[rows];
            h1 = Tensor.zeros(rows, HIDDEN1);
            a1 = Tensor.zeros(rows, HIDDEN1);
            h2 = Tensor.zeros(rows, HIDDEN2);
            a2 = Tensor.zeros(rows, HIDDEN2);
            da1 = Tensor.zeros(rows, HIDDEN1);
            da2 = Tensor.zeros(rows, HIDDEN2);
            logits = Tensor.zeros(rows, head.bins());
            headActivations = head.allocate(rows);
        }

        public Tensor input() {
            return input;
        }

        public int[] targets() {
            return targets;
        }

        public int rows() {
            return targets.length;
        }
    }

    /** The training loss of the rows in {@code a} (their input and targets filled in). */
    public double forward(Kernels k, Activations a) {
        hidden(k, a);
        return head.forward(k, a.a2, a.targets, a.headActivations);
    }

    /** Accumulates every parameter gradient of the last {@link #forward}. */
    public void backward(Kernels k, Activations a) {
        head.backward(k, a.da2, a.a2, a.targets, a.headActivations);
        k.activationBackward(Activation.RELU, a.da2, a.da2, a.h2);
        fc2.backward(k, a.da1, a.da2, a.a1, false);
        k.activationBackward(Activation.RELU, a.da1, a.da1, a.h1);
        fc1.backward(k, null, a.da1, a.input, false);
    }

    /**
     * out (rows, B) = softmax(logits) in double, the predicted distribution the reference scores
     * (torch.softmax of the model output; for the Fourier head that is (p + 1e-5) / (1 + B 1e-5)).
     */
    public void predict(Kernels k, Activations a, double[] out) {
        int bins = head.bins();
        if (out.length != a.rows() * bins) {
            throw new IllegalArgumentException("ToyMlp.predict: out has " + out.length + " values for (" + a.rows()
                    + ", " + bins + ")");
        }
        hidden(k, a);
        head.logits(k, a.logits, a.a2, a.headActivations);
        float[] l = a.logits.data();
        for (int r = 0; r < a.rows(); r++) {
            int o = a.logits.offset() + r * bins;
            double max = Double.NEGATIVE_INFINITY;
            for (int m = 0; m < bins; m++) {
                max = Math.max(max, l[o + m]);
            }
            double sum = 0;
            for (int m = 0; m < bins; m++) {
                double e = Math.exp(l[o + m] - max);
                out[r * bins + m] = e;
                sum += e;
            }
            for (int m = 0; m < bins; m++) {
                out[r * bins + m] /= sum;
            }
        }
    }

    private void hidden(Kernels k, Activations a) {
        fc1.forward(k, a.h1, a.input);
        k.activation(Activation.RELU, a.a1, a.h1);
        fc2.forward(k, a.h2, a.a1);
        k.activation(Activation.RELU, a.a2, a.h2);
    }
}
