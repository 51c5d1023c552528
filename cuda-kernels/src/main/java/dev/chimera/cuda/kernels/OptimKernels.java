package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.LaunchGeometry.gridStride;
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
 * Launches {@code optim.cu}: the AdamW and SGD-SaI updates of one parameter tensor, with the meaning of
 * {@link dev.chimera.core.backend.Backend#adamwUpdate} and {@link dev.chimera.core.backend.Backend#sgdSaiUpdate}
 * and the same float arithmetic, operation by operation (so the same bits as the CPU backends), and the
 * g-SNR of a gradient that SGD-SaI's first step scales each tensor's learning rate by
 * ({@link dev.chimera.core.train.SgdSai}).
 *
 * <p>The g-SNR, ||g|| / (sigma + eps) with sigma the Bessel-corrected standard deviation (0 for one
 * element), is measured in two passes of {@code optim_moments}, each leaving (sum d, sum d^2) in double per
 * block, d = g - shift, added here in double: the first with shift 0 gives sum g and ||g||^2, the second
 * with shift = mean gives sum (g - mean)^2, the squared deviations {@code SgdSai} also sums in a second
 * pass (a constant gradient gives sigma exactly 0 on both). The mean goes to the kernel as two floats,
 * hi = (float) mean and lo = (float) (mean - hi), whose sum in double is the mean to 48 bits. The
 * partials buffer belongs to this object (freed by {@link #close} or with the device): one instance must
 * not measure from two threads at once.
 */
public final class OptimKernels implements AutoCloseable {
    public static final KernelSignature ADAMW =
            KernelSignature.of("optim_adamw", PTR, PTR, PTR, PTR, I32, F32, F32, F32, F32, F32, F32, F32);
    public static final KernelSignature SGD_SAI =
            KernelSignature.of("optim_sgd_sai", PTR, PTR, PTR, I32, F32, F32, F32, F32, I32);
    public static final KernelSignature MOMENTS = KernelSignature.of("optim_moments", PTR, PTR, I32, F32, F32);

    /** Blocks of the moments, each leaving two double partials. */
    static final int MOMENT_BLOCKS = 256;

    private final CudaDevice device;
    private final Kernel adamw;
    private final Kernel sgdSai;
    private final Kernel moments;
    private DeviceBuffer partials;

    public OptimKernels(CudaDevice device) {
        this.device = device;
        adamw = device.kernel(KernelFamily.OPTIM, ADAMW);
        sgdSai = device.kernel(KernelFamily.OPTIM, SGD_SAI);
        moments = device.kernel(KernelFamily.OPTIM, MOMENTS);
    }

    /** The moments' launch for {@code n} elements: blocks of 256, at most 256 of them (one partial pair each). */
    public static LaunchGeometry momentsGeometry(long n) {
        return gridStride(n, MOMENT_BLOCKS);
    }

    /**
     * The g-SNR from the sums the two moment passes leave: ||g|| / (sigma + eps), sigma =
     * sqrt(squaredDeviations / (n - 1)) for n > 1, else 0 (as {@code SgdSai.gsnr}).
     */
    public static double gsnr(int n, double sumOfSquares, double squaredDeviations, double eps) {
        double sigma = n > 1 ? Math.sqrt(squaredDeviations / (n - 1)) : 0;
        return Math.sqrt(sumOfSquares) / (sigma + eps);
    }

    /** The shift {@code optim_moments} takes as two floats whose sum in double is {@code shift} to 48 bits. */
    static float[] split(double shift) {
        float hi = (float) shift;
        return new float[] {hi, (float) (shift - hi)};
    }

    static void checkCount(String op, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(op + ": " + n + " elements (at least 1)");
        }
    }

    private static void window(String op, String what, DevicePointer p, int n) {
        p.requireRoom(op + ": " + what, n);
    }

    /** One AdamW step of p, m, v (n) with gradient g; the scalars as {@code Backend.adamwUpdate} takes them. */
    public void adamwUpdate(DevicePointer p, DevicePointer m, DevicePointer v, DevicePointer g, int n, float lr,
                            float b1, float b2, float eps, float c1, float c2, float keep) {
        checkCount("adamwUpdate", n);
        window("adamwUpdate", "p", p, n);
        window("adamwUpdate", "m", m, n);
        window("adamwUpdate", "v", v, n);
        window("adamwUpdate", "g", g, n);
        adamw.launch(gridStride(n), p, m, v, g, n, lr, b1, b2, eps, c1, c2, keep);
    }

    /** One SGD-SaI step of p, buf (n) with gradient g; stepSize = lr * g-SNR, as {@code Backend.sgdSaiUpdate}. */
    public void sgdSaiUpdate(DevicePointer p, DevicePointer buf, DevicePointer g, int n, float stepSize, float momentum,
                             float dampening, float keep, boolean first) {
        checkCount("sgdSaiUpdate", n);
        window("sgdSaiUpdate", "p", p, n);
        window("sgdSaiUpdate", "buf", buf, n);
        window("sgdSaiUpdate", "g", g, n);
        sgdSai.launch(gridStride(n), p, buf, g, n, stepSize, momentum, dampening, keep, first ? 1 : 0);
    }

    /** (sum of g - shift, sum of (g - shift)^2) over g[0 .. n), accumulated in double; waits for the result. */
    public double[] moments(DevicePointer g, int n, double shift) {
        checkCount("moments", n);
        window("moments", "g", g, n);
        if (partials == null) {
            partials = device.allocate(4L * MOMENT_BLOCKS); // 2 * MOMENT_BLOCKS doubles
        }
        LaunchGeometry geometry = momentsGeometry(n);
        float[] s = split(shift);
        moments.launch(geometry, partials, g, n, s[0], s[1]);
        int blocks = geometry.gridX();
        double[] sums = new double[2 * blocks];
        partials.downloadDoubles(sums, sums.length);
        double sum = 0;
        double squares = 0;
        for (int b = 0; b < blocks; b++) {
            sum += sums[2 * b];
            squares += sums[2 * b + 1];
        }
        return new double[] {sum, squares};
    }

    /** The g-SNR ||g|| / (sigma + eps) of the gradient g[0 .. n), in double (two passes, see the class comment). */
    public double gsnr(DevicePointer g, int n, double eps) {
        double[] raw = moments(g, n, 0);
        double[] centred = moments(g, n, raw[0] / n);
        return gsnr(n, raw[1], centred[1], eps);
    }

    /** Frees the partials buffer (the kernels stay usable: a later measurement allocates it again). */
    @Override
    public void close() {
        if (partials != null) {
            partials.close();
            partials = null;
        }
    }
}
