package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.TestGpu.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.kernel.GemmForm;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuInfo.Precision;
import dev.chimera.cuda.GpuTest;
import dev.chimera.cuda.TestGpu;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code gemm.cu} against {@link ScalarBackend#gemm} (double accumulation over the fp32 operands): every
 * precision x form, plain (rank 2) and batched (rank 3, batch 3), overwriting and accumulating C, on sizes
 * that are not multiples of the 128 x 128 tile or of the k-tile, with k not a multiple of 4 (scalar loads)
 * and with every size a multiple of 4 (float4 loads and stores), at operand offsets that break 16-byte
 * alignment, and on more than 8 tile rows (the kernels' grouped tile order).
 */
@GpuTest
class GemmKernelsGpuTest {
    /**
     * Normwise tolerances (TestGpu.assertClose: max error over max |C|). fp32 accumulates in fp32 over the
     * exact operands: 1e-4. tf32 and bf16 round every operand element first, to a 10-bit mantissa (unit
     * roundoff u = 2^-11) or a 7-bit one (u = 2^-8): each product is off by up to about 2u relative, and over
     * k products of random sign the error of an element grows like sqrt(k), as the element itself does for
     * these zero-mean operands; the normwise error stays near u to 2u: 2e-3 for tf32 (2u = 9.8e-4) and
     * 1.5e-2 for bf16 (2u = 7.8e-3), each with a margin for the worst of many elements.
     */
    private static double tolerance(Precision p) {
        return switch (p) {
            case FP32 -> 1e-4;
            case TF32 -> 2e-3;
            case BF16 -> 1.5e-2;
        };
    }

    /** m, n, k of the cases, each run plain and with a batch of 3, overwriting and accumulating. */
    private static final int[][] SIZES = {
        {1, 1, 1}, {17, 33, 65}, {127, 129, 250}, {300, 7, 513}, {260, 132, 96}, {1100, 20, 37},
    };

    private static CudaDevice gpu;
    private static GemmKernels k;
    private final ScalarBackend ref = new ScalarBackend();

    @BeforeAll
    static void load() {
        gpu = TestGpu.device();
        k = new GemmKernels(gpu);
    }

    static Stream<Arguments> precisionsAndForms() {
        return Arrays.stream(Precision.values())
                .flatMap(p -> Arrays.stream(GemmForm.values()).map(f -> Arguments.of(p, f)));
    }

    @ParameterizedTest
    @MethodSource("precisionsAndForms")
    void matchesTheScalarBackend(Precision p, GemmForm form) {
        long seed = 1;
        // The emulator builds each tensor-core product from the warp's exchange, ~100x slower than the
        // fp32 path: there the batched cases (batch 2 stays, below) are left to a real GPU.
        int[] batches = TestGpu.emulated() && p != Precision.FP32 ? new int[] {1} : new int[] {1, 3};
        for (int[] s : SIZES) {
            for (int batch : batches) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    check(p, form, s[0], s[1], s[2], batch, accumulate, 0, seed++);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("precisionsAndForms")
    void operandsAtUnalignedOffsets(Precision p, GemmForm form) {
        check(p, form, 132, 260, 36, 2, true, 1, 100);
        check(p, form, 64, 64, 100, 1, false, 3, 101);
    }

    /**
     * One product: A, B and C uploaded at element {@code offset} of buffers with {@code offset} spare
     * elements in front (C's as well, then A's and B's one and two further), the result compared with the
     * scalar backend's, and C's spare elements checked untouched.
     */
    private void check(Precision p, GemmForm form, int m, int n, int kk, int batch, boolean accumulate, int offset,
                       long seed) {
        int[] aShape = form == GemmForm.AtB ? new int[] {kk, m} : new int[] {m, kk};
        int[] bShape = form == GemmForm.ABt ? new int[] {n, kk} : new int[] {kk, n};
        Tensor a = Tensor.uniform(seed, -1f, 1f, batched(batch, aShape));
        Tensor b = Tensor.uniform(seed + 1000, -1f, 1f, batched(batch, bShape));
        Tensor c = Tensor.uniform(seed + 2000, -1f, 1f, batched(batch, m, n));
        int offA = offset == 0 ? 0 : offset + 1;
        int offB = offset == 0 ? 0 : offset + 2;
        try (DeviceBuffer da = gpu.allocate(offA + a.size()); DeviceBuffer db = gpu.allocate(offB + b.size());
             DeviceBuffer dc = gpu.allocate(offset + c.size())) {
            da.upload(a.data(), a.size(), offA);
            db.upload(b.data(), b.size(), offB);
            dc.fill(-7f);
            dc.upload(c.data(), c.size(), offset);
            k.gemm(p, form, dc.at(offset), da.at(offA), db.at(offB), m, n, kk, batch, accumulate);
            ref.gemm(form, c, a, b, accumulate);
            float[] all = dc.toArray();
            String what = p + " " + form + " " + m + "x" + n + "x" + kk + " batch " + batch
                    + (accumulate ? " accumulate" : "") + (offset != 0 ? " offset " + offset : "");
            assertClose(c.data(), Arrays.copyOfRange(all, offset, offset + c.size()), tolerance(p), what);
            for (int i = 0; i < offset; i++) {
                assertEquals(-7f, all[i], what + ": element " + i + " in front of C");
            }
        }
    }

    private static int[] batched(int batch, int... shape) {
        if (batch == 1) {
            return shape;
        }
        int[] s = new int[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}
