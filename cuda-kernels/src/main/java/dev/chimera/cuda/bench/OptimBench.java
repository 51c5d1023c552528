package dev.chimera.cuda.bench;

import static dev.chimera.cuda.bench.Operands.random;

import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuInfo.Precision;
import dev.chimera.cuda.kernels.OptimKernels;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code optim.cu} over one tensor of 10M parameters: the AdamW step (reads p, m, v, g, writes p, m, v),
 * the SGD-SaI step after the first (reads p, buf, g, writes p, buf), and SGD-SaI's g-SNR (two reads of
 * g, with the partials' download). Memory-bound: bytes are every array read or written once.
 */
public final class OptimBench implements KernelBench {
    private static final int N = 10_000_000;

    @Override
    public String family() {
        return "optim";
    }

    @Override
    public List<BenchRow> run(CudaDevice device, KernelTimer timer) {
        List<BenchRow> rows = new ArrayList<>();
        String shape = "n=" + N;
        try (OptimKernels k = new OptimKernels(device); DeviceBuffer p = random(device, N, 1, -1f, 1f);
             DeviceBuffer m = random(device, N, 2, -1e-2f, 1e-2f); DeviceBuffer v = random(device, N, 3, 0f, 1e-4f);
             DeviceBuffer g = random(device, N, 4, -1e-2f, 1e-2f)) {
            double ms = timer.medianMs(() -> k.adamwUpdate(p.at(0), m.at(0), v.at(0), g.at(0), N, 1e-4f, 0.9f, 0.95f,
                    1e-8f, 0.5f, 0.3f, 0.99999f));
            rows.add(new BenchRow("optim_adamw", shape, ms, 13.0 * N, 28.0 * N, Precision.FP32));
            ms = timer.medianMs(() -> k.sgdSaiUpdate(p.at(0), m.at(0), g.at(0), N, 1e-4f, 0.9f, 0.1f, 0.99999f,
                    false));
            rows.add(new BenchRow("optim_sgd_sai", shape, ms, 5.0 * N, 20.0 * N, Precision.FP32));
            ms = timer.medianMs(() -> k.gsnr(g.at(0), N, 1e-8));
            rows.add(new BenchRow("optim_moments[gsnr, 2 passes]", shape, ms, 6.0 * N, 8.0 * N, Precision.FP32));
        }
        return rows;
    }
}
