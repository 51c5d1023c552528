package dev.chimera.core.decoder;

import dev.chimera.core.tensor.Tensor;

/** A (batch, T) block of model inputs: token ids, or continuous vectors (batch, T, D). */
public final class Inputs {
    private final int batch;
    private final int seqlen;
    private final int[] tokens;
    private final Tensor values;

    private Inputs(int batch, int seqlen, int[] tokens, Tensor values) {
        this.batch = batch;
        this.seqlen = seqlen;
        this.tokens = tokens;
        this.values = values;
    }

    /** Token ids, row-major (batch, T). */
    public static Inputs tokens(int[] ids, int batch, int seqlen) {
        if (batch < 1 || seqlen < 1 || ids.length != batch * seqlen) {
            throw new IllegalArgumentException(ids.length + " token ids for batch " + batch + " x length " + seqlen);
        }
        return new Inputs(batch, seqlen, ids, null);
    }

    /** Continuous vectors (batch, T, D). */
    public static Inputs values(Tensor x) {
        if (x.rank() != 3 || x.dim(0) < 1 || x.dim(1) < 1) {
            throw new IllegalArgumentException("continuous inputs must be (batch, T, D) with batch, T >= 1, got "
                    + x.shapeString());
        }
        return new Inputs(x.dim(0), x.dim(1), null, x);
    }

    public int batch() {
        return batch;
    }

    public int seqlen() {
        return seqlen;
    }

    public boolean isTokens() {
        return tokens != null;
    }

    public int[] tokens() {
        return tokens;
    }

    public Tensor values() {
        return values;
    }
}
