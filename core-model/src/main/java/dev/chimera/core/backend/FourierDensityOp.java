package dev.chimera.core.backend;

import dev.chimera.core.tensor.Tensor;

/**
 * The Fourier head after its linear layer (REFERENCE §4): a row of coefficients z (2(N+1)) becomes
 * a smooth distribution over B bins of [-1, 1], p, with logits log(p + 1e-5); trained by its
 * cross-entropy plus a smoothness regulariser. "Rows" are all leading axes flattened.
 */
public interface FourierDensityOp {

    /** What a forward pass saves for its backward, for up to a fixed number of rows. */
    interface Saved {
    }

    int frequencies();

    int bins();

    /** Width of a row of z: 2(N+1). */
    int width();

    /** Saved state for forwards of up to {@code maxRows} rows. */
    Saved allocate(int maxRows);

    /** probs and logits (rows, B) from z (rows, 2(N+1)). */
    void forward(Tensor probs, Tensor logits, Tensor z, Saved saved);

    /**
     * probs (rows, B) from z (rows, 2(N+1)) for inference: the same values as {@link #forward}
     * writes, bit for bit, without the cost of the logits. Saves z as forward does.
     */
    void probabilities(Tensor probs, Tensor z, Saved saved);

    /** losses (rows): the cross-entropy of each row against its target bin (0 where IGNORE_TARGET). */
    void crossEntropy(Tensor losses, Tensor z, int[] targets, Saved saved);

    /**
     * dz (rows, 2(N+1)) of sum_r dlosses[r] * loss_r, plus the regulariser's gradient when gamma > 0;
     * returns the regulariser's value.
     */
    double crossEntropyBackward(Tensor dz, Tensor dlosses, int[] targets, double gamma, Saved saved);

    /** The regulariser gamma * 2 * mean_rows sum_k 2 pi^2 k^2 |c_k|^2 over the rows of the last forward. */
    double regularizer(double gamma, Saved saved);
}
