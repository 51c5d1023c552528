package dev.chimera.cuda;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA driver API through JCuda: the first GPU's primary context, made current before every call
 * (so any thread may call), modules loaded from the image {@link KernelImages} picks for the GPU's
 * compute capability, launches on the default stream. An address is the index of its allocation in
 * the top 24 bits and a byte offset in the low 40, so offsets are plain additions on any driver.
 */
final class JCudaDeviceDriver implements DeviceDriver {
    private static final int OFFSET_BITS = 40;
    private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final GpuInfo info;
    private final Map<KernelFamily, CUmodule> modules = new EnumMap<>(KernelFamily.class);
    private final List<CUdeviceptr> allocations = new ArrayList<>();

    JCudaDeviceDriver(GpuInfo info) {
        this.info = info;
        JCudaDriver.cuDeviceGet(device, 0);
        JCudaDriver.cuDevicePrimaryCtxRetain(context, device);
        JCudaDriver.cuCtxSetCurrent(context);
        allocations.add(null); // index 0 is never an allocation: address 0 stays null
    }

    @Override
    public GpuInfo info() {
        return info;
    }

    @Override
    public synchronized long allocate(long bytes) {
        current();
        if (bytes > OFFSET_MASK) {
            throw new IllegalArgumentException(bytes + " bytes exceed one allocation's 2^40");
        }
        CUdeviceptr p = new CUdeviceptr();
        JCudaDriver.cuMemAlloc(p, bytes);
        JCudaDriver.cuMemsetD8(p, (byte) 0, bytes);
        allocations.add(p);
        return (long) (allocations.size() - 1) << OFFSET_BITS;
    }

    @Override
    public synchronized void free(long address) {
        current();
        int index = (int) (address >>> OFFSET_BITS);
        JCudaDriver.cuMemFree(allocations.get(index));
        allocations.set(index, null);
    }

    /** The driver's pointer for an address (what cuBLAS takes too). */
    synchronized CUdeviceptr pointer(long address) {
        CUdeviceptr base = allocations.get((int) (address >>> OFFSET_BITS));
        if (base == null) {
            throw new IllegalStateException("device address of a freed allocation");
        }
        return base.withByteOffset(address & OFFSET_MASK);
    }

    @Override
    public void upload(long address, float[] src, int n) {
        current();
        JCudaDriver.cuMemcpyHtoD(pointer(address), Pointer.to(src), (long) n * Float.BYTES);
    }

    @Override
    public void upload(long address, int[] src, int n) {
        current();
        JCudaDriver.cuMemcpyHtoD(pointer(address), Pointer.to(src), (long) n * Integer.BYTES);
    }

    @Override
    public void download(float[] dst, int n, long address) {
        current();
        JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), pointer(address), (long) n * Float.BYTES);
    }

    @Override
    public void downloadDoubles(double[] dst, int n, long address) {
        current();
        JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), pointer(address), (long) n * Double.BYTES);
    }

    @Override
    public void memset32(long address, int bits, long count) {
        current();
        JCudaDriver.cuMemsetD32(pointer(address), bits, count);
    }

    @Override
    public synchronized Object function(KernelFamily family, String name) {
        CUmodule module = modules.computeIfAbsent(family, f -> {
            current();
            CUmodule m = new CUmodule();
            JCudaDriver.cuModuleLoadData(m, KernelImages.read(KernelImages.resourceFor(f, info.major(), info.minor())));
            return m;
        });
        CUfunction function = new CUfunction();
        JCudaDriver.cuModuleGetFunction(function, module, name);
        return function;
    }

    @Override
    public void launch(Object function, LaunchGeometry g, Object[] args) {
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Long address) {
                params[i] = Pointer.to(pointer(address));
            } else if (a instanceof Integer v) {
                params[i] = Pointer.to(new int[] {v});
            } else {
                params[i] = Pointer.to(new float[] {(Float) a});
            }
        }
        current();
        JCudaDriver.cuLaunchKernel((CUfunction) function, g.gridX(), g.gridY(), g.gridZ(), g.blockX(), g.blockY(),
                g.blockZ(), g.sharedBytes(), null, Pointer.to(params), null);
    }

    @Override
    public void synchronize() {
        current();
        JCudaDriver.cuCtxSynchronize();
    }

    @Override
    public synchronized void close() {
        current();
        for (CUmodule m : modules.values()) {
            JCudaDriver.cuModuleUnload(m);
        }
        modules.clear();
        JCudaDriver.cuDevicePrimaryCtxRelease(device);
    }

    void current() {
        JCudaDriver.cuCtxSetCurrent(context);
    }
}
