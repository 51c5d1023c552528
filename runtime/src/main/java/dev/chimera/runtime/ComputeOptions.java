package dev.chimera.runtime;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.kernel.ComputePool;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of every command that computes: {@code --threads}, the size of its compute pool, and
 * {@code --device} ({@link DeviceOption}). {@link #threads} checks both, so a command that takes its
 * thread count has also refused a device this build does not have.
 */
public final class ComputeOptions {
    @Option(names = "--threads", paramLabel = "T", description = "Compute threads (default: all cores).")
    Integer threads;

    @Mixin
    DeviceOption device;

    /** {@code --threads}, or all cores when it is omitted; below 1, or an unknown device, is a {@link UserException}. */
    public int threads() {
        return threads(Runtime.getRuntime().availableProcessors());
    }

    /** {@code --threads}, or {@code whenOmitted}; checked as {@link #threads()} is. */
    public int threads(int whenOmitted) {
        int t = threads == null ? whenOmitted : threads;
        if (t < 1) {
            throw new UserException("--threads must be >= 1, got " + t);
        }
        device.check();
        return t;
    }

    /** The backend of {@code --device} over {@code pool} (made with {@link #threads()} threads). */
    public Backend backend(ComputePool pool) {
        return device.backend(pool);
    }
}
