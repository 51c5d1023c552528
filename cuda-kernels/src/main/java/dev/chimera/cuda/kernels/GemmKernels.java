package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.ParamKind.I32;
import static dev.chimera.cuda.ParamKind.PTR;

import dev.chimera.core.kernel.GemmForm;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DevicePointer;
import dev.chimera.cuda.GpuInfo.Precision;
import dev.chimera.cuda.Kernel;
import dev.chimera.cuda.KernelFamily;
import dev.chimera.cuda.KernelSignature;
import dev.chimera.cuda.LaunchGeometry;
import java.util.EnumMap;
import java.util.Map;

/**
 * Launches {@code gemm.cu}: {@code C (+)= op(A)·op(B)} for the three {@link GemmForm}s on row-major fp32
 * operands in device memory, the meaning of {@link dev.chimera.core.backend.Backend#gemm}. The sizes are
 * those of {@link GemmForm.Dims}: C is (m, n) and k is the inner dimension, so
 * <ul>
 *   <li>{@code AB}: A is (m, k), B is (k, n);</li>
 *   <li>{@code ABt}: A is (m, k), B is (n, k);</li>
 *   <li>{@code AtB}: A is (k, m), B is (k, n).</li>
 * </ul>
 * A batch of {@code batch} products lies back to back in each operand (product z at element z·m·k of A,
 * z·k·n of B, z·m·n of C), as rank-3 tensors do. The {@link Precision} picks the arithmetic: {@code FP32}
 * on the CUDA cores; {@code TF32} and {@code BF16} on the tensor cores with fp32 accumulation, each
 * operand element rounded to tf32 (10-bit mantissa) or bf16 (7-bit) as the kernel stages it.
 */
public final class GemmKernels {
    public static final KernelSignature FP32_AB = signature("gemm_fp32_ab");
    public static final KernelSignature FP32_ABT = signature("gemm_fp32_abt");
    public static final KernelSignature FP32_ATB = signature("gemm_fp32_atb");
    public static final KernelSignature TF32_AB = signature("gemm_tf32_ab");
    public static final KernelSignature TF32_ABT = signature("gemm_tf32_abt");
    public static final KernelSignature TF32_ATB = signature("gemm_tf32_atb");
    public static final KernelSignature BF16_AB = signature("gemm_bf16_ab");
    public static final KernelSignature BF16_ABT = signature("gemm_bf16_abt");
    public static final KernelSignature BF16_ATB = signature("gemm_bf16_atb");

    /** Threads per block: 8 warps. */
    static final int THREADS = 256;
    /** Every kernel computes a TILE x TILE tile of C per block. */
    static final int TILE = 128;
    /** The grid's z extent at most (a block then loops over products z, z + 65,535, ...). */
    static final int MAX_GRID_Z = 65_535;
    /** Each of m, n, k and batch at most this (the kernels' int arithmetic runs past them by a tile or a grid). */
    static final int MAX_SIZE = 1 << 30;

    private final Map<Precision, Map<GemmForm, Kernel>> kernels = new EnumMap<>(Precision.class);

    public GemmKernels(CudaDevice device) {
        for (Precision p : Precision.values()) {
            Map<GemmForm, Kernel> byForm = new EnumMap<>(GemmForm.class);
            for (GemmForm f : GemmForm.values()) {
                byForm.put(f, device.kernel(KernelFamily.GEMM, signature(p, f)));
            }
            kernels.put(p, byForm);
        }
    }

    private static KernelSignature signature(String name) {
        return KernelSignature.of(name, PTR, PTR, PTR, I32, I32, I32, I32, I32);
    }

    /** The kernel of a precision and form: {@code gemm_PRECISION_FORM(c, a, b, m, n, k, batch, accumulate)}. */
    public static KernelSignature signature(Precision p, GemmForm f) {
        return switch (p) {
            case FP32 -> switch (f) {
                case AB -> FP32_AB;
                case ABt -> FP32_ABT;
                case AtB -> FP32_ATB;
            };
            case TF32 -> switch (f) {
                case AB -> TF32_AB;
                case ABt -> TF32_ABT;
                case AtB -> TF32_ATB;
            };
            case BF16 -> switch (f) {
                case AB -> BF16_AB;
                case ABt -> BF16_ABT;
                case AtB -> BF16_ATB;
            };
        };
    }

