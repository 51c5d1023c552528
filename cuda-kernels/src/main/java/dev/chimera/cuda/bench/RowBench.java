package dev.chimera.cuda.bench;

import static dev.chimera.cuda.bench.Operands.random;

import dev.chimera.core.backend.Backend;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuInfo.Precision;
import dev.chimera.cuda.kernels.RowKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code rows.cu} on 8,192 rows (a batch of tokens): RMSNorm forward and backward at 512 and 1,536
 * channels, the gated RMSNorm at 1,536, the softmax cross-entropy at a vocabulary of 16 (DNA bases) and
 * 50,257 (GPT-2's). All memory-bound: bytes are every tensor read or written once, flops the arithmetic
 * per element (an exp counted as one). Operands are seeded random numbers.
 */
public final class RowBench implements KernelBench {
    private static final int ROWS = 8192;

    @Override
    public String family() {
        return "rows";
    }

    @Override
    public List<BenchRow> run(CudaDevice device, KernelTimer timer) {
        List<BenchRow> out = new ArrayList<>();
        try (RowKernels k = new RowKernels(device)) {
            for (int cols : new int[] {512, 1536}) {
                norms(device, timer, k, cols, out);
            }
            gatedNorms(device, timer, k, 1536, out);
            for (int vocab : new int[] {16, 50257}) {
                crossEntropy(device, timer, k, vocab, out);
            }
        }
        return out;
    }

    private static void norms(CudaDevice device, KernelTimer timer, RowKernels k, int cols, List<BenchRow> out) {
        long n = (long) ROWS * cols;
        String shape = ROWS + "x" + cols;
        try (DeviceBuffer x = random(device, n, 1, -2f, 2f); DeviceBuffer w = random(device, cols, 2, 0.5f, 1.5f);
             DeviceBuffer y = device.allocate(n); DeviceBuffer rstd = device.allocate(ROWS);
             DeviceBuffer dout = random(device, n, 3, -1f, 1f); DeviceBuffer dx = device.allocate(n);
             DeviceBuffer dw = device.allocate(cols)) {
            double ms = timer.medianMs(() -> k.rmsNorm(y.at(0), rstd.at(0), x.at(0), w.at(0), ROWS, cols, 1e-5f));
            out.add(new BenchRow("rows_rmsnorm", shape, ms, 4.0 * n, 4.0 * (2 * n + cols + ROWS), Precision.FP32));
            ms = timer.medianMs(() -> k.rmsNormBackward(dx.at(0), dw.at(0), dout.at(0), x.at(0), w.at(0), rstd.at(0),
                    ROWS, cols));
            out.add(new BenchRow("rows_rmsnorm_backward", shape, ms, 9.0 * n, 4.0 * (3 * n + ROWS + 3L * cols),
                    Precision.FP32));
        }
    }

    private static void gatedNorms(CudaDevice device, KernelTimer timer, RowKernels k, int cols, List<BenchRow> out) {
        long n = (long) ROWS * cols;
        String shape = ROWS + "x" + cols + " G=1";
        try (DeviceBuffer y = random(device, n, 4, -2f, 2f); DeviceBuffer z = random(device, n, 5, -4f, 4f);
             DeviceBuffer w = random(device, cols, 6, 0.5f, 1.5f); DeviceBuffer o = device.allocate(n);
             DeviceBuffer rstd = device.allocate(ROWS); DeviceBuffer dout = random(device, n, 7, -1f, 1f);
             DeviceBuffer dy = device.allocate(n); DeviceBuffer dz = device.allocate(n);
             DeviceBuffer dw = device.allocate(cols)) {
            double ms = timer.medianMs(() -> k.gatedRmsNorm(o.at(0), rstd.at(0), y.at(0), z.at(0), w.at(0), ROWS, cols,
                    1, 1e-5f));
            out.add(new BenchRow("rows_gated_rmsnorm", shape, ms, 8.0 * n, 4.0 * (3 * n + cols + ROWS),
                    Precision.FP32));
            ms = timer.medianMs(() -> k.gatedRmsNormBackward(dy.at(0), dz.at(0), dw.at(0), dout.at(0), y.at(0), z.at(0),
                    w.at(0), rstd.at(0), ROWS, cols, 1));
            out.add(new BenchRow("rows_gated_rmsnorm_backward", shape, ms, 20.0 * n, 4.0 * (5 * n + ROWS + 3L * cols),
                    Precision.FP32));
        }
    }

    private static void crossEntropy(CudaDevice device, KernelTimer timer, RowKernels k, int vocab,
                                     List<BenchRow> out) {
        long n = (long) ROWS * vocab;
        String shape = ROWS + "x" + vocab;
        SplittableRandom random = new SplittableRandom(vocab);
        int[] targets = new int[ROWS];
        for (int r = 0; r < ROWS; r++) {
            targets[r] = random.nextInt(10) == 0 ? Backend.IGNORE_TARGET : random.nextInt(vocab);
        }
        try (DeviceBuffer logits = random(device, n, 8, -8f, 8f); DeviceBuffer t = device.upload(targets);
             DeviceBuffer losses = device.allocate(ROWS); DeviceBuffer probs = device.allocate(n);
             DeviceBuffer dlosses = random(device, ROWS, 9, 0f, 1f); DeviceBuffer dlogits = device.allocate(n)) {
            double ms = timer.medianMs(() -> k.softmaxCrossEntropy(losses.at(0), probs.at(0), logits.at(0), t.at(0),
                    ROWS, vocab));
            out.add(new BenchRow("rows_softmax_cross_entropy", shape, ms, 5.0 * n, 4.0 * (2 * n + 2L * ROWS),
                    Precision.FP32));
            ms = timer.medianMs(() -> k.softmaxCrossEntropyBackward(dlogits.at(0), dlosses.at(0), probs.at(0), t.at(0),
                    ROWS, vocab));
            out.add(new BenchRow("rows_softmax_cross_entropy_backward", shape, ms, 2.0 * n, 4.0 * (2 * n + 2L * ROWS),
                    Precision.FP32));
        }
    }
}
