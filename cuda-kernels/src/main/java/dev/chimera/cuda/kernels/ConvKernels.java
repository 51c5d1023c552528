package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.LaunchGeometry.gridStride;
import static dev.chimera.cuda.ParamKind.I32;
import static dev.chimera.cuda.ParamKind.PTR;

import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DevicePointer;
import dev.chimera.cuda.Kernel;
import dev.chimera.cuda.KernelFamily;
import dev.chimera.cuda.KernelSignature;
import dev.chimera.cuda.LaunchGeometry;

/**
 * Launches {@code conv.cu}: Mamba2's depthwise causal convolution with bias, channels last, with the
 * meaning of {@link dev.chimera.core.backend.CausalConvOp}: x, y (batch, T, C), weight (C, K), bias (C),
 * K at most {@link #MAX_WIDTH}. The {@code Silu} variants fuse the SiLU that the Mamba2 layer applies to
 * the convolution's output (in the core a separate {@code activation(SILU)}): the training forward writes
 * both the pre-activation and the activation, the backward takes dL/d(activation) and the pre-activation.
 *
 * <p>The backward overwrites dx and adds into dweight and dbias, as the CPU op; its weight and bias sums
 * go through a caller-owned workspace of {@link #backwardWorkspace} floats (per-block partial sums, added
 * in a fixed order by a second kernel: no atomics, the same bits on every run).
 *
 * <p>Decoding states: where the CPU op takes {@code Tensor[] states}, each (C, K), the GPU takes one
 * contiguous buffer (at least n, C, K) whose sequence i, at element {@link #stateOffset}(i, C, K) = i C K,
 * is {@code states[i]} with the same (C, K) row-major layout: channel c's last K inputs, oldest first.
 *
 * <p>Outputs must not overlap inputs, except in the step (y may be x). Arguments are device pointers at a
 * tensor's first element, then sizes; each launch checks the sizes and that every pointer has room.
 */
public final class ConvKernels {
    public static final KernelSignature FORWARD =
            KernelSignature.of("conv_forward", PTR, PTR, PTR, PTR, I32, I32, I32, I32);
    public static final KernelSignature FORWARD_SILU =
            KernelSignature.of("conv_forward_silu", PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32);
    public static final KernelSignature BACKWARD =
            KernelSignature.of("conv_backward", PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32);
    public static final KernelSignature BACKWARD_SILU =
            KernelSignature.of("conv_backward_silu", PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32);
    public static final KernelSignature REDUCE_WEIGHT_GRADS =
            KernelSignature.of("conv_reduce_weight_grads", PTR, PTR, PTR, I32, I32, I32);
    public static final KernelSignature PREFILL =
            KernelSignature.of("conv_prefill", PTR, PTR, PTR, PTR, PTR, I32, I32, I32);
    public static final KernelSignature PREFILL_SILU =
            KernelSignature.of("conv_prefill_silu", PTR, PTR, PTR, PTR, PTR, I32, I32, I32);
    public static final KernelSignature STEP =
            KernelSignature.of("conv_step", PTR, PTR, PTR, PTR, PTR, I32, I32, I32);
    public static final KernelSignature STEP_SILU =
            KernelSignature.of("conv_step_silu", PTR, PTR, PTR, PTR, PTR, I32, I32, I32);

    /** The widest filter the kernels' register windows hold (conv.cu's CONV_MAX_WIDTH). */
    public static final int MAX_WIDTH = 8;
    /** Channels per block (threadIdx.x) of the tiled kernels. */
    static final int CHANNELS = 32;
    /** Runs of consecutive positions per block (threadIdx.y), each CONV_STEPS long. */
    static final int RUNS = 8;
    /** Positions per block of one sequence: RUNS runs of 32 (conv.cu's CONV_TILE). */
    static final int TILE = RUNS * 32;
    /** At most this many backward blocks per channel strip, each leaving one row of partial sums. */
    static final int MAX_PARTS = 128;

