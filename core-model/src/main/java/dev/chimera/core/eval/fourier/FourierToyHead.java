package dev.chimera.core.eval.fourier;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.layers.FourierHead;
import dev.chimera.core.layers.Linear;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * The Fourier head of the synthetic experiment: a {@link FourierHead} for one value per row,
 * Linear(d -> 2(N+1)) with bias then the Fourier density (REFERENCE.md §4; fourier_head.py), with
 * the regulariser's gamma as a parameter (the decoder's head uses 1e-6; the paper's table was
 * trained with 0) and the reference's initialisation, which divides both the weight and the bias
 * by 100. The loss is the mean cross-entropy of the logits log(p + 1e-5) plus gamma's regulariser.
 */
public final class FourierToyHead implements ToyHead {
    private final FourierHead layer;

    public FourierToyHead(Parameters.Builder b, String prefix, int d, int frequencies, int bins, double gamma,
                          ComputePool pool) {
        this.layer = new FourierHead(b, prefix, d, 1, frequencies, bins, FourierHead.Settings.reference(gamma), pool);
    }

    @Override
    public void bind(Parameters p) {
        layer.bind(p);
    }

    @Override
    public HeadKind kind() {
        return HeadKind.FOURIER;
    }

    @Override
    public Linear projection() {
        return layer.projection();
    }

    @Override
    public int bins() {
        return layer.bins().count();
    }

    @Override
    public void initialise() {
        layer.initialise();
    }

    private record Buffers(FourierToyHead owner, FourierHead.Activations layer, Tensor probs) implements Activations {
    }

    @Override
    public Activations allocate(int rows) {
        return new Buffers(this, layer.new Activations(rows), Tensor.zeros(rows, bins()));
    }

    @Override
    public double forward(Kernels k, Tensor h, int[] targets, Activations a) {
        return layer.forward(k, h, targets, own(a).layer());
    }

    @Override
    public void backward(Kernels k, Tensor dh, Tensor h, int[] targets, Activations a) {
        layer.backward(k, dh, h, targets, own(a).layer());
    }

    @Override
    public void logits(Kernels k, Tensor logits, Tensor h, Activations a) {
        Buffers s = own(a);
        layer.distribution(k, s.probs(), logits, h, s.layer());
    }

    private Buffers own(Activations a) {
        if (a instanceof Buffers s && s.owner() == this) {
            return s;
        }
        throw new IllegalArgumentException("Fourier head: activations were allocated by another head");
    }
}
