package dev.chimera.core.backend;

import dev.chimera.core.kernel.Activation;
import dev.chimera.core.kernel.GemmForm;
import dev.chimera.core.tensor.Storage;
import dev.chimera.core.tensor.Tensor;

/**
 * A compute backend: the memory a model's tensors live in and every operation the model runs on
 * them (DESIGN "The core": "the compute backend is one interface whose operations are the model's
 * op list"). Layers, heads, input adapters, optimisers and the decoder call nothing else, so a
 * backend that keeps its tensors on a device (CUDA) runs a whole model without a copy per
 * operation. Two backends come with the core: {@link ScalarBackend}, the plain-loop reference
 * that every other implementation is tested against, and {@link VectorBackend}, the Vector API
 * one over a {@link dev.chimera.core.kernel.ComputePool}. A backend is made by whoever owns the
 * run and passed in; nothing reads one from a static.
 *
 * <p>The dense operations are methods here; the sequence operations with their own shapes and
 * scratch (the SSD scan, the causal convolution, attention and its KV cache, rotary embeddings,
 * the Fourier density) are objects made once per layer by the factory methods below, so that
 * their set-up is not paid per call.
 *
 * <p>Conventions, the same for every method and every layer built on them:
 * <ul>
 *   <li>argument order is outputs, inputs, weights, then scalars; gradients are prefixed {@code d};</li>
 *   <li>outputs and activation gradients are overwritten; parameter gradients
 *       ({@code dweight}) are accumulated with {@code +=}; a GEMM overwrites or accumulates
 *       as its {@code accumulate} flag says;</li>
 *   <li>shapes are checked on entry and a mismatch throws {@link IllegalArgumentException}
 *       naming the shapes; nothing is broadcast;</li>
 *   <li>"rows" means all leading axes flattened: a (B, T, C) tensor is B*T rows of C;</li>
 *   <li>an elementwise kernel (activations, add, mul, scale) may write its output over one of its
 *       inputs; the row kernels (norms, cross-entropy) and GEMM must not be given an output that
 *       aliases an input;</li>
 *   <li>integer inputs (token ids, targets) and scalars come from the host as Java values.</li>
 * </ul>
 */
public interface Backend {

    /** Target index meaning "no loss at this row" (padding, masked positions). */
    int IGNORE_TARGET = -1;

    /** A short name for logs and benchmark output. */
    String name();

    /**
     * This backend's computation with every product giving each row the same bits whatever the other
     * rows of the batch: a stream consumer's forecasts must not depend on how its inputs happened to
     * arrive together. Itself where that holds already.
     */
    default Backend rowInvariant() {
        return this;
    }

    // ------------------------------------------------------------------ memory

    /** {@code floats} zero-filled floats of this backend's memory (one arena slab, a parameter array). */
    Storage allocateStorage(long floats);

    /** A zero-filled tensor in this backend's memory. */
    default Tensor allocate(int... shape) {
        long size = 1;
        for (int d : shape) {
            size *= d;
        }
        return Tensor.over(allocateStorage(size), 0, shape);
    }

    /** Copies {@code src} (a tensor of this backend) to the host array {@code dst} from index 0. */
    void download(float[] dst, Tensor src);

    /** Copies the host array {@code src} from index 0 into {@code dst}, a tensor of this backend. */
    void upload(Tensor dst, float[] src);

    // ------------------------------------------------------------------ dense operations

    /** Every value of t set to {@code value}. */
    void fill(Tensor t, float value);

    /** dst = src, tensors of the same shape. */
    void copy(Tensor dst, Tensor src);

    /** C (+)= op(A)·op(B) for the given form; rank 2, or rank 3 for a batch of products. */
    void gemm(GemmForm form, Tensor c, Tensor a, Tensor b, boolean accumulate);

    /** out = f(x). */
    void activation(Activation f, Tensor out, Tensor x);

    /** dx = dy * f'(x). */
    void activationBackward(Activation f, Tensor dx, Tensor dy, Tensor x);

    /** out = a + b. */
    void add(Tensor out, Tensor a, Tensor b);

    /** out = a * b, elementwise. */
    void mul(Tensor out, Tensor a, Tensor b);

    /** out = alpha * x. */
    void scale(Tensor out, float alpha, Tensor x);

    /** x (rows, n) += v (n) on every row: a bias. */
    void addRowVector(Tensor x, Tensor v);

    /** out (n) += the sum over rows of x (rows, n): a bias gradient. */
    void addColumnSums(Tensor out, Tensor x);

    /** The sum of squares of x's values, accumulated in double (a gradient norm). */
    double sumOfSquares(Tensor x);

