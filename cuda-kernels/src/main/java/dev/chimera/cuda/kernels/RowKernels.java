package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.ParamKind.F32;
import static dev.chimera.cuda.ParamKind.I32;
import static dev.chimera.cuda.ParamKind.PTR;

import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.DevicePointer;
import dev.chimera.cuda.Kernel;
import dev.chimera.cuda.KernelFamily;
import dev.chimera.cuda.KernelSignature;
import dev.chimera.cuda.LaunchGeometry;

/**
 * Launches {@code rows.cu}: RMSNorm and Mamba2's gated RMSNorm with their backward passes, and the fused
 * softmax cross-entropy with its backward pass. Each method's meaning is that of the
 * {@link dev.chimera.core.backend.Backend} method of the same name, on (rows, C) matrices given as device
 * pointers at their first element; targets are a device int buffer.
 *
 * <p>The forward kernels run one block per row (per row and group); the backward norms run one block per
 * strip of rows, each leaving its strip's weight-gradient sums in one row of a workspace (strips, C) that
 * {@code rows_add_column_sums} then adds, column by column, into dweight: no atomics, and the same result
 * on every run. The workspace belongs to this object (grown on demand, freed by {@link #close} or with the
 * device), so one instance must not be used from two threads at once.
 */
public final class RowKernels implements AutoCloseable {
    public static final KernelSignature RMSNORM =
            KernelSignature.of("rows_rmsnorm", PTR, PTR, PTR, PTR, I32, I32, F32);
    public static final KernelSignature GATED_RMSNORM =
            KernelSignature.of("rows_gated_rmsnorm", PTR, PTR, PTR, PTR, PTR, I32, I32, I32, F32);
    public static final KernelSignature RMSNORM_BACKWARD =
            KernelSignature.of("rows_rmsnorm_backward", PTR, PTR, PTR, PTR, PTR, PTR, I32, I32);
    public static final KernelSignature GATED_RMSNORM_BACKWARD =
            KernelSignature.of("rows_gated_rmsnorm_backward", PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32);
    public static final KernelSignature ADD_COLUMN_SUMS =
            KernelSignature.of("rows_add_column_sums", PTR, PTR, I32, I32);
    public static final KernelSignature SOFTMAX_CROSS_ENTROPY =
            KernelSignature.of("rows_softmax_cross_entropy", PTR, PTR, PTR, PTR, I32, I32);
    public static final KernelSignature SOFTMAX_CROSS_ENTROPY_BACKWARD =
            KernelSignature.of("rows_softmax_cross_entropy_backward", PTR, PTR, PTR, PTR, I32, I32);

    /** Threads of all backward strips together: about what an H100 keeps resident (132 SMs x 2,048). */
    static final int RESIDENT_THREADS = 1 << 18;
    /** Static shared memory of the backward norms (their 32-float reduction scratch), beside the dynamic. */
    static final int BACKWARD_STATIC_SHARED = 32 * Float.BYTES;

    private final CudaDevice device;
    private final Kernel rmsNorm;
    private final Kernel gatedRmsNorm;
    private final Kernel rmsNormBackward;
    private final Kernel gatedRmsNormBackward;
    private final Kernel addColumnSums;
    private final Kernel softmaxCrossEntropy;
    private final Kernel softmaxCrossEntropyBackward;
    private DeviceBuffer workspace;

    public RowKernels(CudaDevice device) {
        this.device = device;
        rmsNorm = device.kernel(KernelFamily.ROWS, RMSNORM);
        gatedRmsNorm = device.kernel(KernelFamily.ROWS, GATED_RMSNORM);
        rmsNormBackward = device.kernel(KernelFamily.ROWS, RMSNORM_BACKWARD);
        gatedRmsNormBackward = device.kernel(KernelFamily.ROWS, GATED_RMSNORM_BACKWARD);
        addColumnSums = device.kernel(KernelFamily.ROWS, ADD_COLUMN_SUMS);
        softmaxCrossEntropy = device.kernel(KernelFamily.ROWS, SOFTMAX_CROSS_ENTROPY);
        softmaxCrossEntropyBackward = device.kernel(KernelFamily.ROWS, SOFTMAX_CROSS_ENTROPY_BACKWARD);
    }

    // ------------------------------------------------------------------ launch geometry

    /** Threads of a block that walks rows of {@code n} elements: about 4 elements each, 32 to 1,024, whole warps. */
    public static int threadsPerRow(int n) {
        long quarter = ((long) n + 3) / 4;
        return (int) Math.min(1024, Math.max(32, (quarter + 31) / 32 * 32));
    }