    private final Kernel forward;
    private final Kernel forwardSilu;
    private final Kernel backward;
    private final Kernel backwardSilu;
    private final Kernel reduceWeightGrads;
    private final Kernel prefill;
    private final Kernel prefillSilu;
    private final Kernel step;
    private final Kernel stepSilu;

    public ConvKernels(CudaDevice device) {
        forward = device.kernel(KernelFamily.CONV, FORWARD);
        forwardSilu = device.kernel(KernelFamily.CONV, FORWARD_SILU);
        backward = device.kernel(KernelFamily.CONV, BACKWARD);
        backwardSilu = device.kernel(KernelFamily.CONV, BACKWARD_SILU);
        reduceWeightGrads = device.kernel(KernelFamily.CONV, REDUCE_WEIGHT_GRADS);
        prefill = device.kernel(KernelFamily.CONV, PREFILL);
        prefillSilu = device.kernel(KernelFamily.CONV, PREFILL_SILU);
        step = device.kernel(KernelFamily.CONV, STEP);
        stepSilu = device.kernel(KernelFamily.CONV, STEP_SILU);
    }

    // ---- launch geometry and sizes (host-side, tested without a GPU) ---------------------------

    /** Blocks along one sequence of {@code seqlen} positions: ceil(T / 256). */
    public static int tilesPerSequence(int seqlen) {
        return LaunchGeometry.blocks(seqlen, TILE);
    }

    /** The forward and prefill launch: grid (batch * tiles per sequence, ceil(C / 32)), block (32, 8). */
    public static LaunchGeometry tiles(int batch, int seqlen, int channels) {
        long tiles = (long) batch * tilesPerSequence(seqlen);
        if (tiles > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("causal conv: batch " + batch + " x T " + seqlen + " needs " + tiles
                    + " blocks of " + TILE + " positions, more than 2^31 - 1");
        }
        return new LaunchGeometry((int) tiles, LaunchGeometry.blocks(channels, CHANNELS), 1, CHANNELS, RUNS, 1, 0);
    }

    /** Backward blocks per channel strip, each walking every P-th tile: min(128, tiles). */
    public static int backwardParts(int batch, int seqlen) {
        return (int) Math.min(MAX_PARTS, (long) batch * tilesPerSequence(seqlen));
    }

    /** The backward launch: grid (backwardParts, ceil(C / 32)), block (32, 8). */
    public static LaunchGeometry backwardTiles(int batch, int seqlen, int channels) {
        return new LaunchGeometry(backwardParts(batch, seqlen), LaunchGeometry.blocks(channels, CHANNELS), 1,
                CHANNELS, RUNS, 1, 0);
    }

    /** Floats of the backward's workspace, enough for any batch and length: 128 rows of C (K + 1) sums. */
    public static long backwardWorkspace(int channels, int width) {
        return (long) MAX_PARTS * channels * (width + 1);
    }

    /** The weight-gradient reduction: grid (ceil(C (K + 1) / 32)), block (32, 8), 8 rows of parts per column. */
    public static LaunchGeometry reduction(int channels, int width) {
        return new LaunchGeometry(LaunchGeometry.blocks((long) channels * (width + 1), CHANNELS), 1, 1, CHANNELS,
                RUNS, 1, 0);
    }

    /** Where sequence i's state (C, K), the CPU's {@code states[i]}, starts in the states buffer. */
    public static long stateOffset(int sequence, int channels, int width) {
        return (long) sequence * channels * width;
    }

    /** Fails unless batch, T, C >= 1 and 1 <= K <= MAX_WIDTH. */
    static void checkSizes(String op, int batch, int seqlen, int channels, int width) {
        if (batch < 1 || seqlen < 1 || channels < 1) {
            throw new IllegalArgumentException("causal conv " + op + ": batch " + batch + ", T " + seqlen
                    + ", channels " + channels + " must all be >= 1");
        }
        if (width < 1 || width > MAX_WIDTH) {
            throw new IllegalArgumentException("causal conv " + op + ": width " + width + " outside [1, "
                    + MAX_WIDTH + "]");
        }
    }

