package dev.chimera.streaming.cli;

import dev.chimera.streaming.consumer.ConsumerSettings;
import dev.chimera.streaming.consumer.Emit;
import java.util.Arrays;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The options that shape what a stream consumer does with each observation, shared by
 * {@code stream run} and the Flink job: when to forecast, how far, which quantiles, and the
 * policies for missing, late and gapped data.
 */
public final class ConsumerOptions {
    @Option(names = "--emit", defaultValue = "segment", paramLabel = "segment|every",
            description = "Forecast when an observation completes a segment of the model (default) or after every "
                    + "observation.")
    String emit;

    @Option(names = "--horizon", paramLabel = "H", description = "Points per forecast (default: the model's segment).")
    Integer horizon;

    @Option(names = "--quantiles", split = ",", paramLabel = "Q", defaultValue = "0.1,0.5,0.9",
            description = "Quantile levels of a Fourier-head model's forecasts (default: ${DEFAULT-VALUE}); a point "
                    + "model writes none.")
    double[] quantiles;

    @Option(names = "--on-missing", defaultValue = "error", paramLabel = "error|hold",
            description = "A NaN value: a dead letter (error, default) or the channel's last value (hold).")
    String onMissing;

    @Option(names = "--max-lateness", defaultValue = "0", paramLabel = "SECONDS",
            description = "An observation at most this far behind its series' last one is late but allowed: counted "
                    + "and skipped; further behind it is a dead letter (default: ${DEFAULT-VALUE}).")
    long maxLateness;

    @Option(names = "--max-gap", defaultValue = "6", paramLabel = "STEPS",
            description = "Missing steps up to this many are filled by linear interpolation; a longer gap restarts the "
                    + "series, which then needs a new lookback (default: ${DEFAULT-VALUE}).")
    int maxGap;

    /** {@code --horizon}, or null when the model's segment is to be used. */
    public Integer horizon() {
        return horizon;
    }

    /**
     * The settings, with {@code segment} (the model's) as the horizon unless {@code --horizon} says
     * otherwise, accepting only {@code knownSeries} when that is not null.
     *
     * @throws IllegalArgumentException naming the option that is wrong and what it takes
     */
    public ConsumerSettings settings(int segment, Set<String> knownSeries) {
        if (!onMissing.equals("error") && !onMissing.equals("hold")) {
            throw new IllegalArgumentException("--on-missing " + onMissing + ": expected error or hold");
        }
        double[] levels = quantiles.clone();
        Arrays.sort(levels);
        return new ConsumerSettings(Emit.parse(emit), horizon == null ? segment : horizon, levels,
                onMissing.equals("hold"), maxLateness, maxGap, knownSeries);
    }
}
