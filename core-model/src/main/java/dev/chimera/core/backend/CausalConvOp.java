package dev.chimera.core.backend;

import dev.chimera.core.tensor.Tensor;

/**
 * Depthwise causal 1-D convolution over time with bias, channels last (REFERENCE §2 step 2):
 * y[b,t,c] = bias[c] + sum_{j<K} w[c,j] * x[b, t-(K-1)+j, c], with x = 0 before the start of the
 * sequence. weight (C, K), bias (C). The recurrent form keeps the last K inputs of each channel,
 * oldest first, as a state (C, K).
 */
public interface CausalConvOp {

    /** y, x: (batch, T, C). */
    void forward(Tensor y, Tensor x, Tensor weight, Tensor bias);

    /** dx (batch, T, C) overwritten; dweight and dbias accumulated. */
    void backward(Tensor dx, Tensor dweight, Tensor dbias, Tensor dy, Tensor x, Tensor weight);

    /**
     * Inference over x (T, C) continuing from state (C, K): the K-1 inputs before the chunk come from
     * the state, and afterwards the state holds the chunk's last K inputs. y: (T, C).
     */
    void prefill(Tensor y, Tensor state, Tensor x, Tensor weight, Tensor bias);

    /**
     * One step of n = x.dim(0) sequences: x, y (n, C); {@code states[i]} (C, K) rolls left and takes
     * row i of x (the array may be longer than n). Allocates nothing.
     */
    void step(Tensor y, Tensor[] states, Tensor x, Tensor weight, Tensor bias);
}
