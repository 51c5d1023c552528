package dev.chimera.genomics;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.runtime.WindowedPrefill;
import java.util.function.LongConsumer;

/**
 * The log-likelihood of a DNA record under a {@link DnaModel}: the model reads BOS and then the
 * bases, and at each position predicts the next base, so the record's log-likelihood is
 * sum_i log p(x_i | BOS, x_1 .. x_{i-1}) in nats (natural log), every base predicted, the first
 * from BOS alone. Feeding BOS + x_1 .. x_{n-1} (n positions) gives all n predictions; the last base
 * is never an input. A record is fed in windows of positions ({@link WindowedPrefill}), so its
 * length is bounded only by the spans (see {@link InferenceSpan}).
 *
 * <p>N (unknown base; also IUPAC codes, and invalid characters under {@code --on-invalid mask}) is
 * read as input like any base but is not scored: its position adds nothing to the
 * log-likelihood and is not counted in {@link Score#scored()}, so bits per base are over the
 * A/C/G/T bases only, -log_likelihood / (ln 2 * scored). Its per-position log-probability is NaN.
 *
 * <p>log p is the log-softmax of the head's logits over the model's whole output vocabulary,
 * computed in double; sums run in position order, in double.
 */
public final class Scorer {
    private final Decoder decoder;
    private final int window;
    private final int vocab;

    /** What one record scored. */
    public record Score(long length, long scored, double logLikelihood) {
        /** -log_likelihood / (ln 2 * scored): bits per scored base, NaN when nothing was scored. */
        public double bitsPerBase() {
            return scored == 0 ? Double.NaN : -logLikelihood / (Math.log(2) * scored);
        }
    }

    /** Receives per-position log-probabilities, window by window, in order. */
    @FunctionalInterface
    public interface PositionSink {
        /**
         * Bases tokens[from .. from + logProbs.length) were predicted with these log-probabilities
         * (NaN for N); positions are 0-based indices into the record.
         */
        void accept(long from, byte[] tokens, double[] logProbs);
    }

    /** A scorer over a decoder of a {@link DnaModel}'s weights, feeding {@code window} positions per prefill. */
    public Scorer(Decoder decoder, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, got " + window);
        }
        this.decoder = decoder;
        this.window = window;
        this.vocab = decoder.head().outputShape()[0];
    }

    /** Positions a record of {@code length} bases takes: BOS and all bases but the last. */
    public static long positions(long length) {
        return length;
    }

    /**
     * Scores the bases {@code tokens} (A C G T N ids). {@code positions} (may be null) receives the
     * per-position log-probabilities, {@code progress} (may be null) the number of bases scored
     * after each window. An empty record scores 0 with nothing scored.
     */
    public Score score(byte[] tokens, String where, PositionSink positions, LongConsumer progress) {
        int n = tokens.length;
        if (n == 0) {
            return new Score(0, 0, 0);
        }
        WindowedPrefill.requireFits(decoder, positions(n), where);
        double[] sum = {0};
        long[] scored = {0};
        WindowedPrefill.run(decoder, n, p -> p == 0 ? NucleotideTokenizer.BOS : tokens[(int) p - 1], window,
                (from, hidden) -> {
                    int rows = hidden.dim(0);
                    Tensor logits = Tensor.zeros(rows, vocab);
                    decoder.headOutput(logits, hidden);
                    double[] logProbs = new double[rows];
                    float[] l = logits.data();
                    for (int r = 0; r < rows; r++) {
                        int target = tokens[(int) from + r];
                        if (target == NucleotideTokenizer.N) {
                            logProbs[r] = Double.NaN;
                            continue;
                        }
                        logProbs[r] = logSoftmax(l, logits.offset() + r * vocab, vocab, target);
                        sum[0] += logProbs[r];
                        scored[0]++;
                    }
                    if (positions != null) {
                        positions.accept(from, tokens, logProbs);
                    }
                    if (progress != null) {
                        progress.accept(rows);
                    }
                });
        return new Score(n, scored[0], sum[0]);
    }

    /** log softmax(x)[target] over x[off .. off + n), in double. */
    static double logSoftmax(float[] x, int off, int n, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x[off + i] - max);
        }
        return x[off + target] - max - Math.log(sum);
    }
}
