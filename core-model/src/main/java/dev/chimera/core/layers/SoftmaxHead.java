package dev.chimera.core.layers;

import dev.chimera.core.backend.Allocator;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.kernel.GemmForm;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * Logits over a vocabulary, fused with softmax cross-entropy. The projection is its own linear
 * layer, a (vocab, d) weight with an optional (vocab) bias, or, when tied, the input embedding's
 * table (logits = h·Eᵀ). The loss is the mean over rows whose target is not IGNORE_TARGET.
 */
public final class SoftmaxHead implements Head {
    private final int vocab;
    private final Linear projection;      // own weights, or null when tied
    private final Embedding tiedTo;       // the embedding whose table is shared, or null

    /** A head with its own (vocab, d) weight and no bias. */
    public SoftmaxHead(Parameters.Builder b, String prefix, int d, int vocab) {
        this(new Linear(b, prefix, d, vocab, false), null, vocab);
    }

    private SoftmaxHead(Linear projection, Embedding tiedTo, int vocab) {
        this.vocab = vocab;
        this.projection = projection;
        this.tiedTo = tiedTo;
    }

    /** A head whose weight is the embedding's (vocab, d) table. */
    public static SoftmaxHead tied(int vocab, Embedding embedding) {
        if (embedding.vocab() != vocab) {
            throw new IllegalArgumentException("a softmax head of " + vocab + " tokens cannot be tied to an embedding of "
                    + embedding.vocab());
        }
        return new SoftmaxHead(null, embedding, vocab);
    }

    /** A head with its own (vocab, d) weight and a (vocab) bias: logits = h·Wᵀ + b, a plain linear classifier. */
    public static SoftmaxHead withBias(Parameters.Builder b, String prefix, int d, int vocab) {
        return new SoftmaxHead(new Linear(b, prefix, d, vocab, true), null, vocab);
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
    public static final class Activations implements Head.Activations {
        final Tensor logits;   // (rows, vocab), overwritten by dlogits in backward
        final Tensor probs;    // (rows, vocab)
        final Tensor losses;   // (rows)
        final Tensor dlosses;  // (rows)
        final float[] hostLosses;

        Activations(Allocator alloc, int rows, int vocab) {
            logits = alloc.take("logits", rows, vocab);
            probs = alloc.take("probs", rows, vocab);
            losses = alloc.take("losses", rows);
            dlosses = alloc.take("dlosses", rows);
            hostLosses = new float[rows];
        }

        /** Probabilities of the last forward, (rows, vocab). */
        public Tensor probs() {
            return probs;
        }
    }

    @Override
    public Activations allocate(Allocator alloc, int rows) {
        return new Activations(alloc, rows, vocab);
    }

    @Override
    public int[] outputShape() {
        return new int[] {vocab};
    }

    /** logits (n, vocab) = h (n, d)·Wᵀ (+ b). */
    @Override
    public void output(Backend k, Tensor logits, Tensor h, Head.Activations a) {
        if (projection != null) {
            projection.forward(k, logits, h);
        } else {
            k.gemm(GemmForm.ABt, Linear.rows(logits, vocab), Linear.rows(h, tiedTo.table().dim(1)), tiedTo.table(),
                    false);
        }
    }

    /** Mean cross-entropy (nats) over rows with a target; probabilities are kept for backward. */
    @Override
    public double forward(Backend k, Tensor h, Targets targets, Head.Activations activations) {
        Activations a = (Activations) activations;
        output(k, a.logits, h, a);
        int[] ids = targets.tokens();
        k.softmaxCrossEntropy(a.losses, a.probs, a.logits, ids);
        k.download(a.hostLosses, a.losses);
        double sum = 0;
        int counted = 0;
        for (int r = 0; r < ids.length; r++) {
            if (ids[r] != Backend.IGNORE_TARGET) {
                sum += a.hostLosses[r];
                counted++;
            }
        }
        return counted == 0 ? 0 : sum / counted;
    }

    /** dh (rows, d) overwritten with d(mean loss)/dh; dW (and db) accumulated. */
    @Override
    public void backward(Backend k, Tensor dh, Tensor h, Targets targets, Head.Activations activations) {
        Activations a = (Activations) activations;
        int[] ids = targets.tokens();
        int counted = 0;
        for (int id : ids) {
            counted += id == Backend.IGNORE_TARGET ? 0 : 1;
        }
        k.fill(a.dlosses, counted == 0 ? 0f : 1f / counted);
        Tensor dlogits = a.logits;
        k.softmaxCrossEntropyBackward(dlogits, a.dlosses, a.probs, ids);
        if (projection != null) {
            projection.backward(k, dh, dlogits, h, false);
        } else {
            int width = tiedTo.table().dim(1);
            k.gemm(GemmForm.AB, Linear.rows(dh, width), dlogits, tiedTo.table(), false);
            k.gemm(GemmForm.AtB, tiedTo.tableGrad(), dlogits, Linear.rows(h, width), true);
        }
    }
}
