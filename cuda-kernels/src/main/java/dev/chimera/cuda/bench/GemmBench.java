package dev.chimera.cuda.bench;

import dev.chimera.core.kernel.GemmForm;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuInfo.Precision;
import dev.chimera.cuda.kernels.GemmKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The gemm family: the square 4096³ A·B in each precision, then a linear layer's three products on the
 * model's shapes (8,192 tokens, 512 -> 1,536 features) in fp32 and bf16: the forward Y = X·W (AB), the
 * input gradient dX = dY·Wᵀ (ABt) and the weight gradient dW = Xᵀ·dY (AtB). Operands are seeded uniform
 * [-1, 1); the minimum DRAM traffic of one launch is reading A and B and writing C once.
 */
public final class GemmBench implements KernelBench {
    private static final int SQUARE = 4096;
    private static final int TOKENS = 8192;
    private static final int IN = 512;
    private static final int OUT = 1536;

    @Override
    public String family() {
        return "gemm";
    }

    @Override
    public List<BenchRow> run(CudaDevice device, KernelTimer timer) {
        GemmKernels k = new GemmKernels(device);
        List<BenchRow> rows = new ArrayList<>();
        for (Precision p : Precision.values()) {
            rows.add(time(device, timer, k, p, GemmForm.AB, SQUARE, SQUARE, SQUARE));
        }
        for (Precision p : new Precision[] {Precision.FP32, Precision.BF16}) {
            rows.add(time(device, timer, k, p, GemmForm.AB, TOKENS, OUT, IN));
            rows.add(time(device, timer, k, p, GemmForm.ABt, TOKENS, IN, OUT));
            rows.add(time(device, timer, k, p, GemmForm.AtB, IN, OUT, TOKENS));
        }
        return rows;
    }

    /** One row: C (m, n) = op(A)·op(B) with inner size k, overwriting C. */
    private static BenchRow time(CudaDevice device, KernelTimer timer, GemmKernels k, Precision p, GemmForm form,
                                 int m, int n, int kk) {
        long mk = (long) m * kk;
        long kn = (long) kk * n;
        long mn = (long) m * n;
        try (DeviceBuffer a = upload(device, 1, mk); DeviceBuffer b = upload(device, 2, kn);
             DeviceBuffer c = device.allocate(mn)) {
            double ms = timer.medianMs(() -> k.gemm(p, form, c.at(0), a.at(0), b.at(0), m, n, kk, 1, false));
            String name = GemmKernels.signature(p, form).name();
            String shape = String.format(Locale.ROOT, "%dx%dx%d (m x n x k)", m, n, kk);
            return new BenchRow(name, shape, ms, 2.0 * m * n * kk, 4.0 * (mk + kn + mn), p);
        }
    }

    private static DeviceBuffer upload(CudaDevice device, long seed, long elements) {
        return device.upload(Tensor.uniform(seed, -1f, 1f, Math.toIntExact(elements)).data());
    }
}
