package dev.chimera.core.heads;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.tensor.Tensor;

/** Argument checks shared by the heads; each message names the operation, the argument and what was expected. */
final class HeadChecks {
    private HeadChecks() {
    }

    /** Rows of t, whose last axis must be cols ("rows" = all leading axes flattened). */
    static int rows(String op, String name, Tensor t, int cols) {
        if (t.rank() < 1 || t.dim(t.rank() - 1) != cols) {
            throw new IllegalArgumentException(op + ": " + name + " must be (rows, " + cols + "), got " + t.shapeString());
        }
        return t.size() / cols;
    }

    /** t must be (rows, cols), leading axes flattened. */
    static void shape(String op, String name, Tensor t, int rows, int cols) {
        if (rows(op, name, t, cols) != rows) {
            throw new IllegalArgumentException(op + ": " + name + " must hold " + rows + " rows of " + cols + ", got "
                    + t.shapeString());
        }
    }

    /** t must be a vector of one value per row. */
    static void vector(String op, String name, Tensor t, int rows) {
        if (t.rank() != 1 || t.dim(0) != rows) {
            throw new IllegalArgumentException(op + ": " + name + " must be (" + rows + "), got " + t.shapeString());
        }
    }

    /** A float64 (rows, cols) array must have exactly rows * cols values. */
    static void length(String op, String name, double[] x, int rows, int cols) {
        if (rows < 1) {
            throw new IllegalArgumentException(op + ": rows must be >= 1, got " + rows);
        }
        if ((long) rows * cols != x.length) {
            throw new IllegalArgumentException(op + ": " + name + " must be (" + rows + ", " + cols + ") = "
                    + (long) rows * cols + " values, got " + x.length);
        }
    }

    static void targets(String op, int[] targets, int rows, int bins) {
        if (targets.length != rows) {
            throw new IllegalArgumentException(op + ": " + targets.length + " targets for " + rows + " rows");
        }
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t != Backend.IGNORE_TARGET && (t < 0 || t >= bins)) {
                throw new IllegalArgumentException(op + ": target " + t + " at row " + r + " is outside [0, " + bins
                        + ") and is not IGNORE_TARGET (-1)");
            }
        }
    }

    static void gamma(double gamma) {
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("regulariser gamma must be finite and >= 0, got " + gamma);
        }
    }
}
