package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.LaunchGeometry.gridStride;
import static dev.chimera.cuda.ParamKind.F32;
import static dev.chimera.cuda.ParamKind.I32;
import static dev.chimera.cuda.ParamKind.PTR;

import dev.chimera.core.kernel.Activation;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.DevicePointer;
import dev.chimera.cuda.Kernel;
import dev.chimera.cuda.KernelFamily;
import dev.chimera.cuda.KernelSignature;
import dev.chimera.cuda.LaunchGeometry;

/**
 * Launches {@code elementwise.cu}: fill, activations and their derivatives, add / mul / scale, bias rows
 * and column sums, column copies, embedding gather and scatter-add, the sum of squares. Each method's
 * meaning is that of the {@link dev.chimera.core.backend.Backend} method of the same name; arguments are
 * device pointers already at a tensor's first element, then sizes.
 */
public final class ElementwiseKernels {
    public static final KernelSignature FILL = KernelSignature.of("elementwise_fill", PTR, I32, F32);
    public static final KernelSignature COPY = KernelSignature.of("elementwise_copy", PTR, PTR, I32);
    public static final KernelSignature ACTIVATION = KernelSignature.of("elementwise_activation", PTR, PTR, I32, I32);
    public static final KernelSignature ACTIVATION_BACKWARD =
            KernelSignature.of("elementwise_activation_backward", PTR, PTR, PTR, I32, I32);
    public static final KernelSignature ADD = KernelSignature.of("elementwise_add", PTR, PTR, PTR, I32);
    public static final KernelSignature MUL = KernelSignature.of("elementwise_mul", PTR, PTR, PTR, I32);
    public static final KernelSignature SCALE = KernelSignature.of("elementwise_scale", PTR, PTR, I32, F32);
    public static final KernelSignature ADD_ROW_VECTOR =
            KernelSignature.of("elementwise_add_row_vector", PTR, PTR, I32, I32);
    public static final KernelSignature ADD_COLUMN_SUMS =
            KernelSignature.of("elementwise_add_column_sums", PTR, PTR, I32, I32);
    public static final KernelSignature SUM_OF_SQUARES =
            KernelSignature.of("elementwise_sum_of_squares", PTR, PTR, I32);
    public static final KernelSignature COPY_COLUMNS =
            KernelSignature.of("elementwise_copy_columns", PTR, I32, I32, PTR, I32, I32, I32, I32);
    public static final KernelSignature GATHER_ROWS =
            KernelSignature.of("elementwise_gather_rows", PTR, PTR, PTR, I32, I32);
    public static final KernelSignature SCATTER_ADD_ROWS =
            KernelSignature.of("elementwise_scatter_add_rows", PTR, PTR, PTR, I32, I32);

    /** Blocks of the sum of squares, each leaving one double partial. */
    static final int SUM_BLOCKS = 256;

    private final CudaDevice device;
    private final Kernel fill;
    private final Kernel copy;
    private final Kernel activation;
    private final Kernel activationBackward;
    private final Kernel add;
    private final Kernel mul;
    private final Kernel scale;
    private final Kernel addRowVector;
    private final Kernel addColumnSums;
    private final Kernel sumOfSquares;
    private final Kernel copyColumns;
    private final Kernel gatherRows;
    private final Kernel scatterAddRows;
    private DeviceBuffer partials;

    public ElementwiseKernels(CudaDevice device) {
        this.device = device;
        fill = device.kernel(KernelFamily.ELEMENTWISE, FILL);
        copy = device.kernel(KernelFamily.ELEMENTWISE, COPY);
        activation = device.kernel(KernelFamily.ELEMENTWISE, ACTIVATION);
        activationBackward = device.kernel(KernelFamily.ELEMENTWISE, ACTIVATION_BACKWARD);
        add = device.kernel(KernelFamily.ELEMENTWISE, ADD);
        mul = device.kernel(KernelFamily.ELEMENTWISE, MUL);
        scale = device.kernel(KernelFamily.ELEMENTWISE, SCALE);
        addRowVector = device.kernel(KernelFamily.ELEMENTWISE, ADD_ROW_VECTOR);
        addColumnSums = device.kernel(KernelFamily.ELEMENTWISE, ADD_COLUMN_SUMS);
        sumOfSquares = device.kernel(KernelFamily.ELEMENTWISE, SUM_OF_SQUARES);
        copyColumns = device.kernel(KernelFamily.ELEMENTWISE, COPY_COLUMNS);
        gatherRows = device.kernel(KernelFamily.ELEMENTWISE, GATHER_ROWS);
        scatterAddRows = device.kernel(KernelFamily.ELEMENTWISE, SCATTER_ADD_ROWS);
    }

