package dev.chimera.cuda;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.kernel.ComputePool;

/**
 * The {@code gpu} device of {@code --device}, found by {@link Backends} through
 * {@code META-INF/services}. Its backend is the one that keeps a whole model on the GPU; until that
 * backend is built, and wherever {@link Gpu#available()} is false, {@link #create} refuses with a
 * one-line reason and the command runs on the CPU (see {@code DeviceOption}).
 */
public final class GpuDevice implements Backends.Provider {

    @Override
    public String device() {
        return "gpu";
    }

    @Override
    public Backend create(ComputePool pool) {
        if (!Gpu.available()) {
            throw new IllegalStateException("no GPU: " + Gpu.reason());
        }
        throw new IllegalStateException(Gpu.info().describe() + " is there, but the backend that keeps the model on"
                + " the GPU is not built yet (cuda-kernels has the kernels: chimera bench gpu)");
    }
}
