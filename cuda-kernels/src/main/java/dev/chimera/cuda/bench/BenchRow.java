package dev.chimera.cuda.bench;

import dev.chimera.cuda.GpuInfo;

/**
 * One measured kernel: its name, the shape in words ({@code 4096x4096x4096}), the median time of one
 * launch, and the floating-point operations and DRAM bytes one launch must do at least (the roofline's
 * inputs: the kernel is compute-bound where flops/peak exceeds bytes/bandwidth). {@code precision}
 * says which peak its flops count against.
 */
public record BenchRow(String kernel, String shape, double ms, double flops, double bytes,
                       GpuInfo.Precision precision) {

    public double tflops() {
        return flops / (ms * 1e-3) / 1e12;
    }

    public double gbs() {
        return bytes / (ms * 1e-3) / 1e9;
    }

    /**
     * The fraction of the roofline reached: the time the binding resource needs at its peak (compute or
     * bandwidth, whichever is longer) over the time measured.
     */
    public double rooflineFraction(GpuInfo gpu) {
        double computeS = flops / (gpu.peakTflops(precision) * 1e12);
        double memoryS = bytes / (gpu.peakBandwidthGbs() * 1e9);
        return Math.max(computeS, memoryS) / (ms * 1e-3);
    }
}
