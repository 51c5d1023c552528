package dev.chimera.cuda.bench;

import dev.chimera.core.backend.Backend;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuInfo.Precision;
import dev.chimera.cuda.kernels.FourierKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code fourier.cu} on 8,192 rows: the time-series model's head (24 frequencies, 128 bins; TsPresets) and
 * a larger one (32 frequencies, 256 bins). Density (probs and logits), cross-entropy, and its backward with
 * the regulariser (gamma 1e-6; the kernel alone, without reading R back). Flops: 8 per complex
 * multiply-add of the O((N+1) B) evaluation each kernel must do (the backward's evaluation included, its
 * O(N) and O(N^2) terms left out); bytes: every tensor read or written once. Operands are seeded random.
 */
public final class FourierBench implements KernelBench {
    private static final int ROWS = 8192;
    private static final int[][] SHAPES = {{24, 128}, {32, 256}};
    private static final double GAMMA = 1e-6;

    @Override
    public String family() {
        return "fourier";
    }

    @Override
    public List<BenchRow> run(CudaDevice device, KernelTimer timer) {
        FourierKernels k = new FourierKernels(device);
        List<BenchRow> out = new ArrayList<>();
        for (int[] shape : SHAPES) {
            run(device, timer, k, shape[0], shape[1], out);
        }
        return out;
    }

    private static void run(CudaDevice device, KernelTimer timer, FourierKernels k, int frequencies, int bins,
                            List<BenchRow> out) {
        int width = FourierKernels.width(frequencies);
        long zs = (long) ROWS * width;
        long ps = (long) ROWS * bins;
        double flops = 8.0 * (frequencies + 1) * ps;
        String shape = ROWS + "x" + bins + " N=" + frequencies;
        SplittableRandom random = new SplittableRandom(bins);
        float[] zHost = new float[(int) zs];
        for (int i = 0; i < zHost.length; i++) {
            zHost[i] = (float) random.nextDouble(-1, 1);
        }
        int[] targets = new int[ROWS];
        float[] dlosses = new float[ROWS];
        for (int r = 0; r < ROWS; r++) {
            targets[r] = random.nextInt(10) == 0 ? Backend.IGNORE_TARGET : random.nextInt(bins);
            dlosses[r] = 1f / ROWS;
        }
        try (DeviceBuffer z = device.upload(zHost); DeviceBuffer t = device.upload(targets);
             DeviceBuffer dl = device.upload(dlosses); DeviceBuffer probs = device.allocate(ps);
             DeviceBuffer logits = device.allocate(ps); DeviceBuffer losses = device.allocate(ROWS);
             DeviceBuffer dz = device.allocate(zs); DeviceBuffer penalties = device.allocate(ROWS)) {
            double ms = timer.medianMs(() -> k.forward(probs.at(0), logits.at(0), z.at(0), ROWS, frequencies, bins));
            out.add(new BenchRow("fourier_forward", shape, ms, flops, 4.0 * (zs + 2 * ps), Precision.FP32));
            ms = timer.medianMs(() -> k.crossEntropy(losses.at(0), z.at(0), t.at(0), ROWS, frequencies, bins));
            out.add(new BenchRow("fourier_cross_entropy", shape, ms, flops, 4.0 * (zs + 2L * ROWS), Precision.FP32));
            ms = timer.medianMs(() -> k.crossEntropyBackward(dz.at(0), penalties.at(0), dl.at(0), z.at(0), t.at(0),
                    ROWS, frequencies, bins, GAMMA));
            out.add(new BenchRow("fourier_cross_entropy_backward", shape, ms, flops, 4.0 * (2 * zs + 3L * ROWS),
                    Precision.FP32));
        }
    }
}
