package dev.chimera.core.decoder;

import dev.chimera.core.tensor.Tensor;

/** A (batch, T) block of model inputs: token ids, or continuous vectors (batch, T, D). */
public final class Inputs {
    private final int batch;
    private final int seqlen;
    private final int[] tokens;
    private final Tensor values;
    private final Tensor valueRows;

    private Inputs(int batch, int seqlen, int[] tokens, Tensor values) {
        this.batch = batch;
        this.seqlen = seqlen;
        this.tokens = tokens;
        this.values = values;
        this.valueRows = values == null ? null : values.view(batch * seqlen, values.dim(2));
    }

    /** Token ids, row-major (batch, T). */
    public static Inputs tokens(int[] ids, int batch, int seqlen) {
        if (batch < 1 || seqlen < 1 || ids.length != batch * seqlen) {
            throw new IllegalArgumentException(ids.length + " token ids for batch " + batch + " x length " + seqlen);
        }
        return new Inputs(batch, seqlen, ids, null);
    }

    /**
     * Token ids (batch, T) in the first batch * T entries of a reusable buffer, which may be longer:
     * how a decoding loop feeds each step without allocating a new array.
     */
    public static Inputs tokensIn(int[] buffer, int batch, int seqlen) {
        if (batch < 1 || seqlen < 1 || buffer.length < batch * seqlen) {
            throw new IllegalArgumentException("a buffer of " + buffer.length + " token ids for batch " + batch
                    + " x length " + seqlen);
        }
        return new Inputs(batch, seqlen, buffer, null);
    }

    /** Continuous vectors (batch, T, D). */
    public static Inputs values(Tensor x) {
        if (x.rank() != 3 || x.dim(0) < 1 || x.dim(1) < 1) {
            throw new IllegalArgumentException("continuous inputs must be (batch, T, D) with batch, T >= 1, got "
                    + x.shapeString());
        }
        return new Inputs(x.dim(0), x.dim(1), null, x);
    }

    /** Positions [from, from + count) of every sequence, as inputs of their own (a copy). */
    public Inputs positions(int from, int count) {
        if (from < 0 || count < 1 || from + count > seqlen) {
            throw new IllegalArgumentException("positions [" + from + ", " + (from + count) + ") of inputs of length "
                    + seqlen);
        }
        if (from == 0 && count == seqlen) {
            return this;
        }
        if (tokens != null) {
            int[] ids = new int[batch * count];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(tokens, b * seqlen + from, ids, b * count, count);
            }
            return tokens(ids, batch, count);
        }
        int dim = values.dim(2);
        Tensor part = Tensor.zeros(batch, count, dim);
        for (int b = 0; b < batch; b++) {
            part.select(b).copyFrom(values.select(b).slice(from, from + count));
        }
        return values(part);
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

    /** The continuous vectors as rows, (batch * T, D): made once, so a step that reuses its inputs allocates nothing. */
    public Tensor valueRows() {
        return valueRows;
    }
}
