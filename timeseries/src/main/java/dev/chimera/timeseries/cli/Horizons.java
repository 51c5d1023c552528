package dev.chimera.timeseries.cli;

import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The {@code --horizons} option of {@code ts eval} and {@code ts baseline}: positive and increasing. */
public final class Horizons {
    @Option(names = "--horizons", split = ",", paramLabel = "H", defaultValue = "96,192,336,720",
            description = "Horizons (default: ${DEFAULT-VALUE}).")
    int[] values;

    /** The horizons, checked; a bad list is a usage error of the command. */
    int[] checked(CommandSpec spec) {
        if (values == null || values.length == 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--horizons needs at least one value");
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 1 || (i > 0 && values[i] <= values[i - 1])) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--horizons must be positive and increasing, got " + Arrays.toString(values));
            }
        }
        return values.clone();
    }
}
