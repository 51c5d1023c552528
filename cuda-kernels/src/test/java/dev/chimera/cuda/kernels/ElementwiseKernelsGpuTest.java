package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.TestGpu.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.kernel.Activation;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuTest;
import dev.chimera.cuda.TestGpu;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code elementwise.cu} against {@link ScalarBackend} on awkward sizes (not multiples of 32 or 256). */
@GpuTest
class ElementwiseKernelsGpuTest {
    private static final double FP32 = 1e-4;
    private static CudaDevice gpu;
    private static ElementwiseKernels k;
    private final Backend ref = new ScalarBackend();

    @BeforeAll
    static void load() {
        gpu = TestGpu.device();
        k = new ElementwiseKernels(gpu);
    }

    @Test
    void activationsAndDerivatives() {
        int n = 1_000_003;
        Tensor x = Tensor.uniform(1, -12f, 12f, n);
        Tensor dy = Tensor.uniform(2, -1f, 1f, n);
        try (DeviceBuffer dx = gpu.upload(x.data()); DeviceBuffer ddy = gpu.upload(dy.data());
             DeviceBuffer out = gpu.allocate(n)) {
            for (Activation f : Activation.values()) {
                Tensor expected = Tensor.zeros(n);
                ref.activation(f, expected, x);
                k.activation(f, out.at(0), dx.at(0), n);
                assertClose(expected.data(), out.toArray(), FP32, f + " forward");
                ref.activationBackward(f, expected, dy, x);
                k.activationBackward(f, out.at(0), ddy.at(0), dx.at(0), n);
                assertClose(expected.data(), out.toArray(), FP32, f + " backward");
            }
        }
    }

    @Test
    void addMulScaleFillCopy() {
        int n = 4099;
        Tensor a = Tensor.uniform(3, -2f, 2f, n);
        Tensor b = Tensor.uniform(4, -2f, 2f, n);
        Tensor expected = Tensor.zeros(n);
        try (DeviceBuffer da = gpu.upload(a.data()); DeviceBuffer db = gpu.upload(b.data());
             DeviceBuffer out = gpu.allocate(n + 5)) {
            ref.add(expected, a, b);
            k.add(out.at(5), da.at(0), db.at(0), n);
            assertClose(expected.data(), java.util.Arrays.copyOfRange(out.toArray(), 5, n + 5), FP32, "add at an offset");
            ref.mul(expected, a, b);
            k.mul(out.at(0), da.at(0), db.at(0), n);
            assertClose(expected.data(), out.toArray(), FP32, "mul");
            ref.scale(expected, -0.37f, a);
            k.scale(out.at(0), -0.37f, da.at(0), n);
            assertClose(expected.data(), out.toArray(), FP32, "scale");
            k.copy(out.at(0), db.at(0), n);
            assertClose(b.data(), out.toArray(), 0, "copy");
            k.fill(out.at(0), n + 5, 2.5f);
            assertEquals(2.5f, out.toArray()[n + 4]);
        }
    }

    @Test
    void biasRowsColumnSumsAndColumnCopies() {
        int rows = 77;
        int cols = 45;
        Tensor x = Tensor.uniform(5, -1f, 1f, rows, cols);
        Tensor v = Tensor.uniform(6, -1f, 1f, cols);
        Tensor sums = Tensor.uniform(7, -1f, 1f, cols);
        try (DeviceBuffer dx = gpu.upload(x.data()); DeviceBuffer dv = gpu.upload(v.data());
             DeviceBuffer ds = gpu.upload(sums.data()); DeviceBuffer dst = gpu.allocate((long) rows * 20)) {
            k.addColumnSums(ds.at(0), dx.at(0), rows, cols);
            ref.addColumnSums(sums, x);
            assertClose(sums.data(), ds.toArray(), FP32, "column sums (accumulated)");
            k.addRowVector(dx.at(0), dv.at(0), rows, cols);
            ref.addRowVector(x, v);
            assertClose(x.data(), dx.toArray(), FP32, "bias rows");
            Tensor expected = Tensor.zeros(rows, 20);
            ref.copyColumns(expected, 3, x, 11, 17);
            k.copyColumns(dst.at(0), 20, 3, dx.at(0), cols, 11, rows, 17);
            assertClose(expected.data(), dst.toArray(), 0, "column copy");
        }
    }

    @Test
    void gatherScatterAndSumOfSquares() {
        int vocab = 13;
        int d = 37;
        int[] ids = {3, 0, 12, 3, 3, 7, 12, 1, 0};
        Tensor table = Tensor.uniform(8, -1f, 1f, vocab, d);
        Tensor dout = Tensor.uniform(9, -1f, 1f, ids.length, d);
        Tensor expected = Tensor.zeros(ids.length, d);
        ref.gatherRows(expected, table, ids);
        try (DeviceBuffer dt = gpu.upload(table.data()); DeviceBuffer di = gpu.upload(ids);
             DeviceBuffer out = gpu.allocate((long) ids.length * d); DeviceBuffer dd = gpu.upload(dout.data())) {
            k.gatherRows(out.at(0), dt.at(0), di.at(0), ids.length, d);
            assertClose(expected.data(), out.toArray(), 0, "gather");
            k.scatterAddRows(dt.at(0), dd.at(0), di.at(0), ids.length, d);
            ref.scatterAddRows(table, dout, ids);
            assertClose(table.data(), dt.toArray(), FP32, "scatter-add with repeated ids");
            Tensor big = Tensor.uniform(10, -3f, 3f, 3_000_001);
            try (DeviceBuffer db = gpu.upload(big.data())) {
                double expectedSum = ref.sumOfSquares(big);
                assertEquals(expectedSum, k.sumOfSquares(db.at(0), big.size()), expectedSum * 1e-9);
            }
        }
    }
}
