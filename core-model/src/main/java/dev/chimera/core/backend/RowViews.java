package dev.chimera.core.backend;

import dev.chimera.core.tensor.Tensor;

/**
 * Views of the first n rows of a buffer, for every n from 1 to the rows it holds, made once: a
 * decoding step over n sequences then takes its operands without making a tensor object, so it
 * allocates nothing (a view is a small object, but one per buffer per layer per token adds up).
 */
public final class RowViews {
    private final Tensor[] byRows;

    /** Views (n, rowShape...) of {@code buffer}, which holds at least maxRows rows of rowShape. */
    public RowViews(Tensor buffer, int maxRows, int... rowShape) {
        int rowSize = 1;
        for (int d : rowShape) {
            rowSize *= d;
        }
        if ((long) maxRows * rowSize > buffer.size()) {
            throw new IllegalArgumentException("row views: " + maxRows + " rows of " + Tensor.shapeString(rowShape)
                    + " do not fit in " + buffer.shapeString());
        }
        byRows = new Tensor[maxRows + 1];
        int[] shape = new int[rowShape.length + 1];
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        for (int n = 1; n <= maxRows; n++) {
            shape[0] = n;
            byRows[n] = Tensor.over(buffer.storage(), buffer.offset(), shape);
        }
    }

    /** The first n rows, 1 <= n <= maxRows. */
    public Tensor rows(int n) {
        if (n < 1 || n >= byRows.length) {
            throw new IllegalArgumentException("row views hold 1 to " + (byRows.length - 1) + " rows, asked for " + n);
        }
        return byRows[n];
    }
}
