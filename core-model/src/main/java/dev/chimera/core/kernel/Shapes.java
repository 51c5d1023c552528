package dev.chimera.core.kernel;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.tensor.Tensor;
import java.util.Arrays;

/** Shape checks shared by the kernel implementations; each message names the shapes involved. */
final class Shapes {
    private Shapes() {
    }

    static void same(String op, Tensor a, Tensor b) {
        a.requireSameShape(op, b);
    }

    static void same(String op, Tensor a, Tensor b, Tensor c) {
        a.requireSameShape(op, b);
        a.requireSameShape(op, c);
    }

    static void same(String op, Tensor a, Tensor b, Tensor c, Tensor d) {
        same(op, a, b, c);
        a.requireSameShape(op, d);
    }

    /** Rows of x seen as (rows, n): its size must be a multiple of n. */
    static int rowsOf(String op, Tensor x, int n) {
        if (n < 1 || x.size() % n != 0) {
            throw new IllegalArgumentException(op + ": " + x.shapeString() + " is not a whole number of rows of " + n);
        }
        return x.size() / n;
    }

    /** Checks that x is rank 2 and returns its column count. */
    static int matrix(String op, String what, Tensor x) {
        if (x.rank() != 2) {
            throw new IllegalArgumentException(op + ": " + what + " must be a (rows, columns) matrix, got "
                    + x.shapeString());
        }
        return x.dim(1);
    }

    /** Size of the last axis; rank 0 is refused. */
    static int lastDim(String op, Tensor x) {
        if (x.rank() == 0) {
            throw new IllegalArgumentException(op + ": needs rank >= 1, got " + x.shapeString());
        }
        return x.dim(x.rank() - 1);
    }

    /** Checks that {@code v} is a vector of length {@code n}. */
    static void vector(String op, String what, Tensor v, int n, Tensor of) {
        if (v.rank() != 1 || v.dim(0) != n) {
            throw new IllegalArgumentException(op + ": " + what + " must be (" + n + ") for " + of.shapeString()
                    + ", got " + v.shapeString());
        }
    }

    /** Number of rows of x when its last axis has length cols. */
    static int rows(Tensor x, int cols) {
        return cols == 0 ? 0 : x.size() / cols;
    }

    static void targets(String op, int[] targets, int rows, int vocab) {
        if (targets.length != rows) {
            throw new IllegalArgumentException(op + ": " + targets.length + " targets for " + rows + " rows");
        }
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t != Backend.IGNORE_TARGET && (t < 0 || t >= vocab)) {
                throw new IllegalArgumentException(op + ": target " + t + " at row " + r + " is outside [0, " + vocab
                        + ") and is not IGNORE_TARGET (-1)");
            }
        }
    }

    /** Checks a gated RMSNorm's operands and returns {rows, C, C / groups}. */
    static int[] gatedNorm(String op, Tensor y, Tensor z, Tensor out, Tensor weight, Tensor rstd, int groups) {
        same(op, y, z, out);
        int cols = lastDim(op, y);
        if (groups < 1 || cols % groups != 0) {
            throw new IllegalArgumentException(op + ": " + cols + " channels of " + y.shapeString()
                    + " do not split into " + groups + " groups");
        }
        int rows = rows(y, cols);
        vector(op, "weight", weight, cols, y);
        vector(op, "rstd", rstd, rows * groups, y);
        return new int[] {rows, cols, cols / groups};
    }
}
