package dev.chimera.robotics.policy;

import java.util.Map;

/**
 * How a policy's head values become a chunk of T actions, in normalised action units (each DoF's
 * 1st/99th percentiles at -1 and 1). Every token is a bin of 256 over its own bounds, and the
 * policy's Fourier head predicts it as a value in [-1, 1] whose 256 bins are the token's bins
 * ({@link #tokenValue}): the head's density over bins is the distribution over tokens.
 * <ul>
 *   <li>BEAST: one prediction of every control-point token of the chunk (parallel decoding);</li>
 *   <li>binning: T predictions of one step's D tokens each, one after another (autoregressive),
 *       each step's decoded action fed back as the next position's input.</li>
 * </ul>
 */
public interface ChunkCodec {

    /** "beast" or "binning". */
    String name();

    int dof();

    /** T, the actions in a chunk. */
    int steps();

    /** Head values per prediction. */
    int valuesPerPrediction();

    /** Predictions per chunk: 1 for parallel decoding, T for per-step autoregression. */
    int predictionsPerChunk();

    /**
     * The head's targets for one chunk, (predictionsPerChunk, valuesPerPrediction) from {@code offset}:
     * the chunk's tokens as values in [-1, 1]. {@code previous} is the action executed just before
     * the chunk (normalised, D); {@code chunk} (T, D) normalised.
     */
    void targets(double[] previous, double[][] chunk, float[] out, int offset);

    /**
     * The chunk (T, D, normalised) that predicted token values (predictionsPerChunk,
     * valuesPerPrediction) decode to, continuing from {@code previous}.
     */
    void decode(double[] previous, float[] values, int offset, double[][] out);

    /** What a saved policy records to rebuild this codec (keys without a prefix). */
    Map<String, String> toInfo();

    /** The value in [-1, 1] at the centre of token t's bin among 256. */
    static float tokenValue(int token) {
        return (float) ((token + 0.5) / 128.0 - 1.0);
    }

    /** The (fractional) token a value in [-1, 1] stands for: the inverse of {@link #tokenValue}. */
    static double token(double value) {
        return Math.max(0.0, Math.min(255.0, (value + 1.0) * 128.0 - 0.5));
    }
}
