package dev.chimera.cuda;

import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.Map;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * One GPU as this module uses it: its primary context, the kernel families loaded into it (each
 * once, from the image {@link KernelImages} picks for its compute capability), and the
 * {@link DeviceBuffer}s allocated on it, all freed by {@link #close}. Open it only where
 * {@link Gpu#available()} is true. Calls may come from any thread: each makes the context current
 * first. Launches are asynchronous on the default stream; downloads and {@link #synchronize} wait.
 */
public final class CudaDevice implements AutoCloseable {
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final GpuInfo info;
    private final Map<KernelFamily, CUmodule> modules = new EnumMap<>(KernelFamily.class);
    private final Map<DeviceBuffer, CUdeviceptr> buffers = new IdentityHashMap<>();
    private boolean closed;

    private CudaDevice(int ordinal) {
        GpuInfo probed = Gpu.info();
        if (probed == null) {
            throw new IllegalStateException("no GPU: " + Gpu.reason());
        }
        JCudaDriver.cuDeviceGet(device, ordinal);
        JCudaDriver.cuDevicePrimaryCtxRetain(context, device);
        JCudaDriver.cuCtxSetCurrent(context);
        this.info = probed;
    }

    /** The first GPU; {@link IllegalStateException} with {@link Gpu#reason()} where there is none. */
    public static CudaDevice open() {
        return new CudaDevice(0);
    }

    public GpuInfo info() {
        return info;
    }

    /** A kernel of {@code family}, loading the family's image on first use. */
    public synchronized Kernel kernel(KernelFamily family, KernelSignature signature) {
        CUmodule module = modules.computeIfAbsent(family, f -> {
            makeCurrent();
            CUmodule m = new CUmodule();
            JCudaDriver.cuModuleLoadData(m, KernelImages.read(KernelImages.resourceFor(f, info.major(), info.minor())));
            return m;
        });
        CUfunction function = new CUfunction();
        JCudaDriver.cuModuleGetFunction(function, module, signature.name());
        return new Kernel(this, signature, function);
    }

    /** {@code elements} 4-byte elements of device memory, zero-filled. */
    public synchronized DeviceBuffer allocate(long elements) {
        if (elements < 1) {
            throw new IllegalArgumentException("cannot allocate " + elements + " elements");
        }
        makeCurrent();
        CUdeviceptr p = new CUdeviceptr();
        JCudaDriver.cuMemAlloc(p, elements * Float.BYTES);
        JCudaDriver.cuMemsetD32(p, 0, elements);
        DeviceBuffer b = new DeviceBuffer(this, p, elements);
        buffers.put(b, p);
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
        makeCurrent();
        JCudaDriver.cuCtxSynchronize();
    }

    synchronized void free(DeviceBuffer buffer, CUdeviceptr address) {
        if (buffers.remove(buffer) != null && !closed) {
            makeCurrent();
            JCudaDriver.cuMemFree(address);
        }
    }

    void makeCurrent() {
        if (closed) {
            throw new IllegalStateException("CUDA device used after close");
        }
        JCudaDriver.cuCtxSetCurrent(context);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        makeCurrent();
        for (CUdeviceptr p : buffers.values()) {
            JCudaDriver.cuMemFree(p);
        }
        buffers.clear();
        for (CUmodule m : modules.values()) {
            JCudaDriver.cuModuleUnload(m);
        }
        modules.clear();
        JCudaDriver.cuDevicePrimaryCtxRelease(device);
        closed = true;
    }
}
