package dev.chimera.core.eval.fourier;

import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.layers.Linear;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * The baseline head: Linear(d -> B) with bias, then softmax cross-entropy over the B bins
 * (toy_synthetic.py, head "linear": nn.Linear(32, num_classes)).
 */
public final class LinearToyHead implements ToyHead {
    private final int bins;
    private final Linear projection;

    public LinearToyHead(Parameters.Builder b, String prefix, int d, int bins) {
        if (bins < 2) {
            throw new IllegalArgumentException("linear head: bins must be >= 2, got " + bins);
        }
        this.bins = bins;
        this.projection = new Linear(b, prefix, d, bins, true);
    }

    @Override
    public void bind(Parameters p) {
        projection.bind(p);
    }

    @Override
    public HeadKind kind() {
        return HeadKind.LINEAR;
    }

    @Override
    public Linear projection() {
        return projection;
    }

    @Override
    public int bins() {
        return bins;
    }

    @Override
    public void initialise(Tensor weight, Tensor bias) {
        // PyTorch's default initialisation, unchanged.
    }

    private final class Buffers implements Activations {
        final Tensor logits;   // (rows, B), overwritten by dlogits in backward
        final Tensor probs;    // (rows, B)
        final Tensor losses;   // (rows)
        final Tensor dlosses;  // (rows)

        Buffers(int rows) {
            logits = Tensor.zeros(rows, bins);
            probs = Tensor.zeros(rows, bins);
            losses = Tensor.zeros(rows);
            dlosses = Tensor.zeros(rows);
        }

        @Override
        public int rows() {
            return losses.size();
        }

        LinearToyHead owner() {
            return LinearToyHead.this;
        }
    }

    @Override
    public Activations allocate(int rows) {
        return new Buffers(rows);
    }

    @Override
    public double forward(Kernels k, Tensor h, int[] targets, Activations a) {
        Buffers s = own(a);
        projection.forward(k, s.logits, h);
        k.softmaxCrossEntropy(s.losses, s.probs, s.logits, targets);
        double sum = 0;
        for (int r = 0; r < s.rows(); r++) {
            sum += s.losses.at(r);
        }
        return sum / s.rows();
    }

    @Override
    public void backward(Kernels k, Tensor dh, Tensor h, int[] targets, Activations a) {
        Buffers s = own(a);
        s.dlosses.fill(1f / s.rows());
        Tensor dlogits = s.logits;
        k.softmaxCrossEntropyBackward(dlogits, s.dlosses, s.probs, targets);
        projection.backward(k, dh, dlogits, h, false);
    }

    @Override
    public void logits(Kernels k, Tensor logits, Tensor h, Activations a) {
        own(a);
        projection.forward(k, logits, h);
    }

    private Buffers own(Activations a) {
        if (!(a instanceof Buffers) || ((Buffers) a).owner() != this) {
            throw new IllegalArgumentException("linear head: activations were allocated by another head");
        }
        return (Buffers) a;
    }
}