    /** Fails unless p has at least {@code elements} floats from its offset on. */
    static void requireRoom(String op, String name, DevicePointer p, long elements) {
        p.requireRoom("causal conv " + op + ": " + name, elements);
    }

    // ---- training ------------------------------------------------------------------------------

    /** y = conv(x): y, x (batch, T, C). */
    public void forward(DevicePointer y, DevicePointer x, DevicePointer weight, DevicePointer bias, int batch,
                        int seqlen, int channels, int width) {
        checkForward("forward", x, weight, bias, batch, seqlen, channels, width);
        requireRoom("forward", "y", y, (long) batch * seqlen * channels);
        forward.launch(tiles(batch, seqlen, channels), y, x, weight, bias, batch, seqlen, channels, width);
    }

    /** pre = conv(x) (what the backward takes) and act = silu(pre); all (batch, T, C). */
    public void forwardSilu(DevicePointer act, DevicePointer pre, DevicePointer x, DevicePointer weight,
                            DevicePointer bias, int batch, int seqlen, int channels, int width) {
        checkForward("forwardSilu", x, weight, bias, batch, seqlen, channels, width);
        requireRoom("forwardSilu", "act", act, (long) batch * seqlen * channels);
        requireRoom("forwardSilu", "pre", pre, (long) batch * seqlen * channels);
        forwardSilu.launch(tiles(batch, seqlen, channels), act, pre, x, weight, bias, batch, seqlen, channels,
                width);
    }

    /**
     * dx (batch, T, C) overwritten; dweight (C, K) and dbias (C) accumulated; dy, x (batch, T, C);
     * workspace: {@link #backwardWorkspace}(C, K) floats suffice for any batch and length.
     */
    public void backward(DevicePointer dx, DevicePointer dweight, DevicePointer dbias, DevicePointer dy,
                         DevicePointer x, DevicePointer weight, DevicePointer workspace, int batch, int seqlen,
                         int channels, int width) {
        checkBackward("backward", dx, dweight, dbias, dy, x, weight, workspace, batch, seqlen, channels, width);
        backward.launch(backwardTiles(batch, seqlen, channels), dx, workspace, dy, x, weight, batch, seqlen,
                channels, width);
        reduce(dweight, dbias, workspace, batch, seqlen, channels, width);
    }

    /**
     * The backward of act = silu(conv(x)) from dact = dL/dact and the saved pre = conv(x); otherwise as
     * {@link #backward}.
     */
    public void backwardSilu(DevicePointer dx, DevicePointer dweight, DevicePointer dbias, DevicePointer dact,
                             DevicePointer pre, DevicePointer x, DevicePointer weight, DevicePointer workspace,
                             int batch, int seqlen, int channels, int width) {
        checkBackward("backwardSilu", dx, dweight, dbias, dact, x, weight, workspace, batch, seqlen, channels,
                width);
        requireRoom("backwardSilu", "pre", pre, (long) batch * seqlen * channels);
        backwardSilu.launch(backwardTiles(batch, seqlen, channels), dx, workspace, dact, pre, x, weight, batch,
                seqlen, channels, width);
        reduce(dweight, dbias, workspace, batch, seqlen, channels, width);
    }

    private void reduce(DevicePointer dweight, DevicePointer dbias, DevicePointer workspace, int batch, int seqlen,
                        int channels, int width) {
        reduceWeightGrads.launch(reduction(channels, width), dweight, dbias, workspace,
                backwardParts(batch, seqlen), channels, width);
    }

    // ---- inference -----------------------------------------------------------------------------

