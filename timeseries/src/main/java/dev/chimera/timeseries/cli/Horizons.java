package dev.chimera.timeseries.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Checks of a {@code --horizons} list. */
final class Horizons {
    private Horizons() {
    }

    static void check(int[] horizons, CommandSpec spec) {
        if (horizons == null || horizons.length == 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--horizons needs at least one value");
        }
        for (int i = 0; i < horizons.length; i++) {
            if (horizons[i] < 1 || (i > 0 && horizons[i] <= horizons[i - 1])) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--horizons must be positive and increasing, got " + java.util.Arrays.toString(horizons));
            }
        }
    }
}
