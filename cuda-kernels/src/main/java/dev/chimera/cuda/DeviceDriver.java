package dev.chimera.cuda;

/**
 * What a {@link CudaDevice} needs from the machinery under it: the CUDA driver through JCuda
 * ({@link JCudaDeviceDriver}) or, in the tests, the CPU emulator that runs the same kernels. Device
 * addresses are longs whose meaning is the driver's own; a {@link DevicePointer} adds byte offsets.
 */
interface DeviceDriver {

    /** The device this driver runs on. */
    GpuInfo info();

    /** The address of {@code bytes} new, zero-filled bytes of device memory. */
    long allocate(long bytes);

    void free(long address);

    void upload(long address, float[] src, int n);

    void upload(long address, int[] src, int n);

    void download(float[] dst, int n, long address);

    void downloadDoubles(double[] dst, int n, long address);

    /** {@code count} 4-byte words from {@code address} set to {@code bits}. */
    void memset32(long address, int bits, long count);

    /** The handle of kernel {@code name} of {@code family}, loading the family on first use. */
    Object function(KernelFamily family, String name);

    /** Launches a kernel: {@code args} are {@link Long} device addresses, {@link Integer}s and {@link Float}s. */
    void launch(Object function, LaunchGeometry g, Object[] args);

    /** Waits for every launch so far. */
    void synchronize();

    /** Frees what the driver holds (modules, context); buffers were freed by the device. */
    void close();
}
