package dev.chimera.cuda;

/** What the probe learnt of the first GPU: its name, compute capability, memory and driver version. */
public record GpuInfo(String name, int major, int minor, long totalBytes, int driverVersion, int multiprocessors,
                      int clockKhz, int memoryClockKhz, int memoryBusBits) {

    /** The peak DRAM bandwidth in GB/s from the memory clock and bus width (double data rate). */
    public double peakBandwidthGbs() {
        return 2.0 * memoryClockKhz * 1e3 * (memoryBusBits / 8.0) / 1e9;
    }

    /** One line for logs: {@code NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB, driver 13.0, 132 SMs)}. */
    public String describe() {
        return String.format("%s (sm_%d%d, %.1f GiB, driver %d.%d, %d SMs)", name, major, minor,
                totalBytes / (1024.0 * 1024 * 1024), driverVersion / 1000, driverVersion % 1000 / 10, multiprocessors);
    }
}
