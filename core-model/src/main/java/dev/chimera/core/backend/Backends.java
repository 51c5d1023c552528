package dev.chimera.core.backend;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.kernel.Simd;
import dev.chimera.core.kernel.VectorBackend;

/** The CPU backends by name, for the entry points (CLI commands, benchmarks) that choose one for a run. */
public final class Backends {
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
}