    /** One block per row of {@code n} elements, {@code rows} rows (the forward norms and the softmax). */
    public static LaunchGeometry perRow(int rows, int n) {
        return LaunchGeometry.perRow(rows, threadsPerRow(n), 0);
    }

    /**
     * Strips of the backward norms over {@code rows} rows of {@code groups} groups of {@code width}: enough
     * blocks to fill the GPU ({@link #RESIDENT_THREADS}), never more than the rows.
     */
    public static int strips(int rows, int width) {
        return Math.min(rows, Math.max(1, RESIDENT_THREADS / threadsPerRow(width)));
    }

    /**
     * The backward norms' launch: one block per strip, threads for a group's {@code width}, and C = cols
     * floats of dynamic shared memory for the strip's dweight sums where they fit beside the static
     * scratch in 48 KiB (C up to 12,256), else none (the kernel then sums in its workspace row).
     */
    public static LaunchGeometry normBackward(int rows, int cols, int groups) {
        int width = cols / groups;
        long bytes = (long) cols * Float.BYTES;
        int shared = bytes + BACKWARD_STATIC_SHARED <= LaunchGeometry.MAX_SHARED_BYTES ? (int) bytes : 0;
        return new LaunchGeometry(strips(rows, width), 1, 1, threadsPerRow(width), 1, 1, shared);
    }

    /** Floats of workspace the backward norm of (rows, cols) in {@code groups} groups needs: (strips, cols). */
    public static long workspaceElements(int rows, int cols, int groups) {
        return (long) strips(rows, cols / groups) * cols;
    }

    /** The dweight reduction's launch: one block of 32 x 32 threads per 32 columns. */
    public static LaunchGeometry columnSums(int cols) {
        return new LaunchGeometry(LaunchGeometry.blocks(cols, 32), 1, 1, 32, 32, 1, 0);
    }

    // ------------------------------------------------------------------ argument checks

