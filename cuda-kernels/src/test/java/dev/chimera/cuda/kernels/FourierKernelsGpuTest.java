package dev.chimera.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.FourierDensityOp;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuTest;
import dev.chimera.cuda.TestGpu;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code fourier.cu} against {@link ScalarBackend}'s Fourier density (the core's {@code FourierDensity},
 * in double) on the time-series head (24 frequencies, 128 bins) and awkward shapes: bins not a multiple
 * of 32, more frequencies than bins (aliased terms in the backward's closed form), several bins per
 * thread. Targets include IGNORE_TARGET and a zero dloss. fp32 against double, normwise relative 1e-4;
 * R relative 1e-4.
 */
@GpuTest
class FourierKernelsGpuTest {
    private static final double FP32 = 1e-4;
    /** (rows, frequencies, bins). */
    private static final int[][] SHAPES = {{37, 24, 128}, {19, 7, 50}, {11, 64, 37}, {9, 64, 4}, {6, 1, 2},
        {5, 40, 1000}, {3, 64, 4096}};
    private static CudaDevice gpu;
    private static FourierKernels k;
    private final Backend ref = new ScalarBackend();

    @BeforeAll
    static void load() {
        gpu = TestGpu.device();
        k = new FourierKernels(gpu);
    }

    /**
     * TestGpu.assertClose, after checking that every value the reference has finite is finite here too
     * (assertClose's running maximum forgets a NaN when a later element differs at all).
     */
    static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.isFinite(expected[i]) && !Float.isFinite(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
        TestGpu.assertClose(expected, actual, tolerance, what);
    }

    private static int[] targets(int rows, int bins, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] t = new int[rows];
        for (int r = 0; r < rows; r++) {
            t[r] = r % 4 == 1 ? Backend.IGNORE_TARGET : random.nextInt(bins);
        }
        return t;
    }

    @Test
    void densityProbabilitiesAndCrossEntropy() {
        for (int[] s : SHAPES) {
            int rows = s[0], frequencies = s[1], bins = s[2];
            String what = rows + " rows, N " + frequencies + ", B " + bins;
            FourierDensityOp op = ref.fourierDensity(frequencies, bins);
            FourierDensityOp.Saved saved = op.allocate(rows);
            Tensor z = Tensor.uniform(frequencies * 31L + bins, -1f, 1f, rows, op.width());
            Tensor probs = Tensor.zeros(rows, bins);
            Tensor logits = Tensor.zeros(rows, bins);
            Tensor losses = Tensor.zeros(rows);
            int[] targets = targets(rows, bins, bins);
            op.forward(probs, logits, z, saved);
            op.crossEntropy(losses, z, targets, saved);
            try (DeviceBuffer gz = gpu.upload(z.data()); DeviceBuffer gt = gpu.upload(targets);
                 DeviceBuffer gp = gpu.allocate(probs.size()); DeviceBuffer gl = gpu.allocate(logits.size());
                 DeviceBuffer gp2 = gpu.allocate(probs.size()); DeviceBuffer gloss = gpu.allocate(rows)) {
                k.forward(gp.at(0), gl.at(0), gz.at(0), rows, frequencies, bins);
                assertClose(probs.data(), gp.toArray(), FP32, "probs " + what);
                assertClose(logits.data(), gl.toArray(), FP32, "logits " + what);
                k.probabilities(gp2.at(0), gz.at(0), rows, frequencies, bins);
                assertClose(gp.toArray(), gp2.toArray(), 0, "probabilities = forward's probs, bit for bit, " + what);
                gloss.fill(Float.NaN);
                k.crossEntropy(gloss.at(0), gz.at(0), gt.at(0), rows, frequencies, bins);
                assertClose(losses.data(), gloss.toArray(), FP32, "cross-entropy " + what);
            }
        }
    }

    /** gamma 0 (no regulariser), the reference's 1e-6, and 1e-2, where the regulariser's gradient dominates. */
    @Test
    void crossEntropyBackwardAndRegulariser() {
        for (int[] s : SHAPES) {
            int rows = s[0], frequencies = s[1], bins = s[2];
            FourierDensityOp op = ref.fourierDensity(frequencies, bins);
            FourierDensityOp.Saved saved = op.allocate(rows);
            Tensor z = Tensor.uniform(frequencies * 17L + bins, -1f, 1f, rows, op.width());
            Tensor dlosses = Tensor.uniform(bins, 0.1f, 2f, rows);
            dlosses.data()[rows - 1] = 0;
            int[] targets = targets(rows, bins, bins + 1);
            op.crossEntropy(Tensor.zeros(rows), z, targets, saved);
            try (DeviceBuffer gz = gpu.upload(z.data()); DeviceBuffer gt = gpu.upload(targets);
                 DeviceBuffer gdl = gpu.upload(dlosses.data()); DeviceBuffer gdz = gpu.allocate(z.size());
                 DeviceBuffer pen = gpu.allocate(rows)) {
                for (double gamma : new double[] {0, 1e-6, 1e-2}) {
                    String what = rows + " rows, N " + frequencies + ", B " + bins + ", gamma " + gamma;
                    Tensor dz = Tensor.zeros(rows, op.width());
                    double expectedR = op.crossEntropyBackward(dz, dlosses, targets, gamma, saved);
                    gdz.fill(Float.NaN);
                    k.crossEntropyBackward(gdz.at(0), pen.at(0), gdl.at(0), gz.at(0), gt.at(0), rows, frequencies, bins,
                            gamma);
                    assertClose(dz.data(), gdz.toArray(), FP32, "dz " + what);
                    assertEquals(expectedR, k.regularizer(pen.at(0), rows, gamma), Math.abs(expectedR) * FP32,
                            "R from the backward, " + what);
                    k.penalties(pen.at(0), gz.at(0), rows, frequencies);
                    double r = op.regularizer(gamma, saved);
                    assertEquals(r, k.regularizer(pen.at(0), rows, gamma), Math.abs(r) * FP32, "regularizer " + what);
                }
            }
        }
    }
}