    /**
     * Columns [dstCol, dstCol + width) of every row of dst (rows, dstCols) = columns
     * [srcCol, srcCol + width) of src (rows, srcCols), both rank 2: splitting a fused projection
     * into its parts and joining their gradients.
     */
    void copyColumns(Tensor dst, int dstCol, Tensor src, int srcCol, int width);

    /**
     * out (rows, d) = table[ids[r]] (V, d), from the first {@code rows} ids (the array may be a
     * longer buffer); an id outside [0, V) is rejected with its position.
     */
    void gatherRows(Tensor out, Tensor table, int[] ids);

    /** dtable[ids[r]] += dout[r] for every row r of dout (the first rows ids): the embedding's gradient. */
    void scatterAddRows(Tensor dtable, Tensor dout, int[] ids);

    /**
     * RMSNorm over the last axis: out = x * rstd * weight with rstd = 1/sqrt(mean(x^2) + eps).
     * x, out: (rows, C); weight: (C); rstd: (rows), saved for the backward pass.
     */
    void rmsNorm(Tensor out, Tensor rstd, Tensor x, Tensor weight, float eps);

    /** Backward of {@link #rmsNorm}: dx = rstd * (g - xhat * mean(g * xhat)), g = dout*weight; dweight += dout*xhat. */
    void rmsNormBackward(Tensor dx, Tensor dweight, Tensor dout, Tensor x, Tensor weight, Tensor rstd);

    /**
     * Mamba2's gated RMSNorm (gate, then norm): v = y * silu(z), each of the G groups of a row's
     * C channels scaled by 1/sqrt(mean(v^2) + eps) and by weight. y, z, out: (rows, C); weight:
     * (C); rstd: (rows * G), saved for backward.
     */
    void gatedRmsNorm(Tensor out, Tensor rstd, Tensor y, Tensor z, Tensor weight, int groups, float eps);

    /** Backward of {@link #gatedRmsNorm}: dy and dz overwritten (neither may share memory with an input), dweight accumulated. */
    void gatedRmsNormBackward(Tensor dy, Tensor dz, Tensor dweight, Tensor dout, Tensor y, Tensor z, Tensor weight,
                              Tensor rstd, int groups);

    /**
     * Fused softmax and cross-entropy. logits, probs: (rows, V); losses: (rows); targets: one per
     * row, in [0, V) or {@link #IGNORE_TARGET} (loss 0). losses[r] = logsumexp(logits[r]) - logits[r][t].
     */
    void softmaxCrossEntropy(Tensor losses, Tensor probs, Tensor logits, int[] targets);

    /** dlogits[r] = (probs[r] - onehot(targets[r])) * dlosses[r]; zero for ignored rows. */
    void softmaxCrossEntropyBackward(Tensor dlogits, Tensor dlosses, Tensor probs, int[] targets);

    // ------------------------------------------------------------------ optimiser steps

    /**
     * One AdamW update of a tensor (Loshchilov and Hutter): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
     * p = p * keep - lr * (m / c1) / (sqrt(v / c2) + eps), with the bias corrections c1 = 1 - b1^t,
     * c2 = 1 - b2^t and keep = 1 - lr * weightDecay (1 for tensors without decay), each step in float.
     */
    void adamwUpdate(Tensor p, Tensor m, Tensor v, Tensor g, float lr, float b1, float b2, float eps, float c1,
                     float c2, float keep);

    /**
     * One SGD-SaI update of a tensor (Xu et al.): buf = g on the first step, else
     * buf = momentum buf + dampening g; p = p * keep - stepSize * buf, with stepSize = lr * g-SNR.
     */
    void sgdSaiUpdate(Tensor p, Tensor buf, Tensor g, float stepSize, float momentum, float dampening, float keep,
                      boolean first);

    // ------------------------------------------------------------------ sequence operations

    /** The SSD scan (REFERENCE §2) whose backward pass rebuilds states {@code chunkSize} steps at a time. */
    SsdScanOp ssdScan(int chunkSize);

    /** Depthwise causal convolution over time of {@code channels} channels, {@code width} taps. */
    CausalConvOp causalConv(int channels, int width);

    /** Causal grouped-query attention; {@code window} W >= 1 for a sliding window, 0 for the full span. */
    AttentionOp attention(int nHeads, int nKvHeads, int headDim, int window);

    /** Rotary position embeddings for heads of {@code headDim}, tabulated for {@code tablePositions}. */
    RotaryOp rotary(int headDim, int tablePositions, double base);

    /** The Fourier head's density over {@code bins} bins from {@code frequencies} frequencies (REFERENCE §4). */
    FourierDensityOp fourierDensity(int frequencies, int bins);
}
