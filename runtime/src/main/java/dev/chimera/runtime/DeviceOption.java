package dev.chimera.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The {@code --device} option of every command that computes: where the model runs. Only the CPU
 * exists today; the option is here so that a compute backend (the CUDA one of {@code cuda-kernels})
 * is chosen in one place, and commands already accept {@code --device cpu}. Any other value is a
 * {@link UserException} naming the choices, not a silent fallback to the CPU.
 */
public final class DeviceOption {
    /** The devices this build can compute on. */
    public enum Device {
        CPU;

        /** The option's spelling, e.g. {@code cpu}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
            description = "Where to compute; this build has: cpu (default: ${DEFAULT-VALUE}).")
    String device;

    /** The device asked for; one this build does not have is a {@link UserException}. */
    public Device selected() {
        List<String> choices = new ArrayList<>();
        for (Device d : Device.values()) {
            if (d.label().equals(device)) {
                return d;
            }
            choices.add(d.label());
        }
        throw new UserException("--device must be one of " + String.join(", ", choices) + ", got '" + device + "'");
    }
}
