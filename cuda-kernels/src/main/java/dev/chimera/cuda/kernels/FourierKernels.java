package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.ParamKind.F32;
import static dev.chimera.cuda.ParamKind.I32;
import static dev.chimera.cuda.ParamKind.PTR;

import dev.chimera.core.backend.Backend;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DevicePointer;
import dev.chimera.cuda.Kernel;
import dev.chimera.cuda.KernelFamily;
import dev.chimera.cuda.KernelSignature;
import dev.chimera.cuda.LaunchGeometry;

/**
 * Launches {@code fourier.cu}: the Fourier head's density with the meaning of
 * {@link dev.chimera.core.backend.FourierDensityOp} (REFERENCE.md section 4), one block per row. z (rows,
 * 2(N+1)) to probs and logits (rows, B); the cross-entropy against int target bins (a device buffer,
 * {@link Backend#IGNORE_TARGET} for none, checked on the host by {@link #checkTargets} before upload); its
 * backward into dz, with the smoothness regulariser's gradient when gamma > 0; and the regulariser's value.
 * What the CPU op saves is z itself: the backward and the regulariser take the z of the forward.
 *
 * <p>The regulariser's per-row penalties go to a caller-owned device buffer of {@code rows} floats, left
 * by the backward (gamma > 0) or by {@link #penalties}; {@link #regularizer(DevicePointer, int, double)}
 * downloads them and adds them in double, R = gamma 2 / rows sum_r penalty_r (the CPU op's return value).
 * Rows must have some nonzero coefficient (c_0 > 0; the CPU op refuses all-zero rows, here they give NaN).
 */
public final class FourierKernels {
    public static final KernelSignature FORWARD =
            KernelSignature.of("fourier_forward", PTR, PTR, PTR, I32, I32, I32);
    public static final KernelSignature PROBABILITIES =
            KernelSignature.of("fourier_probabilities", PTR, PTR, I32, I32, I32);
    public static final KernelSignature CROSS_ENTROPY =
            KernelSignature.of("fourier_cross_entropy", PTR, PTR, PTR, I32, I32, I32);
    public static final KernelSignature CROSS_ENTROPY_BACKWARD =
            KernelSignature.of("fourier_cross_entropy_backward", PTR, PTR, PTR, PTR, PTR, I32, I32, I32, F32);
    public static final KernelSignature PENALTY = KernelSignature.of("fourier_penalty", PTR, PTR, I32, I32);

    /** Threads per row at most; fewer (a multiple of 32) for fewer bins. */
    static final int MAX_THREADS = 256;

    private final Kernel forward;
    private final Kernel probabilities;
    private final Kernel crossEntropy;
    private final Kernel crossEntropyBackward;
    private final Kernel penalty;

    public FourierKernels(CudaDevice device) {
        forward = device.kernel(KernelFamily.FOURIER, FORWARD);
        probabilities = device.kernel(KernelFamily.FOURIER, PROBABILITIES);
        crossEntropy = device.kernel(KernelFamily.FOURIER, CROSS_ENTROPY);
        crossEntropyBackward = device.kernel(KernelFamily.FOURIER, CROSS_ENTROPY_BACKWARD);
        penalty = device.kernel(KernelFamily.FOURIER, PENALTY);
    }

    // ---- launch geometry and checks (host-side, tested without a GPU) --------------------------

    /** Width of a row of z: 2(N+1). */
    public static int width(int frequencies) {
        return 2 * (frequencies + 1);
    }

    /** Threads of a block: n rounded up to a multiple of 32, at least 32 and at most 256. */
    static int threads(int n) {
        return Math.min(MAX_THREADS, LaunchGeometry.blocks(n, 32) * 32);
    }

    /** Dynamic shared memory of the density kernels: a and c_k (2(N+1) floats each), then q (B floats). */
    public static int sharedBytes(int frequencies, int bins) {
        return Float.BYTES * (2 * width(frequencies) + bins);
    }

    /** The most bins whose q fits in shared memory beside a and c_k. */
    public static int maxBins(int frequencies) {
        return (int) Math.max(0, LaunchGeometry.MAX_SHARED_BYTES / Float.BYTES - 4L * (frequencies + 1));
    }

    /** The density kernels' launch: one block per row, a thread per bin up to 256. */
    public static LaunchGeometry densityRows(int rows, int frequencies, int bins) {
        check("launch", rows, frequencies, bins);
        return LaunchGeometry.perRow(rows, threads(bins), sharedBytes(frequencies, bins));
    }

    /** The penalty's launch: one block per row, a thread per frequency up to 256; a and c_k shared. */
    public static LaunchGeometry penaltyRows(int rows, int frequencies) {
        check("penalty", rows, frequencies, 2);
        return LaunchGeometry.perRow(rows, threads(frequencies), Float.BYTES * 2 * width(frequencies));
    }

    /** Fails unless rows >= 1, N >= 1 and 2 <= B <= {@link #maxBins}(N). */
    static void check(String op, int rows, int frequencies, int bins) {
        if (rows < 1 || frequencies < 1 || bins < 2) {
            throw new IllegalArgumentException("Fourier density " + op + ": rows " + rows + ", frequencies "
                    + frequencies + ", bins " + bins + " (need rows >= 1, frequencies >= 1, bins >= 2)");
        }
        if (bins > maxBins(frequencies)) {
            throw new IllegalArgumentException("Fourier density " + op + ": " + bins + " bins and " + frequencies
                    + " frequencies do not fit in 48 KiB of shared memory (at most " + maxBins(frequencies)
                    + " bins for " + frequencies + " frequencies)");
        }
    }

