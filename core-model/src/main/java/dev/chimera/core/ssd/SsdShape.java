package dev.chimera.core.ssd;

import dev.chimera.core.tensor.Tensor;
import java.util.Arrays;

/**
 * The sizes of one SSD scan call, in mamba's names (REFERENCE §2), and the shape checks
 * shared by {@link SsdRecurrence}, {@link SsdChunked} and {@link SsdScan}.
 *
 * <p>Layouts, all row-major: x and y (batch, seqlen, nheads, headdim); dt (batch, seqlen,
 * nheads); A and D (nheads); B and C (batch, seqlen, ngroups, dstate); states (batch, nheads,
 * headdim, dstate). Head h reads group h / (nheads / ngroups) of B and C.
 */
public record SsdShape(int batch, int seqlen, int nheads, int headdim, int ngroups, int dstate) {

    public SsdShape {
        if (batch < 1 || seqlen < 1 || nheads < 1 || headdim < 1 || ngroups < 1 || dstate < 1) {
            throw new IllegalArgumentException("SSD sizes must all be >= 1, got " + this);
        }
        if (nheads % ngroups != 0) {
            throw new IllegalArgumentException("nheads " + nheads + " is not divisible by ngroups " + ngroups
                    + " in " + this);
        }
    }

    /**
     * The sizes read from x (batch, seqlen, nheads, headdim) and B (batch, seqlen, ngroups,
     * dstate), after checking that dt, A, C and D agree; {@code op} names the caller in messages.
     */
    public static SsdShape of(String op, Tensor x, Tensor dt, Tensor A, Tensor B, Tensor C, Tensor D) {
        x.requireRank(4, op + ": x (batch, seqlen, nheads, headdim)");
        B.requireRank(4, op + ": B (batch, seqlen, ngroups, dstate)");
        if (B.dim(0) != x.dim(0) || B.dim(1) != x.dim(1)) {
            throw new IllegalArgumentException(op + ": B " + B.shapeString() + " must share (batch, seqlen) with x "
                    + x.shapeString());
        }
        if (x.dim(2) % B.dim(2) != 0) {
            throw new IllegalArgumentException(op + ": nheads " + x.dim(2) + " of x " + x.shapeString()
                    + " is not divisible by ngroups " + B.dim(2) + " of B " + B.shapeString());
        }
        SsdShape s = new SsdShape(x.dim(0), x.dim(1), x.dim(2), x.dim(3), B.dim(2), B.dim(3));
        s.require(op, "dt", dt, s.dtShape());
        s.require(op, "A", A, s.nheads);
        s.require(op, "C", C, s.bcShape());
        s.require(op, "D", D, s.nheads);
        return s;
    }

    /** The sizes of one recurrent step, read from x (batch, nheads, headdim) and B (batch, ngroups, dstate). */
    public static SsdShape ofStep(String op, Tensor x, Tensor B) {
        x.requireRank(3, op + ": x (batch, nheads, headdim)");
        B.requireRank(3, op + ": B (batch, ngroups, dstate)");
        if (B.dim(0) != x.dim(0) || x.dim(1) % B.dim(1) != 0) {
            throw new IllegalArgumentException(op + ": B " + B.shapeString() + " does not fit x " + x.shapeString()
                    + ": expected the same batch and nheads divisible by ngroups");
        }
        return new SsdShape(x.dim(0), 1, x.dim(1), x.dim(2), B.dim(1), B.dim(2));
    }

    /** Heads that share one group of B and C. */
    public int headsPerGroup() {
        return nheads / ngroups;
    }

    /** The group of B and C that head {@code h} reads. */
    public int group(int h) {
        return h / headsPerGroup();
    }

    public int[] xShape() {
        return new int[] {batch, seqlen, nheads, headdim};
    }

    public int[] dtShape() {
        return new int[] {batch, seqlen, nheads};
    }

    public int[] bcShape() {
        return new int[] {batch, seqlen, ngroups, dstate};
    }

    public int[] stateShape() {
        return new int[] {batch, nheads, headdim, dstate};
    }

    /** Values in one head's state, headdim * dstate. */
    public int stateSize() {
        return headdim * dstate;
    }

    /** Throws an {@link IllegalArgumentException} naming both shapes unless {@code t} has shape {@code expected}. */
    public void require(String op, String name, Tensor t, int... expected) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + Tensor.shapeString(expected)
                    + " for " + this + ", got " + t.shapeString());
        }
    }

    /** As {@link #require(String, String, Tensor, int...)} for a flat array that holds that shape. */
    public void require(String op, String name, int length, int... expected) {
        long n = 1;
        for (int d : expected) {
            n *= d;
        }
        if (length != n) {
            throw new IllegalArgumentException(op + ": " + name + " must hold " + Tensor.shapeString(expected)
                    + " = " + n + " values for " + this + ", got " + length);
        }
    }

    /**
     * Throws unless t has exactly the dimensions given; written for one to three axes without an
     * array, so that the decoding step's checks allocate nothing.
     */
    static void requireDims(String op, String name, Tensor t, int d0) {
        if (t.rank() != 1 || t.dim(0) != d0) {
            throw new IllegalArgumentException(op + ": " + name + " must be (" + d0 + "), got " + t.shapeString());
        }
    }

    static void requireDims(String op, String name, Tensor t, int d0, int d1) {
        if (t.rank() != 2 || t.dim(0) != d0 || t.dim(1) != d1) {
            throw new IllegalArgumentException(op + ": " + name + " must be (" + d0 + ", " + d1 + "), got "
                    + t.shapeString());
        }
    }

    static void requireDims(String op, String name, Tensor t, int d0, int d1, int d2) {
        if (t.rank() != 3 || t.dim(0) != d0 || t.dim(1) != d1 || t.dim(2) != d2) {
            throw new IllegalArgumentException(op + ": " + name + " must be (" + d0 + ", " + d1 + ", " + d2 + "), got "
                    + t.shapeString());
        }
    }
}
