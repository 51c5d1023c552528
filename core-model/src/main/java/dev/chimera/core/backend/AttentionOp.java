package dev.chimera.core.backend;

import dev.chimera.core.attention.KvCache;
import dev.chimera.core.tensor.Tensor;

/**
 * Causal grouped-query attention over a full or windowed span (MASFormer), as one backend
 * provides it: the tiled parallel forward and backward of training (FlashAttention-2's online
 * softmax, O(T) memory), the continuation of a prompt over a {@link KvCache}, and the decoding
 * step. Query head h reads kv head h / (nHeads / nKvHeads); scores are scaled by 1/sqrt(headDim);
 * RoPE is applied by the caller ({@link RotaryOp}).
 */
public interface AttentionOp {

    int nHeads();

    int nKvHeads();

    int headDim();

    /** The window W, or 0 for the full causal span. */
    int window();

    /**
     * o = softmax(q kᵀ / sqrt(headDim) + mask) v and lse, the log-sum-exp of each row's scores,
     * saved for backward. q, o (batch, T, nHeads, headDim); k, v (batch, T, nKvHeads, headDim);
     * lse (batch, nHeads, T).
     */
    void forward(Tensor o, Tensor lse, Tensor q, Tensor k, Tensor v);

    /** dq, dk, dv overwritten from dout; delta (batch, nHeads, T) is scratch. */
    void backward(Tensor dq, Tensor dk, Tensor dv, Tensor delta, Tensor dout, Tensor q, Tensor k, Tensor v, Tensor o,
                  Tensor lse);

    /**
     * An empty cache of this layer's kv heads and span: a full-span cache holds up to
     * {@code capacity} positions, a windowed one is a ring of W slots whatever capacity is.
     */
    KvCache newCache(int capacity);

    /**
     * The attention of T new positions of one sequence, q (T, nHeads, headDim) with k, v
     * (T, nKvHeads, headDim), over the positions already held in {@code cache} and themselves;
     * the cache is not modified (the caller appends k and v afterwards). o (T, nHeads, headDim).
     */
    void continueFrom(Tensor o, Tensor q, Tensor k, Tensor v, KvCache cache);

    /**
     * One decoding step of n = q.dim(0) sequences: row i of k and v (n, nKvHeads, headDim) is appended
     * to {@code caches[i]}, then row i of q (n, nHeads, headDim) attends to what that cache holds;
     * out (n, nHeads, headDim). The array may be longer than n. Allocates nothing.
     */
    void step(Tensor out, Tensor q, Tensor k, Tensor v, KvCache[] caches);
}
