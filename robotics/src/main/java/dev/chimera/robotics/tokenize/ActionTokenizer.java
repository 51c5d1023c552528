package dev.chimera.robotics.tokenize;

/**
 * Turns a chunk of T normalised actions of D DoF into discrete tokens and back: the contract the
 * {@link TokenizerHarness} measures BEAST, per-step binning and FAST through. Chunks are flat,
 * row-major (T, D) arrays. Decoding is closed-loop: {@code previous} is the action the robot last
 * executed (the decoded end of the chunk before) and {@code velocity} its change per step; a
 * tokenizer that does not join chunks ignores both.
 *
 * <p>Implementations keep scratch buffers so that encode and decode allocate nothing: one instance
 * per thread.
 */
public interface ActionTokenizer {

    /** The name in reports: "beast", "binning" or "fast". */
    String method();

    /** Steps per chunk, T. */
    int chunkLength();

    int dof();

    /** The most tokens {@link #encode} can write for one chunk. */
    int maxTokens();

    /**
     * Encodes one chunk.
     *
     * @param chunk    (T, D) normalised actions
     * @param previous (D) the previously executed action
     * @param velocity (D) its change per step
     * @param tokens   receives the tokens, at least {@link #maxTokens()} long
     * @return how many tokens were written
     */
    int encode(double[] chunk, double[] previous, double[] velocity, int[] tokens);

    /**
     * Decodes tokens back to the chunk's T actions at the data rate.
     *
     * @param out (T, D) normalised actions
     */
    void decode(int[] tokens, int count, double[] previous, double[] velocity, double[] out);
}