    /** The targets' host-side check before upload: rows of them, each in [0, B) or IGNORE_TARGET. */
    public static void checkTargets(int[] targets, int rows, int bins) {
        if (targets.length != rows) {
            throw new IllegalArgumentException("Fourier density: " + targets.length + " targets for " + rows
                    + " rows");
        }
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t != Backend.IGNORE_TARGET && (t < 0 || t >= bins)) {
                throw new IllegalArgumentException("Fourier density: target " + t + " at row " + r
                        + " is outside [0, " + bins + ") and is not IGNORE_TARGET (-1)");
            }
        }
    }

    /** Fails unless gamma is finite and >= 0. */
    static void checkGamma(double gamma) {
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("Fourier density: gamma must be finite and >= 0, got " + gamma);
        }
    }

    /** The kernel's penalty gradient scale, gamma 2 / rows (the derivative of R's mean over rows). */
    static float gradScale(double gamma, int rows) {
        return (float) (gamma * 2 / rows);
    }

    /** R = gamma 2 / rows times the sum of the first {@code rows} penalties, in double. */
    static double meanPenalty(double gamma, float[] penalties, int rows) {
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            sum += penalties[r];
        }
        return gamma * 2 * sum / rows;
    }

    static void requireRoom(String op, String name, DevicePointer p, long elements) {
        p.requireRoom("Fourier density " + op + ": " + name, elements);
    }

    // ---- launches ------------------------------------------------------------------------------

    /** probs and logits (rows, B) from z (rows, 2(N+1)). */
    public void forward(DevicePointer probs, DevicePointer logits, DevicePointer z, int rows, int frequencies,
                        int bins) {
        LaunchGeometry g = densityRows(rows, frequencies, bins);
        requireRoom("forward", "z", z, (long) rows * width(frequencies));
        requireRoom("forward", "probs", probs, (long) rows * bins);
        requireRoom("forward", "logits", logits, (long) rows * bins);
        forward.launch(g, probs, logits, z, rows, frequencies, bins);
    }

    /** probs (rows, B): the same bits as {@link #forward}'s, without the logits. */
    public void probabilities(DevicePointer probs, DevicePointer z, int rows, int frequencies, int bins) {
        LaunchGeometry g = densityRows(rows, frequencies, bins);
        requireRoom("probabilities", "z", z, (long) rows * width(frequencies));
        requireRoom("probabilities", "probs", probs, (long) rows * bins);
        probabilities.launch(g, probs, z, rows, frequencies, bins);
    }

    /** losses (rows): each row's cross-entropy against its target bin (int, device), 0 where ignored. */
    public void crossEntropy(DevicePointer losses, DevicePointer z, DevicePointer targets, int rows,
                             int frequencies, int bins) {
        LaunchGeometry g = densityRows(rows, frequencies, bins);
        requireRoom("crossEntropy", "z", z, (long) rows * width(frequencies));
        requireRoom("crossEntropy", "losses", losses, rows);
        requireRoom("crossEntropy", "targets", targets, rows);
        crossEntropy.launch(g, losses, z, targets, rows, frequencies, bins);
    }

    /**
     * dz (rows, 2(N+1)) overwritten with the gradient of sum_r dlosses[r] loss_r (dlosses (rows), targets
     * (rows, int)), plus the regulariser's when gamma > 0; then penalties (rows) hold the rows' penalties
     * for {@link #regularizer(DevicePointer, int, double)} (zeros when gamma = 0).
     */
    public void crossEntropyBackward(DevicePointer dz, DevicePointer penalties, DevicePointer dlosses,
                                     DevicePointer z, DevicePointer targets, int rows, int frequencies, int bins,
                                     double gamma) {
        checkGamma(gamma);
        LaunchGeometry g = densityRows(rows, frequencies, bins);
        requireRoom("crossEntropyBackward", "z", z, (long) rows * width(frequencies));
        requireRoom("crossEntropyBackward", "dz", dz, (long) rows * width(frequencies));
        requireRoom("crossEntropyBackward", "penalties", penalties, rows);
        requireRoom("crossEntropyBackward", "dlosses", dlosses, rows);
        requireRoom("crossEntropyBackward", "targets", targets, rows);
        crossEntropyBackward.launch(g, dz, penalties, dlosses, z, targets, rows, frequencies, bins,
                gradScale(gamma, rows));
    }

    /** penalties (rows) = each row's sum_k 2 pi^2 k^2 |c_k|^2, from z (rows, 2(N+1)). */
    public void penalties(DevicePointer penalties, DevicePointer z, int rows, int frequencies) {
        LaunchGeometry g = penaltyRows(rows, frequencies);
        requireRoom("penalties", "z", z, (long) rows * width(frequencies));
        requireRoom("penalties", "penalties", penalties, rows);
        penalty.launch(g, penalties, z, rows, frequencies);
    }

    /**
     * R = gamma 2 mean_rows of the penalties that {@link #penalties} or {@link #crossEntropyBackward} left,
     * added in double on the host (this waits for them); 0 when gamma = 0, without reading them.
     */
    public double regularizer(DevicePointer penalties, int rows, double gamma) {
        checkGamma(gamma);
        if (rows < 1) {
            throw new IllegalArgumentException("Fourier density regularizer: rows " + rows + " must be >= 1");
        }
        if (gamma == 0) {
            return 0;
        }
        float[] host = new float[rows];
        penalties.buffer().download(host, rows, penalties.offset());
        return meanPenalty(gamma, host, rows);
    }
}
