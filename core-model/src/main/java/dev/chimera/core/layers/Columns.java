package dev.chimera.core.layers;

import dev.chimera.core.tensor.Tensor;

/**
 * Copies a block of columns between row-major matrices of different widths: how a fused
 * projection's output is split into its parts ([z | xBC | dt] in Mamba2) and how the parts'
 * gradients are joined again. Tensors have no strides, so the split is a copy.
 */
final class Columns {
    private Columns() {
    }

    /** dst (rows, width) at column dstCol <- src (rows, *) columns [srcCol, srcCol + width); dst's rows are dstCol + width wide or wider. */
    static void copy(Tensor dst, int dstCol, Tensor src, int srcCol, int width, int rows) {
        int srcWidth = src.size() / rows;
        int dstWidth = dst.size() / rows;
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src.data(), src.offset() + r * srcWidth + srcCol, dst.data(),
                    dst.offset() + r * dstWidth + dstCol, width);
        }
    }

    /** dst (rows, *) columns [dstCol, dstCol + width) <- src (rows, width). */
    static void copyInto(Tensor dst, int dstCol, Tensor src, int width, int rows) {
        copy(dst, dstCol, src, 0, width, rows);
    }
}
