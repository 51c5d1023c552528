package dev.chimera.cuda.bench;

import dev.chimera.cuda.CudaDevice;
import java.util.List;

/**
 * One kernel family's part of {@code chimera bench gpu}: it allocates its operands (seeded), times its
 * kernels on the shapes that matter to the model with {@link KernelTimer}, and returns one row per
 * kernel and shape; {@link GpuBench} adds the roofline fraction from the GPU's peaks.
 */
public interface KernelBench {

    /** The family's name in the output, e.g. {@code gemm}. */
    String family();

    /** Rows measured on {@code device}; every buffer allocated is freed before returning. */
    List<BenchRow> run(CudaDevice device, KernelTimer timer);
}
