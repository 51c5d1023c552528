package dev.chimera.core.backend;

import dev.chimera.core.tensor.Tensor;

/**
 * Rotary position embeddings (Su et al., RoFormer) on the heads of q or k: each pair of a head's
 * channels rotated by the angle position * base^(-2i/headDim), in place.
 */
public interface RotaryOp {

    /** Rotates x (batch, T, heads, headDim) or (T, heads, headDim) at positions startPos, startPos + 1, ... */
    void forward(Tensor x, int startPos);

    /** The transpose (inverse) rotation of a gradient laid out as {@link #forward}'s x. */
    void backward(Tensor dx, int startPos);

    /** Rotates row i of x (n, heads, headDim) at position {@code positions[i]}: one step of n sequences. */
    void forwardAt(Tensor x, int[] positions);
}
