package dev.chimera.core.layers;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.CausalConvOp;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Mamba2's depthwise causal 1-D convolution over time with bias (REFERENCE §2 step 2): the
 * parameters, weight (C, K) as mamba's conv1d.weight without its singleton middle axis and bias
 * (C); the computation is the backend's {@link CausalConvOp}.
 */
public final class CausalConv1d implements Layer {
    private final String weightName;
    private final String biasName;
    private final int channels;
    private final int width;
    private final CausalConvOp op;
    private Tensor weight;   // (C, K)
    private Tensor dWeight;  // (C, K)
    private Tensor bias;     // (C)
    private Tensor dBias;    // (C)

    public CausalConv1d(Parameters.Builder b, String prefix, int channels, int width, Backend backend) {
        this.weightName = prefix + ".weight";
        this.biasName = prefix + ".bias";
        this.channels = channels;
        this.width = width;
        this.op = backend.causalConv(channels, width);
        b.add(weightName, true, channels, width);
        b.add(biasName, false, channels);
    }

    @Override
    public void bind(Parameters p) {
        weight = p.value(weightName);
        dWeight = p.grad(weightName);
        bias = p.value(biasName);
        dBias = p.grad(biasName);
    }

    /** PyTorch's default for a depthwise conv: weight and bias uniform in +-1/sqrt(K). */
    public void initialise(SplittableRandom random) {
        double bound = 1 / Math.sqrt(width);
        for (Tensor t : new Tensor[] {weight, bias}) {
            for (int i = 0; i < t.size(); i++) {
                t.data()[t.offset() + i] = (float) ((2 * random.nextDouble() - 1) * bound);
            }
        }
    }

    public int channels() {
        return channels;
    }

    public int width() {
        return width;
    }

    /** y, x: (batch, T, C). */
    public void forward(Tensor y, Tensor x) {
        op.forward(y, x, weight, bias);
    }

    /** dx (batch, T, C) overwritten; dWeight and dBias accumulated. */
    public void backward(Tensor dx, Tensor dy, Tensor x) {
        op.backward(dx, dWeight, dBias, dy, x, weight);
    }

    /** Inference over x (T, C) continuing from, and advancing, one sequence's state (C, K). */
    public void prefill(Tensor y, Tensor state, Tensor x) {
        op.prefill(y, state, x, weight, bias);
    }

    /** One step of n = x.dim(0) sequences; states[i] (C, K) belongs to row i. */
    public void step(Tensor y, Tensor[] states, Tensor x) {
        op.step(y, states, x, weight, bias);
    }
}
