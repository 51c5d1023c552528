package dev.chimera.genomics;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.runtime.UserException;
import dev.chimera.runtime.WindowedPrefill;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * One vector per DNA record from the model's last hidden states (the final RMSNorm's output, width
 * dModel), pooled one of four ways ({@link Pooling}). The model reads BOS + x_1 .. x_n (BOS + x + x
 * for echo); BOS's own state, the same for every record, is never pooled.
 *
 * <p>The record is fed in windows ({@link WindowedPrefill}); sums run in position order, in
 * double, and the result is rounded to float32 at the end.
 */
public final class Embedder {
    /** How the states of a record become one vector. */
    public enum Pooling {
        /** The mean of the states at x_1 .. x_n. */
        MEAN("mean of the final-norm states over the bases of BOS+x"),
        /**
         * The mean minus a centre, the mean embedding of sequences the model itself generates
         * ({@link EmbeddingCentre}): the part every DNA record shares is removed, so cosine
         * similarities compare what sets records apart.
         */
        CENTRED("mean of the final-norm states over the bases of BOS+x, minus the model's centre"),
        /** The state at x_n, the last base: what a causal model has gathered of the whole record. */
        LAST("final-norm state at the last base of BOS+x"),
        /**
         * Echo embedding (HybriDNA, REFERENCE §3, after Springer et al.): the model reads BOS + x +
         * x, the sequence twice with nothing between the copies, and the states at the second copy's
         * positions are averaged; each of them has seen the whole record once, which a causal
         * model's first pass cannot give. Twice the positions.
         */
        ECHO("mean of the final-norm states over the second copy of BOS+x+x");

        private final String description;

        Pooling(String description) {
            this.description = description;
        }

        /** What the vectors are, for a file's metadata. */
        public String description() {
            return description;
        }

        /** The name on the command line: mean, centred, last, echo. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Positions a record of {@code length} bases takes: BOS and the bases, twice with echo. */
        public long positions(long length) {
            return 1 + (this == ECHO ? 2 * length : length);
        }

        /** Parses mean, centred, last or echo, in any case. */
        public static Pooling parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--pooling must be mean, centred, last or echo, got '" + s + "'");
            }
        }
    }

    private final Decoder decoder;
    private final int window;
    private final Pooling pooling;
    private final float[] centre;

    /**
     * @param centre the vector {@link Pooling#CENTRED} subtracts (width dModel); null for the others
     */
    public Embedder(Decoder decoder, int window, Pooling pooling, float[] centre) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, got " + window);
        }
        if ((pooling == Pooling.CENTRED) != (centre != null)) {
            throw new IllegalArgumentException("a centre is given for centred pooling and only for it");
        }
        if (centre != null && centre.length != decoder.config().dModel()) {
            throw new IllegalArgumentException("centre of " + centre.length + " values, the model's width is "
                    + decoder.config().dModel());
        }
        this.decoder = decoder;
        this.window = window;
        this.pooling = pooling;
        this.centre = centre == null ? null : centre.clone();
    }

    /** Width of the vectors: the model's dModel. */
    public int dim() {
        return decoder.config().dModel();
    }

    public Pooling pooling() {
        return pooling;
    }

    /** Positions a record of {@code length} bases takes ({@link Pooling#positions}). */
    public long positions(long length) {
        return pooling.positions(length);
    }

    /**
     * The embedding of the bases {@code tokens} (A C G T N ids, at least one); {@code progress}
     * (may be null) receives the number of positions run after each window.
     */
    public float[] embed(byte[] tokens, String where, LongConsumer progress) {
        int n = tokens.length;
        if (n == 0) {
            throw new UserException(where + ": no bases to embed");
        }
        long total = positions(n);
        WindowedPrefill.requireFits(decoder, total, where);
        int d = dim();
        // Pooled positions [pooledFrom, total): the bases, the second copy's with echo, the last one for last.
        long pooledFrom = switch (pooling) {
            case ECHO -> n + 1L;
            case LAST -> total - 1;
            default -> 1L;
        };
        double[] sum = new double[d];
        WindowedPrefill.run(decoder, total, p -> p == 0 ? NucleotideTokenizer.BOS : tokens[(int) ((p - 1) % n)],
                window, (from, hidden) -> {
                    int rows = hidden.dim(0);
                    float[] h = hidden.data();
                    for (int r = (int) Math.max(0, Math.min(rows, pooledFrom - from)); r < rows; r++) {
                        int off = hidden.offset() + r * d;
                        for (int j = 0; j < d; j++) {
                            sum[j] += h[off + j];
                        }
                    }
                    if (progress != null) {
                        progress.accept(rows);
                    }
                });
        long pooled = total - pooledFrom;
        float[] out = new float[d];
        for (int j = 0; j < d; j++) {
            out[j] = (float) (sum[j] / pooled - (centre == null ? 0 : centre[j]));
        }
        return out;
    }
}
