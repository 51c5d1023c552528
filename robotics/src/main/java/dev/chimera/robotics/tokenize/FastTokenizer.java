package dev.chimera.robotics.tokenize;

import java.util.ArrayList;
import java.util.List;

/**
 * FAST, frequency-space action sequence tokens (Pertsch et al., arXiv 2501.09747, §V-B): the
 * orthonormal DCT-II of each normalised DoF over the chunk's T steps ({@link Dct}), coefficients
 * scaled by 10 and rounded, flattened frequency-major (coefficient 0 of every DoF, then 1, ...) so
 * that the many zeros of the high frequencies sit together, then compressed by byte-pair encoding
 * learnt on the training chunks ({@link BytePairEncoding}, vocabulary 1024). Decoding undoes the
 * BPE, divides by 10 and inverts the DCT. Chunks are independent: previous action and velocity are
 * ignored.
 */
public final class FastTokenizer implements ActionTokenizer {
    public static final double SCALE = 10.0;
    public static final int VOCABULARY = 1024;
    private final int steps;
    private final int dof;
    private final Dct dct;
    private final BytePairEncoding bpe;
    private final double[] coefficients; // (T, D) frequency-major
    private final int[] integers;        // (T * D)

    private FastTokenizer(int steps, int dof, BytePairEncoding bpe) {
        this.steps = steps;
        this.dof = dof;
        this.dct = new Dct(steps);
        this.bpe = bpe;
        this.coefficients = new double[steps * dof];
        this.integers = new int[steps * dof];
    }

    /** Learns the BPE on every chunk of the training episodes. */
    public static FastTokenizer fit(int steps, int dof, List<ChunkedEpisode> training) {
        FastTokenizer quantiser = new FastTokenizer(steps, dof, null);
        List<int[]> sequences = new ArrayList<>();
        for (ChunkedEpisode episode : training) {
            for (int k = 0; k < episode.chunks(); k++) {
                int[] q = new int[steps * dof];
                quantiser.quantise(episode.chunk(k), q);
                sequences.add(q);
            }
        }
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("no training chunks to learn FAST's BPE on");
        }
        return new FastTokenizer(steps, dof, BytePairEncoding.train(sequences, VOCABULARY));
    }

    /** round(10 C) of the chunk's DCT, frequency-major, into out (T * D). */
    void quantise(double[] chunk, int[] out) {
        for (int d = 0; d < dof; d++) {
            dct.forward(chunk, d, dof, coefficients, d, dof);
        }
        for (int i = 0; i < steps * dof; i++) {
            out[i] = (int) Math.round(SCALE * coefficients[i]);
        }
    }

    @Override
    public String method() {
        return "fast";
    }

    @Override
    public int chunkLength() {
        return steps;
    }

    @Override
    public int dof() {
        return dof;
    }

    @Override
    public int maxTokens() {
        return steps * dof;
    }

    @Override
    public int encode(double[] chunk, double[] previous, double[] velocity, int[] tokens) {
        quantise(chunk, integers);
        return bpe.encode(integers, steps * dof, tokens);
    }

    @Override
    public void decode(int[] tokens, int count, double[] previous, double[] velocity, double[] out) {
        int n = bpe.decode(tokens, count, integers);
        if (n != steps * dof) {
            throw new IllegalArgumentException("FAST tokens expand to " + n + " coefficients, expected " + steps * dof);
        }
        for (int i = 0; i < n; i++) {
            coefficients[i] = integers[i] / SCALE;
        }
        for (int d = 0; d < dof; d++) {
            dct.inverse(coefficients, d, dof, out, d, dof);
        }
    }
}
