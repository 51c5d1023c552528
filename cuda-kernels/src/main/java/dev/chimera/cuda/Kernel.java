package dev.chimera.cuda;

/** One loaded kernel of a {@link CudaDevice}, launched with arguments checked against its signature. */
public final class Kernel {
    private final CudaDevice device;
    private final KernelSignature signature;
    private final Object function;

    Kernel(CudaDevice device, KernelSignature signature, Object function) {
        this.device = device;
        this.signature = signature;
        this.function = function;
    }

    /**
     * Launches the kernel (asynchronous on a GPU: results are ready after the next download or
     * {@link CudaDevice#synchronize}). Arguments: {@link DevicePointer} or {@link DeviceBuffer} (its
     * start), {@link Integer}, {@link Float}, in the signature's order.
     */
    public void launch(LaunchGeometry g, Object... args) {
        signature.check(args);
        Object[] resolved = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof DevicePointer p) {
                resolved[i] = p.address();
            } else if (a instanceof DeviceBuffer b) {
                resolved[i] = b.address(0);
            } else {
                resolved[i] = a;
            }
        }
        device.driver().launch(function, g, resolved);
    }
}
