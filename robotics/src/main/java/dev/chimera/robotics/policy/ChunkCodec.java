package dev.chimera.robotics.policy;

import dev.chimera.robotics.tokenize.ActionTokenizer;
import dev.chimera.robotics.tokenize.BinningTokenizer;
import java.util.Map;

/**
 * How a policy's head values become a chunk of T actions, in normalised action units (each DoF's
 * 1st/99th percentiles at -1 and 1), through one of the action tokenizers. Every token is one of
 * 256 bins over its own bounds, and the head predicts it as a value in [-1, 1] whose 256 equal
 * bins stand for the token's ({@link BinningTokenizer#centre}, {@link BinningTokenizer#bin}).
 * <ul>
 *   <li>BEAST: one prediction of every control-point token of the chunk (parallel decoding);</li>
 *   <li>binning: T predictions of one step's D tokens each, one after another (autoregressive),
 *       each step's token value, which is its decoded action, fed to the next position.</li>
 * </ul>
 * Holds scratch buffers: one instance per thread.
 */
public final class ChunkCodec {
    private final ActionTokenizer tokenizer;
    private final int predictions;
    private final Map<String, String> info;
    private final double[] flat;     // (T, D) a chunk, step-major
    private final double[] velocity; // (D) zero: a policy's chunks pin their start (C0) only
    private final int[] tokens;

    /**
     * @param predictions predictions per chunk, dividing the tokenizer's tokens: 1 for parallel decoding
     * @param info        what a saved policy records to rebuild this codec ({@link PolicyCodecs#fromInfo})
     */
    ChunkCodec(ActionTokenizer tokenizer, int predictions, Map<String, String> info) {
        if (predictions < 1 || tokenizer.maxTokens() % predictions != 0) {
            throw new IllegalArgumentException(tokenizer.maxTokens() + " tokens do not split into " + predictions
                    + " predictions");
        }
        this.tokenizer = tokenizer;
        this.predictions = predictions;
        this.info = Map.copyOf(info);
        this.flat = new double[tokenizer.chunkLength() * tokenizer.dof()];
        this.velocity = new double[tokenizer.dof()];
        this.tokens = new int[tokenizer.maxTokens()];
    }

    /** "beast" or "binning". */
    public String name() {
        return tokenizer.method();
    }

    public ActionTokenizer tokenizer() {
        return tokenizer;
    }

    public int dof() {
        return tokenizer.dof();
    }

    /** T, the actions in a chunk. */
    public int steps() {
        return tokenizer.chunkLength();
    }

    /** Head values per prediction. */
    public int valuesPerPrediction() {
        return tokenizer.maxTokens() / predictions;
    }

    /** Predictions per chunk: 1 for parallel decoding, T for per-step autoregression. */
    public int predictionsPerChunk() {
        return predictions;
    }

    /**
     * The head's targets for one chunk, (predictionsPerChunk, valuesPerPrediction) from {@code offset}:
     * the chunk's tokens as values in [-1, 1]. {@code previous} is the action executed just before
     * the chunk (normalised, D); {@code chunk} (T, D) normalised.
     */
    public void targets(double[] previous, double[][] chunk, float[] out, int offset) {
        int dof = dof();
        for (int j = 0; j < chunk.length; j++) {
            System.arraycopy(chunk[j], 0, flat, j * dof, dof);
        }
        int count = tokenizer.encode(flat, previous, velocity, tokens);
        for (int i = 0; i < count; i++) {
            out[offset + i] = (float) BinningTokenizer.centre(tokens[i]);
        }
    }

    /** The chunk (T, D, normalised) that tokens (predictionsPerChunk, valuesPerPrediction) decode to, after {@code previous}. */
    public void decode(double[] previous, int[] chunkTokens, double[][] out) {
        tokenizer.decode(chunkTokens, tokens.length, previous, velocity, flat);
        int dof = dof();
        for (int j = 0; j < out.length; j++) {
            System.arraycopy(flat, j * dof, out[j], 0, dof);
        }
    }

    /** What a saved policy records to rebuild this codec (keys without a prefix). */
    public Map<String, String> toInfo() {
        return info;
    }
}
