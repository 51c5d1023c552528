package dev.chimera.core.eval.fourier;

import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.layers.Linear;
import dev.chimera.core.layers.SoftmaxHead;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * The baseline head: a {@link SoftmaxHead} with bias, Linear(d -> B) then softmax cross-entropy
 * over the B bins (toy_synthetic.py, head "linear": nn.Linear(32, num_classes)).
 */
public final class LinearToyHead implements ToyHead {
    private final SoftmaxHead layer;

    public LinearToyHead(Parameters.Builder b, String prefix, int d, int bins) {
        if (bins < 2) {
            throw new IllegalArgumentException("linear head: bins must be >= 2, got " + bins);
        }
        this.layer = SoftmaxHead.withBias(b, prefix, d, bins);
    }

    @Override
    public void bind(Parameters p) {
        layer.bind(p);
    }

    @Override
    public HeadKind kind() {
        return HeadKind.LINEAR;
    }

    @Override
    public Linear projection() {
        return layer.projection();
    }

    @Override
    public int bins() {
        return layer.vocab();
    }

    @Override
    public void initialise() {
        // PyTorch's default initialisation, unchanged.
    }

    private record Buffers(LinearToyHead owner, SoftmaxHead.Activations layer) implements Activations {
    }

    @Override
    public Activations allocate(int rows) {
        return new Buffers(this, layer.new Activations(rows));
    }

    @Override
    public double forward(Kernels k, Tensor h, int[] targets, Activations a) {
        return layer.forward(k, h, Targets.tokens(targets), own(a));
    }

    @Override
    public void backward(Kernels k, Tensor dh, Tensor h, int[] targets, Activations a) {
        layer.backward(k, dh, h, Targets.tokens(targets), own(a));
    }

    @Override
    public void logits(Kernels k, Tensor logits, Tensor h, Activations a) {
        own(a);
        layer.logits(k, logits, h);
    }

    private SoftmaxHead.Activations own(Activations a) {
        if (a instanceof Buffers s && s.owner() == this) {
            return s.layer();
        }
        throw new IllegalArgumentException("linear head: activations were allocated by another head");
    }
}
