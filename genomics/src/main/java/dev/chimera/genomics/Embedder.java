package dev.chimera.genomics;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.runtime.UserException;
import dev.chimera.runtime.WindowedPrefill;
import java.util.function.LongConsumer;

/**
 * One vector per DNA record: the mean, over the record's base positions, of the model's last
 * hidden states (the final RMSNorm's output, width dModel). The model reads BOS + x_1 .. x_n and
 * the states at the positions of x_1 .. x_n are averaged (BOS's own state is not: it is the same
 * for every record).
 *
 * <p>Echo embedding (HybriDNA, REFERENCE §3, after Springer et al.'s echo embeddings): the model
 * reads BOS + x + x, the sequence twice with nothing between the copies, and the states at the
 * second copy's positions are averaged; each of them has seen the whole record once, which a
 * causal model's first pass cannot give. It costs twice the positions.
 *
 * <p>The record is fed in windows ({@link WindowedPrefill}); sums run in position order, in
 * double, and the mean is rounded to float32 at the end.
 */
public final class Embedder {
    private final Decoder decoder;
    private final int window;
    private final boolean echo;

    public Embedder(Decoder decoder, int window, boolean echo) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, got " + window);
        }
        this.decoder = decoder;
        this.window = window;
        this.echo = echo;
    }

    /** Width of the vectors: the model's dModel. */
    public int dim() {
        return decoder.config().dModel();
    }

    public boolean echo() {
        return echo;
    }

    /** Positions a record of {@code length} bases takes: BOS and the bases, twice with echo. */
    public long positions(long length) {
        return 1 + (echo ? 2 * length : length);
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
        WindowedPrefill.requireFits(decoder, positions(n), where);
        int d = dim();
        long pooledFrom = echo ? n + 1L : 1L; // first position whose state is averaged
        double[] sum = new double[d];
        WindowedPrefill.run(decoder, positions(n), p -> p == 0 ? NucleotideTokenizer.BOS : tokens[(int) ((p - 1) % n)],
                window, (from, hidden) -> {
                    int rows = hidden.dim(0);
                    float[] h = hidden.data();
                    for (int r = (int) Math.max(0, pooledFrom - from); r < rows; r++) {
                        int off = hidden.offset() + r * d;
                        for (int j = 0; j < d; j++) {
                            sum[j] += h[off + j];
                        }
                    }
                    if (progress != null) {
                        progress.accept(rows);
                    }
                });
        float[] mean = new float[d];
        for (int j = 0; j < d; j++) {
            mean[j] = (float) (sum[j] / n);
        }
        return mean;
    }
}
