package dev.chimera.cuda;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * One GPU as this module uses it: kernels loaded on first use (each family once, from the image
 * {@link KernelImages} picks for its compute capability) and the {@link DeviceBuffer}s allocated on
 * it, all freed by {@link #close}. Open it only where {@link Gpu#available()} is true. Calls may come
 * from any thread. Launches are asynchronous; downloads and {@link #synchronize} wait. (The tests also
 * run these kernels on a CPU emulator of the same interface: {@link DeviceDriver}.)
 */
public final class CudaDevice implements AutoCloseable {
    private final DeviceDriver driver;
    private final Set<DeviceBuffer> buffers = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    CudaDevice(DeviceDriver driver) {
        this.driver = driver;
    }

    /** The first GPU; {@link IllegalStateException} with {@link Gpu#reason()} where there is none. */
    public static CudaDevice open() {
        GpuInfo probed = Gpu.info();
        if (probed == null) {
            throw new IllegalStateException("no GPU: " + Gpu.reason());
        }
        return new CudaDevice(new JCudaDeviceDriver(probed));
    }

    public GpuInfo info() {
        return driver.info();
    }

    /** A kernel of {@code family}, loading the family's image on first use. */
    public synchronized Kernel kernel(KernelFamily family, KernelSignature signature) {
        requireOpen();
        return new Kernel(this, signature, driver.function(family, signature.name()));
    }

    /** {@code elements} 4-byte elements of device memory, zero-filled. */
    public synchronized DeviceBuffer allocate(long elements) {
        requireOpen();
        if (elements < 1) {
            throw new IllegalArgumentException("cannot allocate " + elements + " elements");
        }
        DeviceBuffer b = new DeviceBuffer(this, driver.allocate(elements * Float.BYTES), elements);
        buffers.add(b);
        return b;
    }

    /** A new buffer holding {@code values}. */
    public DeviceBuffer upload(float[] values) {
        DeviceBuffer b = allocate(Math.max(1, values.length));
        b.upload(values, values.length, 0);
        return b;
    }

    /** A new buffer holding the ints {@code values}. */
    public DeviceBuffer upload(int[] values) {
        DeviceBuffer b = allocate(Math.max(1, values.length));
        b.upload(values, values.length, 0);
        return b;
    }

    /** Waits for every launch so far (and reports the first error any of them met). */
    public void synchronize() {
        requireOpen();
        driver.synchronize();
    }

    DeviceDriver driver() {
        requireOpen();
        return driver;
    }

    synchronized void free(DeviceBuffer buffer, long address) {
        if (buffers.remove(buffer) && !closed) {
            driver.free(address);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("CUDA device used after close");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (DeviceBuffer b : buffers.toArray(new DeviceBuffer[0])) {
            b.close();
        }
        driver.close();
        closed = true;
    }
}
