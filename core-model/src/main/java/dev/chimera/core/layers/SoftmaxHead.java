package dev.chimera.core.layers;

import dev.chimera.core.kernel.GemmForm;
import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * Logits over a vocabulary, fused with softmax cross-entropy. The projection is its own linear
 * layer, a (vocab, d) weight with an optional (vocab) bias, or, when tied, the input embedding's
 * table (logits = h·Eᵀ). The loss is the mean over rows whose target is not IGNORE_TARGET.
 */
public final class SoftmaxHead implements Layer {
    private final int d;
    private final int vocab;
    private final Linear projection;      // own weights, or null when tied
    private final Embedding tiedTo;       // the embedding whose table is shared, or null

    /** A head without bias: its own (vocab, d) weight, or the table of {@code tiedTo} when that is not null. */
    public SoftmaxHead(Parameters.Builder b, String prefix, int d, int vocab, Embedding tiedTo) {
        this(b, prefix, d, vocab, tiedTo, false);
    }

    private SoftmaxHead(Parameters.Builder b, String prefix, int d, int vocab, Embedding tiedTo, boolean withBias) {
        this.d = d;
        this.vocab = vocab;
        this.tiedTo = tiedTo;
        this.projection = tiedTo == null ? new Linear(b, prefix, d, vocab, withBias) : null;
    }

    /** A head with its own (vocab, d) weight and a (vocab) bias: logits = h·Wᵀ + b, a plain linear classifier. */
    public static SoftmaxHead withBias(Parameters.Builder b, String prefix, int d, int vocab) {
        return new SoftmaxHead(b, prefix, d, vocab, null, true);
    }

    @Override
    public void bind(Parameters p) {
        if (projection != null) {
            projection.bind(p);
        }
    }

    public int vocab() {
        return vocab;
    }

    /** The head's own linear layer; a head tied to an embedding has none. */
    public Linear projection() {
        if (projection == null) {
            throw new IllegalStateException("a softmax head tied to the embedding has no projection of its own");
        }
        return projection;
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

    /** logits (rows, vocab) = h (rows, d)·Wᵀ (+ b). */
    public void logits(Kernels k, Tensor logits, Tensor h) {
        if (projection != null) {
            projection.forward(k, logits, h);
        } else {
            k.gemm(GemmForm.ABt, Linear.rows(logits, vocab), Linear.rows(h, d), tiedTo.table(), false);
        }
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

    /** dh (rows, d) overwritten with d(mean loss)/dh; dW (and db) accumulated. */
    public void backward(Kernels k, Tensor dh, Tensor h, Targets targets, Activations a) {
        int[] ids = targets.tokens();
        int counted = 0;
        for (int id : ids) {
            counted += id == Kernels.IGNORE_TARGET ? 0 : 1;
        }
        a.dlosses.fill(counted == 0 ? 0f : 1f / counted);
        Tensor dlogits = a.logits;
        k.softmaxCrossEntropyBackward(dlogits, a.dlosses, a.probs, ids);
        if (projection != null) {
            projection.backward(k, dh, dlogits, h, false);
        } else {
            k.gemm(GemmForm.AB, Linear.rows(dh, d), dlogits, tiedTo.table(), false);
            k.gemm(GemmForm.AtB, tiedTo.tableGrad(), dlogits, Linear.rows(h, d), true);
        }
    }
}
