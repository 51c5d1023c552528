package dev.chimera.core.heads;

import dev.chimera.core.backend.FourierDensityOp;

/**
 * What a {@link FourierDensity} forward pass saves for its backward pass, plus the per-thread
 * scratch both passes work in. Made by {@link FourierDensity#allocate} for a maximum number of
 * rows, so nothing is sized lazily; one instance serves one forward/backward at a time.
 *
 * <p>Only the coefficients are kept: the backward pass re-evaluates A(x_m) = sum_j a_j e^{i pi j x_m}
 * from them (O(N B) per row, the cost of the forward) instead of storing (rows, B) complex values.
 * Reference: Fourier Head (Gillman et al., ICLR 2025); REFERENCE.md §4.
 */
public final class FourierActivations implements FourierDensityOp.Saved {
    final FourierDensity owner;
    final int maxRows;
    /** (maxRows, 2(N+1)): z of the last forward in double, real parts then imaginary parts. */
    final double[] a;
    /** (maxRows): sum_k 2 pi^2 k^2 |c_k|^2 per row, written by the regulariser passes. */
    final double[] penalty;
    /** One per pool thread. */
    final Scratch[] scratch;
    /** Rows of the last forward, or -1 when there is none (or it failed). */
    int rows = -1;

    FourierActivations(FourierDensity owner, int maxRows, int threads) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
        }
        this.owner = owner;
        this.maxRows = maxRows;
        this.a = new double[Math.multiplyExact(maxRows, owner.width())];
        this.penalty = new double[maxRows];
        this.scratch = new Scratch[threads];
        for (int t = 0; t < threads; t++) {
            scratch[t] = new Scratch(owner.frequencies(), owner.bins());
        }
    }

    /** The most rows one forward may hold. */
    public int maxRows() {
        return maxRows;
    }

    /** Rows of the last successful forward, or -1 before one. */
    public int rows() {
        return rows;
    }

    /** One thread's working row: the density at the bin centres and the row's gradient. */
    static final class Scratch {
        /** (B): Re and Im of A(x_m), then of gq_m A(x_m) in the backward pass. */
        final double[] ar;
        final double[] ai;
        /** (B): p_m. */
        final double[] p;
        /** (B): dL/dp_m. */
        final double[] g;
        /** (2(N+1)): dL/da as Re then Im, laid out like a row of z. */
        final double[] ga;
        /** c_0 = sum_j |a_j|^2 and S = sum_m q_m of the row last evaluated. */
        double c0;
        double qSum;

        Scratch(int frequencies, int bins) {
            ar = new double[bins];
            ai = new double[bins];
            p = new double[bins];
            g = new double[bins];
            ga = new double[2 * (frequencies + 1)];
        }
    }
}
