package dev.chimera.core.layers;

import dev.chimera.core.kernel.GemmForm;
import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * Logits over a vocabulary, fused with softmax cross-entropy. The projection is its own
 * (vocab, d) weight or, when tied, the input embedding's table (logits = h·Eᵀ either way).
 * The loss is the mean over rows whose target is not IGNORE_TARGET.
 */
public final class SoftmaxHead implements Layer {
    private final int d;
    private final int vocab;
    private final Linear projection;      // own weights, or null when tied
    private final Embedding tiedTo;       // the embedding whose table is shared, or null
    private Tensor weight;                // (vocab, d)
    private Tensor dWeight;               // (vocab, d)

    public SoftmaxHead(Parameters.Builder b, String prefix, int d, int vocab, Embedding tiedTo) {
        this.d = d;
        this.vocab = vocab;
        this.tiedTo = tiedTo;
        this.projection = tiedTo == null ? new Linear(b, prefix, d, vocab, false) : null;
    }

    @Override
    public void bind(Parameters p) {
        if (projection != null) {
            projection.bind(p);
            weight = p.value(projection.weightName());
            dWeight = p.grad(projection.weightName());
        } else {
            weight = tiedTo.table();
            dWeight = tiedTo.tableGrad();
        }
    }

    public int vocab() {
        return vocab;
    }

    /** Per-row buffers. */
    public final class Activations {
        final Tensor logits;   // (rows, vocab), overwritten by dlogits in backward
        final Tensor probs;    // (rows, vocab)
        final Tensor losses;   // (rows)
        final Tensor dlosses;  // (rows)

        public Activations(int rows) {
            logits = Tensor.zeros(rows, vocab);
            probs = Tensor.zeros(rows, vocab);
            losses = Tensor.zeros(rows);
            dlosses = Tensor.zeros(rows);
        }

        public Tensor probs() {
            return probs;
        }
    }

    /** logits (rows, vocab) = h (rows, d)·Wᵀ. */
    public void logits(Kernels k, Tensor logits, Tensor h) {
        k.gemm(GemmForm.ABt, Linear.rows(logits, vocab), Linear.rows(h, d), weight, false);
    }

    /** Mean cross-entropy (nats) over rows with a target; probabilities are kept for backward. */
    public double forward(Kernels k, Tensor h, Targets targets, Activations a) {
        logits(k, a.logits, h);
        int[] ids = targets.tokens();
        k.softmaxCrossEntropy(a.losses, a.probs, a.logits, ids);
        double sum = 0;
        int counted = 0;
        for (int r = 0; r < ids.length; r++) {
            if (ids[r] != Kernels.IGNORE_TARGET) {
                sum += a.losses.at(r);
                counted++;
            }
        }
        return counted == 0 ? 0 : sum / counted;
    }

    /** dh (rows, d) overwritten with d(mean loss)/dh; dW accumulated. */
    public void backward(Kernels k, Tensor dh, Tensor h, Targets targets, Activations a) {
        int[] ids = targets.tokens();
        int counted = 0;
        for (int id : ids) {
            counted += id == Kernels.IGNORE_TARGET ? 0 : 1;
        }
        a.dlosses.fill(counted == 0 ? 0f : 1f / counted);
        Tensor dlogits = a.logits;
        k.softmaxCrossEntropyBackward(dlogits, a.dlosses, a.probs, ids);
        k.gemm(GemmForm.AB, Linear.rows(dh, d), dlogits, weight, false);
        k.gemm(GemmForm.AtB, dWeight, dlogits, Linear.rows(h, d), true);
    }
}