    /** ceil(size / 128): the tiles that cover {@code size} rows or columns. */
    public static int tiles(int size) {
        return LaunchGeometry.blocks(size, TILE);
    }

    /**
     * The launch of every kernel for C of (m, n) and {@code batch} products: one block of 256 threads per
     * 128 x 128 tile of C, numbered along x ({@code tiles(m)·tiles(n)}, the kernel orders them), the batch
     * along z (at most 65,535), static shared memory only.
     */
    public static LaunchGeometry geometry(int m, int n, int batch) {
        requireSizes(m, n, 1, batch);
        long blocks = (long) tiles(m) * tiles(n);
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("C of " + m + " x " + n + " needs " + blocks + " tiles of "
                    + TILE + " x " + TILE + " (at most 2^31 - 1)");
        }
        return new LaunchGeometry((int) blocks, 1, Math.min(batch, MAX_GRID_Z), THREADS, 1, 1, 0);
    }

    /**
     * {@code C (+)= op(A)·op(B)} for each of {@code batch} products, with m, n and k as the class comment
     * gives them per form; {@code accumulate} adds to C, otherwise C is overwritten. Each pointer is at
     * its operand's first element; C must not overlap A or B.
     */
    public void gemm(Precision precision, GemmForm form, DevicePointer c, DevicePointer a, DevicePointer b, int m,
                     int n, int k, int batch, boolean accumulate) {
        validate(m, n, k, batch, Span.of(c), Span.of(a), Span.of(b));
        kernels.get(precision).get(form).launch(geometry(m, n, batch), c, a, b, m, n, k, batch, accumulate ? 1 : 0);
    }

    /** Where an operand lies: its buffer (compared by identity), first element and the buffer's size. */
    record Span(Object buffer, long offset, long capacity) {
        static Span of(DevicePointer p) {
            return new Span(p.buffer(), p.offset(), p.buffer().capacity());
        }
    }

    /** Sizes (m, n, k, batch) in [1, 2^30], every operand inside its buffer, C disjoint from A and B. */
    static void validate(int m, int n, int k, int batch, Span c, Span a, Span b) {
        requireSizes(m, n, k, batch);
        long cn = elements(batch, m, n);
        long an = elements(batch, m, k);
        long bn = elements(batch, k, n);
        requireInside("C", c, cn);
        requireInside("A", a, an);
        requireInside("B", b, bn);
        requireDisjoint("A", a, an, c, cn);
        requireDisjoint("B", b, bn, c, cn);
    }

    private static void requireSizes(int m, int n, int k, int batch) {
        if (m < 1 || n < 1 || k < 1 || batch < 1 || m > MAX_SIZE || n > MAX_SIZE || k > MAX_SIZE || batch > MAX_SIZE) {
            throw new IllegalArgumentException("gemm sizes m " + m + ", n " + n + ", k " + k + ", batch " + batch
                    + ": each must lie in [1, 2^30]");
        }
    }

    private static long elements(int batch, int rows, int cols) {
        long one = (long) rows * cols;
        if (one > Long.MAX_VALUE / batch) {
            throw new IllegalArgumentException(batch + " products of " + rows + " x " + cols + " elements overflow");
        }
        return batch * one;
    }

    private static void requireInside(String what, Span s, long elements) {
        if (elements > s.capacity() - s.offset()) {
            throw new IllegalArgumentException(what + " needs elements [" + s.offset() + ", " + (s.offset() + elements)
                    + ") of a buffer of " + s.capacity());
        }
    }

    private static void requireDisjoint(String what, Span x, long xn, Span c, long cn) {
        if (x.buffer() == c.buffer() && x.offset() < c.offset() + cn && c.offset() < x.offset() + xn) {
            throw new IllegalArgumentException("C [" + c.offset() + ", " + (c.offset() + cn) + ") overlaps " + what
                    + " [" + x.offset() + ", " + (x.offset() + xn) + ") in the same buffer");
        }
    }
}
