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
 * Launches {@code bspline.cu}: BEAST B-spline action tokens (REFERENCE §7) for a batch of chunks, with the
 * meaning of {@code dev.chimera.robotics.tokenize.BeastTokenizer}'s methods of the same names:
 * {@link #encode} (its {@code fitControlPoints} and {@code encode}), {@link #dequantise} (its
 * {@code controlPoints}) and {@link #evaluate} (its {@code decode} at R samples per chunk, any R).
 *
 * <p>Shapes, row-major, B chunks: chunks (B, T, D) normalised actions, previous and velocity (B, D), control
 * points (B, N, D), tokens (B, K) in an int buffer (the bins 0..255 as int32; K = {@link Shape#tokensPerChunk},
 * control-point-major as the CPU orders them), setpoints (B, R, D). The code's constants live in a
 * {@link Codebook}, made once from the CPU tokenizer's own fit ({@code BeastTokenizer.fitMatrices()}: its
 * pseudo-inverse, pinned columns and quantisation feedback, computed once per (T, N, p, lambda, continuity))
 * and its bounds. Evaluation takes
 * the basis (R, N) from the host ({@code BSplineBasis.design} at u = s / R, s = 1..R), so any knots and any
 * R decode through the same batched product.
 */
public final class BsplineKernels {
    public static final KernelSignature ENCODE = KernelSignature.of("bspline_encode",
            PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, I32, F32);
    public static final KernelSignature DEQUANTISE = KernelSignature.of("bspline_dequantise",
            PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, F32);
    public static final KernelSignature EVALUATE = KernelSignature.of("bspline_evaluate",
            PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, I32);

    /** Bins per control point. */
    public static final int BINS = 256;
    /** Threads per block of the encoder (its ENCODE_BLOCK). */
    static final int ENCODE_BLOCK = 128;
    /** Threads per block of the evaluation (its EVALUATE_BLOCK). */
    static final int EVALUATE_BLOCK = 256;
    /** At most this many blocks for encode and evaluate: beyond it blocks loop over the chunks. */
    static final int MAX_BLOCKS = LaunchGeometry.MAX_STRIDE_BLOCKS;

    /**
     * The shape of a BEAST code: T steps per chunk, N control points per DoF, the points a continuous DoF
     * pins (1 for C0, 2 for C1), D DoF of which G are grippers (degree-0 splines of N segment means).
     */
    public record Shape(int steps, int controlPoints, int pinned, int dof, int grippers) {

        public Shape {
            if (steps < 2) {
                throw new IllegalArgumentException("a BEAST chunk needs T >= 2 steps, got " + steps);
            }
            if (pinned != 1 && pinned != 2) {
                throw new IllegalArgumentException("1 (C0) or 2 (C1) pinned control points, got " + pinned);
            }
            if (controlPoints < pinned + 1 || controlPoints > steps) {
                throw new IllegalArgumentException("N must be between " + (pinned + 1) + " and T = " + steps
                        + " control points, got " + controlPoints);
            }
            if (dof < 1 || grippers < 0 || grippers > dof) {
                throw new IllegalArgumentException(dof + " DoF with " + grippers + " grippers");
            }
        }

        /** The shape of a code over these DoF ({@code gripper[d]}: DoF d is a gripper). */
        public static Shape of(int steps, int controlPoints, int pinned, boolean[] gripper) {
            int grippers = 0;
            for (boolean g : gripper) {
                grippers += g ? 1 : 0;
            }
            return new Shape(steps, controlPoints, pinned, gripper.length, grippers);
        }

        /** Free (fitted) control points of a continuous DoF, F = N - pinned. */
        public int free() {
            return controlPoints - pinned;
        }

        /** Tokens per chunk, K: N per gripper, N - pinned per continuous DoF. */
        public int tokensPerChunk() {
            return controlPoints * grippers + free() * (dof - grippers);
        }

        /** Floats of the packed fit: pseudo-inverse (F, T), feedback (F, F), pinned0 (F), pinned1 (F). */
        public int fitLength() {
            return free() * (steps + free() + 2);
        }

        /** The encoder's dynamic shared memory: the packed fit, one chunk (T, D) and its points (N, D). */
        public long encodeSharedBytes() {
            return (long) Float.BYTES * (fitLength() + (long) steps * dof + (long) controlPoints * dof);
        }

        /** The evaluation's dynamic shared memory: one chunk's points (N, D) and gripper steps (T, G). */
        public long evaluateSharedBytes() {
            return (long) Float.BYTES * ((long) controlPoints * dof + (long) steps * grippers);
        }
    }

    /**
     * A BEAST code's constants on the device: the packed fit ({@link #packFit}), the bounds
     * ({@link #packBounds}), the layout ({@link #packLayout}) and c1Scale, the factor from a velocity (per
     * step) to c_1 - c_0: {@code T / BSplineBasis.startSlopePerSecondPoint()}. Closing frees its buffers.
     */
    public static final class Codebook implements AutoCloseable {
        private final Shape shape;
        private final float c1Scale;
        private final DeviceBuffer fit;
        private final DeviceBuffer bounds;
        private final DeviceBuffer layout;

        private Codebook(Shape shape, float c1Scale, DeviceBuffer fit, DeviceBuffer bounds, DeviceBuffer layout) {
            this.shape = shape;
            this.c1Scale = c1Scale;
            this.fit = fit;
            this.bounds = bounds;
            this.layout = layout;
        }

        /**
         * Uploads a code. The arrays are the CPU tokenizer's, as doubles: pseudo (F, T), pinned0 and pinned1
         * (F; pinned1 zeros for C0), feedback (F, F; row f: how the points after f move per unit rounding of
         * f), lower and upper (D).
         */
        public static Codebook upload(CudaDevice device, int steps, int controlPoints, int pinned, double c1Scale,
                                      double[] pseudo, double[] pinned0, double[] pinned1, double[] feedback,
                                      double[] lower, double[] upper, boolean[] gripper) {
            Shape shape = Shape.of(steps, controlPoints, pinned, gripper);
            float[] fit = packFit(shape, pseudo, pinned0, pinned1, feedback);
            float[] bounds = packBounds(shape, lower, upper);
            int[] layout = packLayout(shape, gripper);
            return new Codebook(shape, (float) c1Scale, device.upload(fit), device.upload(bounds),
                    device.upload(layout));
        }

        public Shape shape() {
            return shape;
        }

        @Override
        public void close() {
            fit.close();
            bounds.close();
            layout.close();
        }
    }

    private final Kernel encode;
    private final Kernel dequantise;
    private final Kernel evaluate;

    public BsplineKernels(CudaDevice device) {
        encode = device.kernel(KernelFamily.BSPLINE, ENCODE);
        dequantise = device.kernel(KernelFamily.BSPLINE, DEQUANTISE);
        evaluate = device.kernel(KernelFamily.BSPLINE, EVALUATE);
    }

    /** The fit as the encoder reads it: pseudo (F, T), feedback (F, F), pinned0 (F), pinned1 (F), as floats. */
    public static float[] packFit(Shape shape, double[] pseudo, double[] pinned0, double[] pinned1,
                                  double[] feedback) {
        int f = shape.free();
        int t = shape.steps();
        requireLength("pseudo-inverse (F, T)", pseudo, (long) f * t);
        requireLength("feedback (F, F)", feedback, (long) f * f);
        requireLength("pinned0 (F)", pinned0, f);
        requireLength("pinned1 (F)", pinned1, f);
        float[] packed = new float[shape.fitLength()];
        int at = 0;
        for (double[] part : new double[][] {pseudo, feedback, pinned0, pinned1}) {
            for (double v : part) {
                packed[at++] = (float) v;
            }
        }
        return packed;
    }

    /** The bounds as the kernels read them: lower (D), then upper (D). */
    public static float[] packBounds(Shape shape, double[] lower, double[] upper) {
        requireLength("lower bounds (D)", lower, shape.dof());
        requireLength("upper bounds (D)", upper, shape.dof());
        float[] packed = new float[2 * shape.dof()];
        for (int d = 0; d < shape.dof(); d++) {
            packed[d] = (float) lower[d];
            packed[shape.dof() + d] = (float) upper[d];
        }
        return packed;
    }

    /**
     * The layout as the kernels read it: per DoF its rank among the grippers (-1 for a continuous DoF),
     * then the N + 1 {@link #segmentStarts}.
     */
    public static int[] packLayout(Shape shape, boolean[] gripper) {
        if (gripper.length != shape.dof()) {
            throw new IllegalArgumentException(gripper.length + " gripper flags for " + shape.dof() + " DoF");
        }
        int[] starts = segmentStarts(shape.steps(), shape.controlPoints());
        int[] packed = new int[shape.dof() + starts.length];
        int rank = 0;
        for (int d = 0; d < shape.dof(); d++) {
            packed[d] = gripper[d] ? rank++ : -1;
        }
        if (rank != shape.grippers()) {
            throw new IllegalArgumentException(rank + " gripper flags set for a shape of " + shape.grippers());
        }
        System.arraycopy(starts, 0, packed, shape.dof(), starts.length);
        return packed;
    }

    /**
     * The first action of each of a gripper's N segments, and T: action m belongs to segment
     * floor((m + 1/2) N / T) (as the CPU's GripperSegments, in exact integer arithmetic).
     */
    public static int[] segmentStarts(int steps, int segments) {
        int[] start = new int[segments + 1];
        int segment = 0;
        for (int m = 0; m < steps; m++) {
            int s = (int) ((2L * m + 1) * segments / (2L * steps));
            while (segment < s) {
                start[++segment] = m;
            }
        }
        start[segments] = steps;
        return start;
    }

    /** The encoder's launch: one block of 128 per chunk, at most 4,096 blocks (each then loops). */
    public static LaunchGeometry encodeGeometry(Shape shape, int batch) {
        requirePositive("batch", batch);
        return new LaunchGeometry(Math.min(batch, MAX_BLOCKS), 1, 1, ENCODE_BLOCK, 1, 1,
                sharedBytes("encoding", shape.encodeSharedBytes(), shape));
    }

    /** The de-quantisation's launch: grid-stride over B N D, blocks of 256, at most 4,096 of them. */
    public static LaunchGeometry dequantiseGeometry(Shape shape, int batch) {
        requirePositive("batch", batch);
        long n = (long) batch * shape.controlPoints() * shape.dof();
        return gridStride(n);
    }

    /** The evaluation's launch: one block of 256 per chunk, at most 4,096 blocks (each then loops). */
    public static LaunchGeometry evaluateGeometry(Shape shape, int batch, int samples) {
        requirePositive("batch", batch);
        requirePositive("samples", samples);
        if ((long) samples * shape.dof() > Integer.MAX_VALUE - EVALUATE_BLOCK) { // the kernel's int index
            throw new IllegalArgumentException(samples + " samples of " + shape.dof()
                    + " DoF: too many setpoints per chunk (at most 2^31 - 257)");
        }
        return new LaunchGeometry(Math.min(batch, MAX_BLOCKS), 1, 1, EVALUATE_BLOCK, 1, 1,
                sharedBytes("evaluation", shape.evaluateSharedBytes(), shape));
    }

    /**
     * Encodes B chunks: tokens (B, K) ints = {@code BeastTokenizer.encode}, points (B, N, D) = its
     * {@code fitControlPoints} (continuous, before quantisation). velocity is read only with C1.
     */
    public void encode(Codebook code, DevicePointer tokens, DevicePointer points, DevicePointer chunks,
                       DevicePointer previous, DevicePointer velocity, int batch) {
        Shape s = code.shape;
        LaunchGeometry g = encodeGeometry(s, batch);
        tokens.requireRoom("tokens (B, K)", (long) batch * s.tokensPerChunk());
        points.requireRoom("points (B, N, D)", (long) batch * s.controlPoints() * s.dof());
        chunks.requireRoom("chunks (B, T, D)", (long) batch * s.steps() * s.dof());
        previous.requireRoom("previous (B, D)", (long) batch * s.dof());
        velocity.requireRoom("velocity (B, D)", (long) batch * s.dof());
        encode.launch(g, tokens, points, chunks, previous, velocity, code.fit, code.bounds, code.layout, batch,
                s.steps(), s.controlPoints(), s.dof(), s.pinned(), s.grippers(), code.c1Scale);
    }

    /**
     * points (B, N, D) = {@code BeastTokenizer.controlPoints} of tokens (B, K): the bins de-quantised, c_0
     * (and with C1 c_1) from previous (and velocity; read only with C1). Tokens are not range-checked.
     */
    public void dequantise(Codebook code, DevicePointer points, DevicePointer tokens, DevicePointer previous,
                           DevicePointer velocity, int batch) {
        Shape s = code.shape;
        LaunchGeometry g = dequantiseGeometry(s, batch);
        points.requireRoom("points (B, N, D)", (long) batch * s.controlPoints() * s.dof());
        tokens.requireRoom("tokens (B, K)", (long) batch * s.tokensPerChunk());
        previous.requireRoom("previous (B, D)", (long) batch * s.dof());
        velocity.requireRoom("velocity (B, D)", (long) batch * s.dof());
        dequantise.launch(g, points, tokens, previous, velocity, code.bounds, code.layout, batch, s.controlPoints(),
                s.dof(), s.pinned(), s.grippers(), code.c1Scale);
    }

    /**
     * out (B, R, D) = {@code BeastTokenizer.decode(tokens, previous, velocity, R, out)} from the chunks'
     * points (B, N, D): row s - 1 at u = s / R; basis (R, N) holds B_i(s / R) in row s - 1
     * ({@code BSplineBasis.design}); previous (B, D) starts the grippers' binary-aware decoding.
     */
    public void evaluate(Codebook code, DevicePointer out, DevicePointer points, DevicePointer basis,
                         DevicePointer previous, int batch, int samples) {
        Shape s = code.shape;
        LaunchGeometry g = evaluateGeometry(s, batch, samples);
        out.requireRoom("out (B, R, D)", (long) batch * samples * s.dof());
        points.requireRoom("points (B, N, D)", (long) batch * s.controlPoints() * s.dof());
        basis.requireRoom("basis (R, N)", (long) samples * s.controlPoints());
        previous.requireRoom("previous (B, D)", (long) batch * s.dof());
        evaluate.launch(g, out, points, basis, previous, code.bounds, code.layout, batch, samples, s.steps(),
                s.controlPoints(), s.dof(), s.grippers());
    }

    private static int sharedBytes(String what, long bytes, Shape shape) {
        if (bytes > LaunchGeometry.MAX_SHARED_BYTES) {
            throw new IllegalArgumentException("the " + what + " of T = " + shape.steps() + ", N = "
                    + shape.controlPoints() + ", D = " + shape.dof() + " needs " + bytes
                    + " bytes of shared memory (at most " + LaunchGeometry.MAX_SHARED_BYTES + ")");
        }
        return (int) bytes;
    }

    private static void requirePositive(String what, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be positive, got " + n);
        }
    }

    private static void requireLength(String what, double[] values, long expected) {
        if (values.length != expected) {
            throw new IllegalArgumentException(what + " has " + values.length + " values, expected " + expected);
        }
    }
}
