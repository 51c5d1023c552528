package dev.chimera.runtime;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.kernel.ComputePool;
import picocli.CommandLine.Option;

/**
 * The {@code --device} option of every command that computes: which compute backend runs the model,
 * by the device names of {@link Backends} ({@code cpu}, {@code cpu-scalar}, and whatever backend
 * modules on the class path add, such as {@code gpu}). An unknown name is a {@link UserException} naming
 * the choices; a known device that cannot be used on this machine (no GPU, no driver) falls back to the
 * CPU with one line on stderr saying why, so a job written for a GPU machine still runs elsewhere.
 */
public final class DeviceOption {
    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
            description = "Compute backend: cpu (Vector API), cpu-scalar (the reference), or a device a backend "
                    + "module adds: gpu (falls back to the CPU, saying why, where it cannot be used) "
                    + "(default: ${DEFAULT-VALUE}).")
    String device;

    /** The device's name as given, e.g. {@code cpu}: what a job hands to the JVMs that make their own backends. */
    public String name() {
        return device;
    }

    /** Fails with a {@link UserException} unless the device is one this build has. */
    void check() {
        if (!Backends.devices().containsKey(device)) {
            throw new UserException("--device must be one of " + String.join(", ", Backends.devices().keySet())
                    + ", got '" + device + "'");
        }
    }

    /** The backend of the chosen device over {@code pool}, or the CPU's where that device cannot be used here. */
    public Backend backend(ComputePool pool) {
        check();
        try {
            return Backends.forDevice(device, pool);
        } catch (IllegalStateException e) {
            System.err.println("chimera: --device " + device + ": " + e.getMessage() + "; running on the CPU");
            return Backends.cpu(pool);
        }
    }
}
