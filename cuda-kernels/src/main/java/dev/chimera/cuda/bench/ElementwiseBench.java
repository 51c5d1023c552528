package dev.chimera.cuda.bench;

import dev.chimera.core.kernel.Activation;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuInfo.Precision;
import dev.chimera.cuda.kernels.ElementwiseKernels;
import java.util.ArrayList;
import java.util.List;

/** The elementwise family on 64M floats: memory-bound kernels, so their roofline is the bandwidth. */
public final class ElementwiseBench implements KernelBench {
    private static final int N = 64 << 20;

    @Override
    public String family() {
        return "elementwise";
    }

    @Override
    public List<BenchRow> run(CudaDevice device, KernelTimer timer) {
        ElementwiseKernels k = new ElementwiseKernels(device);
        List<BenchRow> rows = new ArrayList<>();
        String shape = "n=" + N;
        try (DeviceBuffer a = device.allocate(N); DeviceBuffer b = device.allocate(N);
             DeviceBuffer out = device.allocate(N)) {
            a.fill(0.5f);
            b.fill(-1.5f);
            double ms = timer.medianMs(() -> k.add(out.at(0), a.at(0), b.at(0), N));
            rows.add(new BenchRow("elementwise_add", shape, ms, N, 12.0 * N, Precision.FP32));
            ms = timer.medianMs(() -> k.activation(Activation.SILU, out.at(0), a.at(0), N));
            rows.add(new BenchRow("elementwise_activation[silu]", shape, ms, 4.0 * N, 8.0 * N, Precision.FP32));
            ms = timer.medianMs(() -> k.sumOfSquares(a.at(0), N));
            rows.add(new BenchRow("elementwise_sum_of_squares", shape, ms, 2.0 * N, 4.0 * N, Precision.FP32));
        }
        return rows;
    }
}
