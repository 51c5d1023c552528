package dev.chimera.cuda;

import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.JCudaDriver;

/** One loaded kernel of a {@link CudaDevice}, launched with arguments checked against its signature. */
public final class Kernel {
    private final CudaDevice device;
    private final KernelSignature signature;
    private final CUfunction function;

    Kernel(CudaDevice device, KernelSignature signature, CUfunction function) {
        this.device = device;
        this.signature = signature;
        this.function = function;
    }

    public KernelSignature signature() {
        return signature;
    }

    /**
     * Launches the kernel on the device's stream (asynchronous: results are ready after the next
     * download or {@link CudaDevice#synchronize}). Arguments: {@link DevicePointer} or
     * {@link DeviceBuffer} (its start), {@link Integer}, {@link Float}, in the signature's order.
     */
    public void launch(LaunchGeometry g, Object... args) {
        signature.check(args);
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof DevicePointer p) {
                params[i] = Pointer.to(p.address());
            } else if (a instanceof DeviceBuffer b) {
                params[i] = Pointer.to(b.address());
            } else if (a instanceof Integer v) {
                params[i] = Pointer.to(new int[] {v});
            } else {
                params[i] = Pointer.to(new float[] {(Float) a});
            }
        }
        device.makeCurrent();
        JCudaDriver.cuLaunchKernel(function, g.gridX(), g.gridY(), g.gridZ(), g.blockX(), g.blockY(), g.blockZ(),
                g.sharedBytes(), null, Pointer.to(params), null);
    }
}