    /** The column-sum launch: one block of 32 x 8 threads per 32 columns. */
    public static LaunchGeometry columnSums(int cols) {
        return new LaunchGeometry(LaunchGeometry.blocks(cols, 32), 1, 1, 32, 8, 1, 0);
    }

    /** The code {@code elementwise.cu} gives each activation (its ACT_ defines). */
    public static int code(Activation f) {
        return switch (f) {
            case SILU -> 0;
            case GELU -> 1;
            case RELU -> 2;
            case SOFTPLUS -> 3;
            case SIGMOID -> 4;
            case EXP -> 5;
        };
    }

    public void fill(DevicePointer t, int n, float value) {
        fill.launch(gridStride(n), t, n, value);
    }

    public void copy(DevicePointer dst, DevicePointer src, int n) {
        copy.launch(gridStride(n), dst, src, n);
    }

    public void activation(Activation f, DevicePointer out, DevicePointer x, int n) {
        activation.launch(gridStride(n), out, x, n, code(f));
    }

    public void activationBackward(Activation f, DevicePointer dx, DevicePointer dy, DevicePointer x, int n) {
        activationBackward.launch(gridStride(n), dx, dy, x, n, code(f));
    }

    public void add(DevicePointer out, DevicePointer a, DevicePointer b, int n) {
        add.launch(gridStride(n), out, a, b, n);
    }

    public void mul(DevicePointer out, DevicePointer a, DevicePointer b, int n) {
        mul.launch(gridStride(n), out, a, b, n);
    }

    public void scale(DevicePointer out, float alpha, DevicePointer x, int n) {
        scale.launch(gridStride(n), out, x, n, alpha);
    }

    /** x (rows, cols) += v (cols) on every row. */
    public void addRowVector(DevicePointer x, DevicePointer v, int rows, int cols) {
        addRowVector.launch(gridStride((long) rows * cols), x, v, rows, cols);
    }

    /** out (cols) += the column sums of x (rows, cols). */
    public void addColumnSums(DevicePointer out, DevicePointer x, int rows, int cols) {
        addColumnSums.launch(columnSums(cols), out, x, rows, cols);
    }

    /** The sum of squares of x[0 .. n), accumulated in double (partials per block, added here). */
    public double sumOfSquares(DevicePointer x, int n) {
        if (partials == null) {
            partials = device.allocate(2L * SUM_BLOCKS); // SUM_BLOCKS doubles
        }
        LaunchGeometry g = gridStride(n, SUM_BLOCKS);
        int blocks = g.gridX();
        sumOfSquares.launch(g, partials, x, n);
        double[] sums = new double[blocks];
        partials.downloadDoubles(sums, blocks);
        double sum = 0;
        for (double v : sums) {
            sum += v;
        }
        return sum;
    }

    /** Columns [dstCol, dstCol + width) of dst (rows, dstCols) = columns [srcCol, ...) of src (rows, srcCols). */
    public void copyColumns(DevicePointer dst, int dstCols, int dstCol, DevicePointer src, int srcCols, int srcCol,
                            int rows, int width) {
        copyColumns.launch(gridStride((long) rows * width), dst, dstCols, dstCol, src, srcCols, srcCol, rows, width);
    }

    /** out (rows, d) = table[ids[r]]; ids (int, on the device) already checked to lie in [0, V). */
    public void gatherRows(DevicePointer out, DevicePointer table, DevicePointer ids, int rows, int d) {
        gatherRows.launch(gridStride((long) rows * d), out, table, ids, rows, d);
    }

    /** dtable[ids[r]] += dout[r]. */
    public void scatterAddRows(DevicePointer dtable, DevicePointer dout, DevicePointer ids, int rows, int d) {
        scatterAddRows.launch(gridStride((long) rows * d), dtable, dout, ids, rows, d);
    }
}
