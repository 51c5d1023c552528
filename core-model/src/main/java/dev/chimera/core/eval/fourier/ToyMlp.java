package dev.chimera.core.eval.fourier;

import dev.chimera.core.backend.Arena;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.kernel.Activation;
import dev.chimera.core.layers.FourierHead;
import dev.chimera.core.layers.Head;
import dev.chimera.core.layers.Linear;
import dev.chimera.core.layers.SoftmaxHead;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.core.train.Batch;
import dev.chimera.core.train.TrainableModel;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The synthetic experiment's model (toy_synthetic.py, class MLP): input (2) -> Linear 64 -> ReLU
 * -> Linear 32 -> ReLU -> head, where the head is the decoder's {@link SoftmaxHead} with a bias
 * (the paper's linear head) or its {@link FourierHead} over B bins with the reference's settings
 * (gamma as given; weight and bias divided by 100 at initialisation). The input is the pair of
 * bin indices of (x, y), as floats, exactly as the reference feeds it (it quantises the features
 * with the same B bins); the target is the bin of z. Trained by the same {@link
 * dev.chimera.core.train.Trainer} as the decoder: batches are inputs (1, rows, 2) with token
 * targets (the bins).
 */
public final class ToyMlp implements TrainableModel {
    public static final int INPUTS = 2;
    public static final int HIDDEN1 = 64;
    public static final int HIDDEN2 = 32;

    private final Backend backend;
    private final HeadKind kind;
    private final int bins;
    private final Parameters parameters;
    private final Linear fc1;
    private final Linear fc2;
    private final Head head;
    private final Map<Integer, Activations> byRows = new HashMap<>();

    /** {@code frequencies} and {@code gamma} are used by the Fourier head only. */
    public ToyMlp(HeadKind kind, int frequencies, int bins, double gamma, Backend backend) {
        if (bins < 2) {
            throw new IllegalArgumentException("ToyMlp: bins must be >= 2, got " + bins);
        }
        this.backend = backend;
        this.kind = kind;
        this.bins = bins;
        Parameters.Builder b = Parameters.builder();
        fc1 = new Linear(b, "fc1", INPUTS, HIDDEN1, true);
        fc2 = new Linear(b, "fc2", HIDDEN1, HIDDEN2, true);
        head = kind == HeadKind.LINEAR ? SoftmaxHead.withBias(b, "head", HIDDEN2, bins)
                : new FourierHead(b, "head", HIDDEN2, 1, frequencies, bins, FourierHead.Settings.reference(gamma),
                backend);
        parameters = b.build();
        fc1.bind(parameters);
        fc2.bind(parameters);
        head.bind(parameters);
    }

    @Override
    public Parameters parameters() {
        return parameters;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /**
     * PyTorch's default nn.Linear initialisation for every layer (weight and bias uniform on
     * +-1/sqrt(in), what kaiming_uniform with a = sqrt(5) reduces to), then the head's own scaling.
     */
    public void initialise(SplittableRandom random) {
        Linear headLinear = kind == HeadKind.LINEAR ? ((SoftmaxHead) head).projection()
                : ((FourierHead) head).projection();
        for (Linear l : new Linear[] {fc1, fc2, headLinear}) {
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

    /** Every buffer of a forward and backward pass over {@code rows} rows, in one arena. */
    public final class Activations {
        final int rows;
        final Tensor h1;       // (rows, 64) pre-activation
        final Tensor a1;       // (rows, 64)
        final Tensor h2;       // (rows, 32) pre-activation
        final Tensor a2;       // (rows, 32)
        final Tensor da1;      // (rows, 64), then dh1 in place
        final Tensor da2;      // (rows, 32), then dh2 in place
        final Tensor logits;   // (rows, B)
        final Tensor probs;    // (rows, B), the Fourier head's density
        final Head.Activations headActivations;

        public Activations(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("ToyMlp: rows must be >= 1, got " + rows);
            }
            this.rows = rows;
            Arena arena = new Arena(backend);
            h1 = arena.take("h1", rows, HIDDEN1);
            a1 = arena.take("a1", rows, HIDDEN1);
            h2 = arena.take("h2", rows, HIDDEN2);
            a2 = arena.take("a2", rows, HIDDEN2);
            da1 = arena.take("da1", rows, HIDDEN1);
            da2 = arena.take("da2", rows, HIDDEN2);
            logits = arena.take("logits", rows, bins);
            probs = arena.take("probs", rows, bins);
            headActivations = head.allocate(arena.scoped("head"), rows);
            arena.allocate();
        }
    }

    /** The batch's mean loss: inputs (1, rows, 2), token targets (rows) holding the target bins. */
    @Override
    public double forward(Batch batch) {
        Activations a = activationsFor(batch);
        hidden(a, input(batch));
        return head.forward(backend, a.a2, batch.targets(), a.headActivations);
    }

    /** Accumulates every parameter gradient of the last {@link #forward} of this batch. */
    @Override
    public void backward(Batch batch) {
        Activations a = activationsFor(batch);
        Tensor input = input(batch);
        head.backward(backend, a.da2, a.a2, batch.targets(), a.headActivations);
        backend.activationBackward(Activation.RELU, a.da2, a.da2, a.h2);
        fc2.backward(backend, a.da1, a.da2, a.a1, false);
        backend.activationBackward(Activation.RELU, a.da1, a.da1, a.h1);
        fc1.backward(backend, null, a.da1, input, false);
    }

    private Activations activationsFor(Batch batch) {
        return byRows.computeIfAbsent(batch.inputs().seqlen(), Activations::new);
    }

    private static Tensor input(Batch batch) {
        Tensor x = batch.inputs().values();
        return x.view(x.dim(1), INPUTS);
    }

    /**
     * out (rows, B) = softmax(logits) in double for inputs (rows, 2), the predicted distribution
     * the reference scores (torch.softmax of the model output; for the Fourier head that is
     * (p + 1e-5) / (1 + B 1e-5)).
     */
    public void predict(Tensor input, double[] out) {
        int rows = input.dim(0);
        if (out.length != rows * bins) {
            throw new IllegalArgumentException("ToyMlp.predict: out has " + out.length + " values for (" + rows
                    + ", " + bins + ")");
        }
        Activations a = byRows.computeIfAbsent(rows, Activations::new);
        hidden(a, input);
        if (kind == HeadKind.LINEAR) {
            head.output(backend, a.logits, a.a2, a.headActivations);
        } else {
            FourierHead fourier = (FourierHead) head;
            fourier.distribution(backend, a.probs, a.logits, a.a2, (FourierHead.Activations) a.headActivations);
        }
        float[] l = a.logits.data();
        for (int r = 0; r < rows; r++) {
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

    private void hidden(Activations a, Tensor input) {
        fc1.forward(backend, a.h1, input);
        backend.activation(Activation.RELU, a.a1, a.h1);
        fc2.forward(backend, a.h2, a.a1);
        backend.activation(Activation.RELU, a.a2, a.h2);
    }
}
