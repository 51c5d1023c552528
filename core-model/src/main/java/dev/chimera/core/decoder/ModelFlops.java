package dev.chimera.core.decoder;

import dev.chimera.core.model.Components;
import dev.chimera.core.model.ModelConfig;
import java.util.List;

/**
 * Useful floating-point operations of a decoder, counted analytically (a multiply-add is 2):
 * every projection, the SSD recurrence (one multiply-add per state value to update it and one
 * to read it out), attention scores and the weighted sum over the keys each query actually
 * sees, and the head. Elementwise work (norms, activations, softmax) is not counted. A
 * training step costs 3 forwards (forward, and backward through activations and weights).
 */
public final class ModelFlops {
    private ModelFlops() {
    }

    /** Forward FLOPs summed over the positions of one sequence of length T. */
    public static double forwardPerSequence(ModelConfig c, int seqlen) {
        double d = c.dModel();
        double total = 0;
        List<ModelConfig.Span> spans = c.spans();
        int attention = 0;
        for (int l = 0; l < c.nLayers(); l++) {
            if (c.isAttention(l)) {
                double hd = c.attnHeadDim();
                double projections = 2 * d * (c.attnHeads() * hd) * 2 + 2 * d * (c.kvHeads() * hd) * 2;
                double keys = attendedKeys(spans.get(attention++), seqlen);
                total += projections * seqlen + 2 * 2 * c.attnHeads() * hd * keys;
            } else {
                double dInner = c.dInner();
                double dProj = 2 * dInner + 2.0 * c.ngroups() * c.dState() + c.mambaHeads();
                double perToken = 2 * d * dProj + 2.0 * c.convDim() * c.dConv()
                        + 2 * 2.0 * c.mambaHeads() * c.headdim() * c.dState() + 2 * dInner * d;
                total += perToken * seqlen;
            }
            double mats = c.mlp() == ModelConfig.MlpKind.SWIGLU ? 3 : 2;
            total += mats * 2 * d * c.mlpHidden() * seqlen;
        }
        return total + headPerToken(c) * seqlen;
    }

    /** Forward, backward and weight gradients of one step over batch sequences of length T. */
    public static double trainingStep(ModelConfig c, int batch, int seqlen) {
        return 3 * batch * forwardPerSequence(c, seqlen);
    }

    /** Sum over positions t of the keys that query t attends to. */
    static double attendedKeys(ModelConfig.Span span, int seqlen) {
        double n = seqlen;
        if (span.full() || span.window() >= seqlen) {
            return n * (n + 1) / 2;
        }
        double w = span.window();
        return w * (w + 1) / 2 + (n - w) * w;
    }

    private static double headPerToken(ModelConfig c) {
        return Components.head(c.head()).flopsPerToken(c.head(), c.dModel());
    }
}