    /**
     * One sequence's chunk x, y (T, C) continuing from its state (C, K), which then holds the chunk's last
     * K inputs (as the CPU op).
     */
    public void prefill(DevicePointer y, DevicePointer state, DevicePointer x, DevicePointer weight,
                        DevicePointer bias, int seqlen, int channels, int width) {
        checkPrefill("prefill", y, state, x, weight, bias, seqlen, channels, width);
        prefill.launch(tiles(1, seqlen, channels), y, state, x, weight, bias, seqlen, channels, width);
    }

    /** {@link #prefill} with y = silu(conv). */
    public void prefillSilu(DevicePointer y, DevicePointer state, DevicePointer x, DevicePointer weight,
                            DevicePointer bias, int seqlen, int channels, int width) {
        checkPrefill("prefillSilu", y, state, x, weight, bias, seqlen, channels, width);
        prefillSilu.launch(tiles(1, seqlen, channels), y, state, x, weight, bias, seqlen, channels, width);
    }

    /**
     * One token of each of n sequences: x, y (n, C); states (at least n, C, K), sequence i's state at
     * {@link #stateOffset}(i, C, K), rolled left to take x[i]. y may be x.
     */
    public void step(DevicePointer y, DevicePointer states, DevicePointer x, DevicePointer weight,
                     DevicePointer bias, int n, int channels, int width) {
        checkStep("step", y, states, x, weight, bias, n, channels, width);
        step.launch(gridStride((long) n * channels), y, states, x, weight, bias, n, channels, width);
    }

    /** {@link #step} with y = silu(conv). */
    public void stepSilu(DevicePointer y, DevicePointer states, DevicePointer x, DevicePointer weight,
                         DevicePointer bias, int n, int channels, int width) {
        checkStep("stepSilu", y, states, x, weight, bias, n, channels, width);
        stepSilu.launch(gridStride((long) n * channels), y, states, x, weight, bias, n, channels, width);
    }

    // ---- argument checks -----------------------------------------------------------------------

    private static void checkForward(String op, DevicePointer x, DevicePointer weight, DevicePointer bias,
                                     int batch, int seqlen, int channels, int width) {
        checkSizes(op, batch, seqlen, channels, width);
        requireRoom(op, "x", x, (long) batch * seqlen * channels);
        requireRoom(op, "weight", weight, (long) channels * width);
        requireRoom(op, "bias", bias, channels);
    }

    private static void checkBackward(String op, DevicePointer dx, DevicePointer dweight, DevicePointer dbias,
                                      DevicePointer dy, DevicePointer x, DevicePointer weight,
                                      DevicePointer workspace, int batch, int seqlen, int channels, int width) {
        checkSizes(op, batch, seqlen, channels, width);
        long n = (long) batch * seqlen * channels;
        requireRoom(op, "dx", dx, n);
        requireRoom(op, "dy", dy, n);
        requireRoom(op, "x", x, n);
        requireRoom(op, "weight", weight, (long) channels * width);
        requireRoom(op, "dweight", dweight, (long) channels * width);
        requireRoom(op, "dbias", dbias, channels);
        requireRoom(op, "workspace", workspace, (long) backwardParts(batch, seqlen) * channels * (width + 1));
    }

    private static void checkPrefill(String op, DevicePointer y, DevicePointer state, DevicePointer x,
                                     DevicePointer weight, DevicePointer bias, int seqlen, int channels,
                                     int width) {
        checkForward(op, x, weight, bias, 1, seqlen, channels, width);
        requireRoom(op, "y", y, (long) seqlen * channels);
        requireRoom(op, "state", state, (long) channels * width);
    }

    private static void checkStep(String op, DevicePointer y, DevicePointer states, DevicePointer x,
                                  DevicePointer weight, DevicePointer bias, int n, int channels, int width) {
        checkForward(op, x, weight, bias, n, 1, channels, width);
        requireRoom(op, "y", y, (long) n * channels);
        requireRoom(op, "states", states, stateOffset(n, channels, width));
    }
}
