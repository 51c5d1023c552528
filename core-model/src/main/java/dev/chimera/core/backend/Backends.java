package dev.chimera.core.backend;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.kernel.Simd;
import dev.chimera.core.kernel.VectorBackend;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The backends by device name, for the entry points (a CLI's {@code --device}, a benchmark) that
 * choose one for a run. The core provides {@code cpu} (the Vector API backend, or the scalar
 * reference under {@code -Dchimera.kernels=scalar}) and {@code cpu-scalar}; a module adds a device
 * (the CUDA backend's {@code cuda}) by listing a {@link Provider} in
 * {@code META-INF/services/dev.chimera.core.backend.Backends$Provider}.
 */
public final class Backends {

    /** Makes the backend of one device. */
    public interface Provider {
        /** The device name users pass, e.g. {@code cuda}. */
        String device();

        /**
         * A backend whose host-side work (and, for the CPU, all of it) runs on {@code pool}; a device
         * that cannot be used here (no driver, no GPU) throws {@link IllegalStateException} with a
         * one-line reason.
         */
        Backend create(ComputePool pool);
    }

    private Backends() {
    }

    /**
     * The CPU backend a run gets by default: the Vector API one over {@code pool}, or the scalar
     * reference when the JVM was started with {@code -Dchimera.kernels=scalar} (for comparing
     * speed or hunting a suspected kernel bug).
     */
    public static Backend cpu(ComputePool pool) {
        return Simd.vectorEnabled() ? new VectorBackend(pool) : new ScalarBackend();
    }

    /** The backend of a named device; an unknown name fails listing the devices there are. */
    public static Backend forDevice(String device, ComputePool pool) {
        Map<String, Provider> devices = devices();
        Provider p = devices.get(device);
        if (p == null) {
            throw new IllegalArgumentException("unknown device '" + device + "' (devices: "
                    + String.join(", ", devices.keySet()) + ")");
        }
        return p.create(pool);
    }

    /** Every device name with its provider: the core's and those found on the class path. */
    public static Map<String, Provider> devices() {
        Map<String, Provider> devices = new TreeMap<>();
        devices.put("cpu", provider("cpu", Backends::cpu));
        devices.put("cpu-scalar", provider("cpu-scalar", pool -> new ScalarBackend()));
        for (Provider p : ServiceLoader.load(Provider.class)) {
            devices.putIfAbsent(p.device(), p);
        }
        return devices;
    }

    private static Provider provider(String name, java.util.function.Function<ComputePool, Backend> make) {
        return new Provider() {
            @Override
            public String device() {
                return name;
            }

            @Override
            public Backend create(ComputePool pool) {
                return make.apply(pool);
            }
        };
    }
}