    /** Refuses sizes the kernels cannot take: all >= 1, cols a multiple of groups, rows * groups an int. */
    static void checkNorm(String op, int rows, int cols, int groups) {
        if (rows < 1 || cols < 1 || groups < 1) {
            throw new IllegalArgumentException(op + ": rows " + rows + ", cols " + cols + ", groups " + groups
                    + " must all be >= 1");
        }
        if (cols % groups != 0) {
            throw new IllegalArgumentException(op + ": " + cols + " channels do not split into " + groups + " groups");
        }
        if ((long) rows * groups > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + rows + " rows x " + groups + " groups exceed 2^31 - 1");
        }
    }

    private static void window(String op, String what, DevicePointer p, long needed) {
        p.requireRoom(op + ": " + what, needed);
    }

    // ------------------------------------------------------------------ launches

    /** out = x * rstd * weight, rstd = 1 / sqrt(mean(x^2) + eps) per row; x, out (rows, cols), out may be x. */
    public void rmsNorm(DevicePointer out, DevicePointer rstd, DevicePointer x, DevicePointer weight, int rows,
                        int cols, float eps) {
        checkNorm("rmsNorm", rows, cols, 1);
        long n = (long) rows * cols;
        window("rmsNorm", "out", out, n);
        window("rmsNorm", "rstd", rstd, rows);
        window("rmsNorm", "x", x, n);
        window("rmsNorm", "weight", weight, cols);
        rmsNorm.launch(perRow(rows, cols), out, rstd, x, weight, rows, cols, eps);
    }

    /** dx overwritten (it may be dout), dweight (cols) accumulated; rstd as {@link #rmsNorm} saved it. */
    public void rmsNormBackward(DevicePointer dx, DevicePointer dweight, DevicePointer dout, DevicePointer x,
                                DevicePointer weight, DevicePointer rstd, int rows, int cols) {
        checkNorm("rmsNormBackward", rows, cols, 1);
        long n = (long) rows * cols;
        window("rmsNormBackward", "dx", dx, n);
        window("rmsNormBackward", "dweight", dweight, cols);
        window("rmsNormBackward", "dout", dout, n);
        window("rmsNormBackward", "x", x, n);
        window("rmsNormBackward", "weight", weight, cols);
        window("rmsNormBackward", "rstd", rstd, rows);
        LaunchGeometry g = normBackward(rows, cols, 1);
        DeviceBuffer partial = workspace(workspaceElements(rows, cols, 1));
        rmsNormBackward.launch(g, dx, partial, dout, x, weight, rstd, rows, cols);
        addColumnSums.launch(columnSums(cols), dweight, partial, g.gridX(), cols);
    }

    /** Gated RMSNorm of y * silu(z) in {@code groups} groups of each row's cols; rstd (rows * groups). */
    public void gatedRmsNorm(DevicePointer out, DevicePointer rstd, DevicePointer y, DevicePointer z,
                             DevicePointer weight, int rows, int cols, int groups, float eps) {
        checkNorm("gatedRmsNorm", rows, cols, groups);
        long n = (long) rows * cols;
        window("gatedRmsNorm", "out", out, n);
        window("gatedRmsNorm", "rstd", rstd, (long) rows * groups);
        window("gatedRmsNorm", "y", y, n);
        window("gatedRmsNorm", "z", z, n);
        window("gatedRmsNorm", "weight", weight, cols);
        gatedRmsNorm.launch(perRow(rows * groups, cols / groups), out, rstd, y, z, weight, rows, cols, groups, eps);
    }

    /** dy, dz overwritten (neither may share memory with an input), dweight (cols) accumulated. */
    public void gatedRmsNormBackward(DevicePointer dy, DevicePointer dz, DevicePointer dweight, DevicePointer dout,
                                     DevicePointer y, DevicePointer z, DevicePointer weight, DevicePointer rstd,
                                     int rows, int cols, int groups) {
        checkNorm("gatedRmsNormBackward", rows, cols, groups);
        long n = (long) rows * cols;
        window("gatedRmsNormBackward", "dy", dy, n);
        window("gatedRmsNormBackward", "dz", dz, n);
        window("gatedRmsNormBackward", "dweight", dweight, cols);
        window("gatedRmsNormBackward", "dout", dout, n);
        window("gatedRmsNormBackward", "y", y, n);
        window("gatedRmsNormBackward", "z", z, n);
        window("gatedRmsNormBackward", "weight", weight, cols);
        window("gatedRmsNormBackward", "rstd", rstd, (long) rows * groups);
        LaunchGeometry g = normBackward(rows, cols, groups);
        DeviceBuffer partial = workspace(workspaceElements(rows, cols, groups));
        gatedRmsNormBackward.launch(g, dy, dz, partial, dout, y, z, weight, rstd, rows, cols, groups);
        addColumnSums.launch(columnSums(cols), dweight, partial, g.gridX(), cols);
    }

    /**
     * losses (rows) = logsumexp(logits[r]) - logits[r][targets[r]], 0 where the target is
     * {@code IGNORE_TARGET}; probs (rows, vocab) the softmax (it may be logits). The targets are device
     * ints the caller has checked: one outside [0, vocab) that is not -1 gives a NaN loss.
     */
    public void softmaxCrossEntropy(DevicePointer losses, DevicePointer probs, DevicePointer logits,
                                    DevicePointer targets, int rows, int vocab) {
        checkNorm("softmaxCrossEntropy", rows, vocab, 1);
        long n = (long) rows * vocab;
        window("softmaxCrossEntropy", "losses", losses, rows);
        window("softmaxCrossEntropy", "probs", probs, n);
        window("softmaxCrossEntropy", "logits", logits, n);
        window("softmaxCrossEntropy", "targets", targets, rows);
        softmaxCrossEntropy.launch(perRow(rows, vocab), losses, probs, logits, targets, rows, vocab);
    }

    /** dlogits = (probs - onehot(target)) * dlosses[r], zero rows where ignored; dlogits may be probs. */
    public void softmaxCrossEntropyBackward(DevicePointer dlogits, DevicePointer dlosses, DevicePointer probs,
                                            DevicePointer targets, int rows, int vocab) {
        checkNorm("softmaxCrossEntropyBackward", rows, vocab, 1);
        long n = (long) rows * vocab;
        window("softmaxCrossEntropyBackward", "dlogits", dlogits, n);
        window("softmaxCrossEntropyBackward", "dlosses", dlosses, rows);
        window("softmaxCrossEntropyBackward", "probs", probs, n);
        window("softmaxCrossEntropyBackward", "targets", targets, rows);
        softmaxCrossEntropyBackward.launch(perRow(rows, vocab), dlogits, dlosses, probs, targets, rows, vocab);
    }

    /** The workspace, reallocated (contents undefined) when smaller than {@code elements}. */
    private DeviceBuffer workspace(long elements) {
        if (workspace == null || workspace.capacity() < elements) {
            if (workspace != null) {
                workspace.close();
            }
            workspace = device.allocate(elements);
        }
        return workspace;
    }

    /** Frees the workspace (the kernels stay usable: a later backward pass allocates it again). */
    @Override
    public void close() {
        if (workspace != null) {
            workspace.close();
            workspace = null;
        }
    }
}
