package dev.chimera.core.kernel;

import dev.chimera.core.tensor.Tensor;

/**
 * The compute primitives every layer is built from. Two implementations: {@link ScalarKernels},
 * the plain-loop reference (double accumulation, single thread), and {@link VectorKernels},
 * the Vector API version that is tested against it.
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
 *   <li>an elementwise kernel (activations, add, mul, scale, axpy) may write its output over one
 *       of its inputs; the row kernels (norms, softmax, cross-entropy) and GEMM must not be given
 *       an output that aliases an input.</li>
 * </ul>
 */
public interface Kernels {

    /** Target index meaning "no loss at this row" (padding, masked positions). */
    int IGNORE_TARGET = -1;

    /** The vector kernels over {@code pool}, or the scalar reference if {@code -Dchimera.kernels=scalar}. */
    static Kernels create(ComputePool pool) {
        return Simd.vectorEnabled() ? new VectorKernels(pool) : new ScalarKernels();
    }

    /** A short name for logs and benchmark output. */
    String name();

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

    /** y += alpha * x. */
    void axpy(Tensor y, float alpha, Tensor x);

    /** out = alpha * x. */
    void scale(Tensor out, float alpha, Tensor x);

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

    /** Backward of {@link #gatedRmsNorm}: dy and dz overwritten, dweight accumulated. */
    void gatedRmsNormBackward(Tensor dy, Tensor dz, Tensor dweight, Tensor dout, Tensor y, Tensor z, Tensor weight,
                              Tensor rstd, int groups);

    /** Softmax over the last axis, shifted by the row maximum. */
    void softmax(Tensor out, Tensor x);

    /** Backward of {@link #softmax}: dx = y * (dy - sum(dy * y)) per row. */
    void softmaxBackward(Tensor dx, Tensor dy, Tensor y);

    /**
     * Fused softmax and cross-entropy. logits, probs: (rows, V); losses: (rows); targets: one per
     * row, in [0, V) or {@link #IGNORE_TARGET} (loss 0). losses[r] = logsumexp(logits[r]) - logits[r][t].
     */
    void softmaxCrossEntropy(Tensor losses, Tensor probs, Tensor logits, int[] targets);

    /** dlogits[r] = (probs[r] - onehot(targets[r])) * dlosses[r]; zero for ignored rows. */
    void softmaxCrossEntropyBackward(Tensor dlogits, Tensor dlosses, Tensor probs, int[] targets);

    /** out = x summed over {@code axis}; out has x's shape without that axis. */
    void sum(Tensor out, Tensor x, int axis);

    /** out = mean of x over {@code axis} (which must not be empty). */
    void mean(Tensor out, Tensor x, int axis);
}
