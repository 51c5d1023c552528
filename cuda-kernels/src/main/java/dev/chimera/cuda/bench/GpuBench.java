package dev.chimera.cuda.bench;

import dev.chimera.cuda.CublasPeer;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuInfo.Precision;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every kernel family's benchmark in one run on one GPU, and cuBLAS's SGEMM at 4096³ as the peer GEMM
 * where it loads (PyTorch's matmul and scaled_dot_product_attention are measured on the same shapes by
 * {@code cuda-kernels/src/test/python/torch_peers.py}, run beside it by the device script).
 */
public final class GpuBench {
    /** The side of the square peer GEMM (the 4096³ target). */
    public static final int PEER_GEMM = 4096;

    private GpuBench() {
    }

    /** The families, in the order they run. */
    public static List<KernelBench> families() {
        return List.of(new ElementwiseBench(), new GemmBench(), new RowBench(), new OptimBench(), new SsdBench(),
                new ConvBench(), new AttentionBench(), new FourierBench(), new BsplineBench());
    }

    /**
     * Runs the families whose names are in {@code only} (all when empty), handing each row to
     * {@code sink} as it is measured, then the cuBLAS peer; a family that fails is reported through
     * {@code notes} and the run goes on.
     */
    public static void run(CudaDevice device, double seconds, List<String> only, Consumer<BenchRow> sink,
                           Consumer<String> notes) {
        KernelTimer timer = new KernelTimer(device, seconds);
        for (KernelBench b : families()) {
            if (!only.isEmpty() && !only.contains(b.family())) {
                continue;
            }
            try {
                b.run(device, timer).forEach(sink);
            } catch (RuntimeException e) {
                notes.accept(b.family() + " failed: " + e);
            }
        }
        if (only.isEmpty() || only.contains("cublas")) {
            try (CublasPeer cublas = CublasPeer.open(device)) {
                sink.accept(cublasSgemm(device, cublas, timer));
            } catch (IllegalStateException e) {
                notes.accept("peer: " + e.getMessage());
            }
        }
    }

    private static BenchRow cublasSgemm(CudaDevice device, CublasPeer cublas, KernelTimer timer) {
        int n = PEER_GEMM;
        long nn = (long) n * n;
        try (DeviceBuffer a = device.allocate(nn); DeviceBuffer b = device.allocate(nn);
             DeviceBuffer c = device.allocate(nn)) {
            a.fill(0.25f);
            b.fill(0.5f);
            double ms = timer.medianMs(() -> cublas.sgemm(c, a, b, n, n, n));
            return new BenchRow("cublas_sgemm (peer)", n + "x" + n + "x" + n, ms, 2.0 * nn * n, 12.0 * nn,
                    Precision.FP32);
        }
    }
}
