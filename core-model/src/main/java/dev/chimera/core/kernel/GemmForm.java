package dev.chimera.core.kernel;

import dev.chimera.core.tensor.Tensor;

/**
 * The three matrix products that training needs, named by what multiplies C:
 * {@code AB}: C(m,n) = A(m,k)·B(k,n) (forward of a linear layer);
 * {@code ABt}: C(m,n) = A(m,k)·B(n,k)ᵀ (input gradient, attention scores);
 * {@code AtB}: C(m,n) = A(k,m)ᵀ·B(k,n) (weight gradient).
 * Operands are row-major; rank 3 means a batch of independent products.
 */
public enum GemmForm {
    AB, ABt, AtB;

    /** m, n, k and batch of a product, after checking that C, A and B agree. */
    public static final class Dims {
        public final int batch;
        public final int m;
        public final int n;
        public final int k;

        Dims(int batch, int m, int n, int k) {
            this.batch = batch;
            this.m = m;
            this.n = n;
            this.k = k;
        }

        public double flops() {
            return 2.0 * batch * m * n * k;
        }
    }

    /** Validates the operand shapes for this form; the message names all three shapes. */
    public Dims dims(Tensor c, Tensor a, Tensor b) {
        int rank = a.rank();
        if ((rank != 2 && rank != 3) || b.rank() != rank || c.rank() != rank) {
            throw mismatch(c, a, b, "operands must all be rank 2, or all rank 3 (batched)");
        }
        int o = rank - 2;
        int batch = rank == 3 ? a.dim(0) : 1;
        if (rank == 3 && (b.dim(0) != batch || c.dim(0) != batch)) {
            throw mismatch(c, a, b, "batch sizes differ");
        }
        int m = this == AtB ? a.dim(o + 1) : a.dim(o);
        int k = this == AtB ? a.dim(o) : a.dim(o + 1);
        int kb = this == ABt ? b.dim(o + 1) : b.dim(o);
        int n = this == ABt ? b.dim(o) : b.dim(o + 1);
        if (k != kb) {
            throw mismatch(c, a, b, "inner dimensions differ (" + k + " vs " + kb + ")");
        }
        if (c.dim(o) != m || c.dim(o + 1) != n) {
            throw mismatch(c, a, b, "C must be (" + m + ", " + n + ")");
        }
        return new Dims(batch, m, n, k);
    }

    private IllegalArgumentException mismatch(Tensor c, Tensor a, Tensor b, String why) {
        return new IllegalArgumentException("gemm " + name() + ": C " + c.shapeString() + ", A " + a.shapeString()
                + ", B " + b.shapeString() + ": " + why);
    }
}
