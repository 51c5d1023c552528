package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.TestGpu.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuTest;
import dev.chimera.cuda.TestGpu;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code rows.cu} against {@link ScalarBackend} on awkward sizes: one row, rows not a multiple of the
 * strips, channels of 1 to 50,257 (shared-memory and workspace dweight sums both), dweight accumulated
 * onto what it held, tensors at offsets into their buffers, ignored targets. fp32 rel 1e-4.
 */
@GpuTest
class RowKernelsGpuTest {
    private static final double FP32 = 1e-4;
    /** Where the device copies of x / y start in their buffers: not at 0. */
    private static final int AT = 3;
    private static CudaDevice gpu;
    private static RowKernels k;
    private final Backend ref = new ScalarBackend();

    @BeforeAll
    static void load() {
        gpu = TestGpu.device();
        k = new RowKernels(gpu);
    }

    /** A buffer holding t's values from element {@code at} on. */
    private static DeviceBuffer upload(Tensor t, int at) {
        DeviceBuffer b = gpu.allocate(at + t.size());
        b.upload(t.data(), t.size(), at);
        return b;
    }

    private static float[] window(DeviceBuffer b, int at, int n) {
        return Arrays.copyOfRange(b.toArray(), at, at + n);
    }

    @Test
    void rmsNormForwardAndBackward() {
        int[][] shapes = {{1, 1}, {3, 5}, {257, 31}, {3, 1000}, {257, 1000}, {70, 4096}, {5, 12_300}, {1, 50257}};
        long seed = 100;
        for (int[] s : shapes) {
            int rows = s[0];
            int cols = s[1];
            String what = "rmsNorm " + rows + "x" + cols;
            Tensor x = Tensor.uniform(seed++, -2f, 2f, rows, cols);
            Tensor weight = Tensor.uniform(seed++, 0.5f, 1.5f, cols);
            Tensor dout = Tensor.uniform(seed++, -1f, 1f, rows, cols);
            Tensor dweight = Tensor.uniform(seed++, -1f, 1f, cols);
            Tensor out = Tensor.zeros(rows, cols);
            Tensor rstd = Tensor.zeros(rows);
            Tensor dx = Tensor.zeros(rows, cols);
            try (DeviceBuffer dX = upload(x, AT); DeviceBuffer dW = gpu.upload(weight.data());
                 DeviceBuffer dOut = gpu.allocate((long) rows * cols); DeviceBuffer dRstd = gpu.allocate(rows);
                 DeviceBuffer dDout = gpu.upload(dout.data()); DeviceBuffer dDw = gpu.upload(dweight.data());
                 DeviceBuffer dDx = gpu.allocate((long) rows * cols)) {
                ref.rmsNorm(out, rstd, x, weight, 1e-5f);
                k.rmsNorm(dOut.at(0), dRstd.at(0), dX.at(AT), dW.at(0), rows, cols, 1e-5f);
                assertClose(out.data(), dOut.toArray(), FP32, what + " out");
                assertClose(rstd.data(), dRstd.toArray(), FP32, what + " rstd");

                ref.rmsNormBackward(dx, dweight, dout, x, weight, rstd);
                k.rmsNormBackward(dDx.at(0), dDw.at(0), dDout.at(0), dX.at(AT), dW.at(0), dRstd.at(0), rows, cols);
                assertClose(dx.data(), dDx.toArray(), FP32, what + " dx");
                assertClose(dweight.data(), dDw.toArray(), FP32, what + " dweight (accumulated)");

                // dx in place of dout; dweight accumulates a second time.
                ref.rmsNormBackward(dx, dweight, dout, x, weight, rstd);
                k.rmsNormBackward(dDout.at(0), dDw.at(0), dDout.at(0), dX.at(AT), dW.at(0), dRstd.at(0), rows, cols);
                assertClose(dx.data(), dDout.toArray(), FP32, what + " dx over dout");
                assertClose(dweight.data(), dDw.toArray(), FP32, what + " dweight (accumulated twice)");
            }
        }
    }

