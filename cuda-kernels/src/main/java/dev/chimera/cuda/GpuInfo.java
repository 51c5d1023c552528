package dev.chimera.cuda;

/** What the probe learnt of the first GPU: its name, compute capability, memory and driver version. */
public record GpuInfo(String name, int major, int minor, long totalBytes, int driverVersion, int multiprocessors,
                      int clockKhz, int memoryClockKhz, int memoryBusBits) {

    /** The peak DRAM bandwidth in GB/s from the memory clock and bus width (double data rate). */
    public double peakBandwidthGbs() {
        return 2.0 * memoryClockKhz * 1e3 * (memoryBusBits / 8.0) / 1e9;
    }

    /** The arithmetic a peak is quoted for. */
    public enum Precision {
        /** fp32 on the CUDA cores (FMA counted as two operations). */
        FP32,
        /** tf32 in, fp32 accumulate, on the tensor cores (dense). */
        TF32,
        /** bf16 in, fp32 accumulate, on the tensor cores (dense). */
        BF16
    }

    /**
     * The dense peak in TFLOP/s at the GPU's maximum clock: SMs x clock x operations per clock per SM,
     * 128 fp32 / 1,024 tf32 / 2,048 bf16 on compute capability 8.x and 256 / 2,048 / 4,096 on 9.x and
     * later (A100: 19.5 / 156 / 312; H100 SXM: 67 / 495 / 989).
     */
    public double peakTflops(Precision p) {
        int perClock = switch (p) {
            case FP32 -> 128;
            case TF32 -> 1024;
            case BF16 -> 2048;
        };
        if (major >= 9) {
            perClock *= 2;
        }
        return (double) multiprocessors * clockKhz * 1e3 * perClock / 1e12;
    }

    /** One line for logs: {@code NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB, driver 13.0, 132 SMs)}. */
    public String describe() {
        return String.format("%s (sm_%d%d, %.1f GiB, driver %d.%d, %d SMs)", name, major, minor,
                totalBytes / (1024.0 * 1024 * 1024), driverVersion / 1000, driverVersion % 1000 / 10, multiprocessors);
    }
}