    @Test
    void gatedRmsNormForwardAndBackward() {
        int[][] shapes = {{1, 1, 1}, {3, 5, 5}, {257, 31, 1}, {3, 1000, 8}, {257, 96, 4}, {2, 12_800, 2}, {4, 4096, 1},
            {3, 50257, 1}};
        long seed = 200;
        for (int[] s : shapes) {
            int rows = s[0];
            int cols = s[1];
            int groups = s[2];
            String what = "gatedRmsNorm " + rows + "x" + cols + " in " + groups + " groups";
            Tensor y = Tensor.uniform(seed++, -2f, 2f, rows, cols);
            Tensor z = Tensor.uniform(seed++, -6f, 6f, rows, cols);
            Tensor weight = Tensor.uniform(seed++, 0.5f, 1.5f, cols);
            Tensor dout = Tensor.uniform(seed++, -1f, 1f, rows, cols);
            Tensor dweight = Tensor.uniform(seed++, -1f, 1f, cols);
            Tensor out = Tensor.zeros(rows, cols);
            Tensor rstd = Tensor.zeros(rows * groups);
            Tensor dy = Tensor.zeros(rows, cols);
            Tensor dz = Tensor.zeros(rows, cols);
            long n = (long) rows * cols;
            try (DeviceBuffer dY = upload(y, AT); DeviceBuffer dZ = gpu.upload(z.data());
                 DeviceBuffer dW = gpu.upload(weight.data()); DeviceBuffer dOut = gpu.allocate(n);
                 DeviceBuffer dRstd = gpu.allocate((long) rows * groups); DeviceBuffer dDout = gpu.upload(dout.data());
                 DeviceBuffer dDw = gpu.upload(dweight.data()); DeviceBuffer dDy = gpu.allocate(n);
                 DeviceBuffer dDz = gpu.allocate(n)) {
                ref.gatedRmsNorm(out, rstd, y, z, weight, groups, 1e-5f);
                k.gatedRmsNorm(dOut.at(0), dRstd.at(0), dY.at(AT), dZ.at(0), dW.at(0), rows, cols, groups, 1e-5f);
                assertClose(out.data(), dOut.toArray(), FP32, what + " out");
                assertClose(rstd.data(), dRstd.toArray(), FP32, what + " rstd");

                ref.gatedRmsNormBackward(dy, dz, dweight, dout, y, z, weight, rstd, groups);
                k.gatedRmsNormBackward(dDy.at(0), dDz.at(0), dDw.at(0), dDout.at(0), dY.at(AT), dZ.at(0), dW.at(0),
                        dRstd.at(0), rows, cols, groups);
                assertClose(dy.data(), dDy.toArray(), FP32, what + " dy");
                assertClose(dz.data(), dDz.toArray(), FP32, what + " dz");
                assertClose(dweight.data(), dDw.toArray(), FP32, what + " dweight (accumulated)");
            }
        }
    }

    /** Targets in [0, vocab) with about one in five ignored, the first and last class always among them. */
    private static int[] targets(long seed, int rows, int vocab) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] t = new int[rows];
        for (int r = 0; r < rows; r++) {
            t[r] = random.nextInt(5) == 0 ? Backend.IGNORE_TARGET : random.nextInt(vocab);
        }
        t[0] = vocab - 1;
        if (rows > 1) {
            t[1] = Backend.IGNORE_TARGET;
        }
        if (rows > 2) {
            t[2] = 0;
        }
        return t;
    }

    @Test
    void softmaxCrossEntropyForwardAndBackward() {
        long seed = 300;
        for (int rows : new int[] {1, 3, 257}) {
            for (int vocab : new int[] {1, 5, 31, 1000, 50257}) {
                String what = "softmaxCrossEntropy " + rows + "x" + vocab;
                Tensor logits = Tensor.uniform(seed++, -8f, 8f, rows, vocab);
                // A row far from zero: the max subtraction keeps exp finite.
                for (int i = 0; i < vocab; i++) {
                    logits.data()[i] += 500f;
                }
                Tensor dlosses = Tensor.uniform(seed++, 0.1f, 2f, rows);
                int[] t = targets(seed++, rows, vocab);
                Tensor losses = Tensor.zeros(rows);
                Tensor probs = Tensor.zeros(rows, vocab);
                Tensor dlogits = Tensor.zeros(rows, vocab);
                long n = (long) rows * vocab;
                try (DeviceBuffer dLogits = upload(logits, AT); DeviceBuffer dT = gpu.upload(t);
                     DeviceBuffer dLosses = gpu.allocate(rows); DeviceBuffer dProbs = gpu.allocate(n);
                     DeviceBuffer dDl = gpu.upload(dlosses.data()); DeviceBuffer dDlogits = gpu.allocate(n)) {
                    ref.softmaxCrossEntropy(losses, probs, logits, t);
                    k.softmaxCrossEntropy(dLosses.at(0), dProbs.at(0), dLogits.at(AT), dT.at(0), rows, vocab);
                    float[] gotLosses = dLosses.toArray();
                    assertClose(losses.data(), gotLosses, FP32, what + " losses");
                    assertClose(probs.data(), dProbs.toArray(), FP32, what + " probs");
                    if (rows > 1) {
                        assertEquals(0f, gotLosses[1], what + ": an ignored row's loss");
                    }

                    ref.softmaxCrossEntropyBackward(dlogits, dlosses, probs, t);
                    k.softmaxCrossEntropyBackward(dDlogits.at(0), dDl.at(0), dProbs.at(0), dT.at(0), rows, vocab);
                    assertClose(dlogits.data(), dDlogits.toArray(), FP32, what + " dlogits");

                    // In place: probs over the logits, dlogits over the probs.
                    k.softmaxCrossEntropy(dLosses.at(0), dLogits.at(AT), dLogits.at(AT), dT.at(0), rows, vocab);
                    assertClose(probs.data(), window(dLogits, AT, (int) n), FP32, what + " probs over logits");
                    assertClose(losses.data(), dLosses.toArray(), FP32, what + " losses, probs over logits");
                    k.softmaxCrossEntropyBackward(dLogits.at(AT), dDl.at(0), dLogits.at(AT), dT.at(0), rows, vocab);
                    assertClose(dlogits.data(), window(dLogits, AT, (int) n), FP32, what + " dlogits over probs");
                }
            }
        }
    }
}
