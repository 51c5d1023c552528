package dev.chimera.streaming.flink;

import dev.chimera.streaming.consumer.Emit;
import java.io.PrintWriter;
import java.time.Duration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The forecast job's command line; a bad option is an {@link IllegalArgumentException} with one line saying why. */
@Command(name = "forecast-job", sortOptions = false,
        description = "Forecasts each series of an observation file as an Apache Flink job: series keyed by id, "
                + "their state in Flink keyed state, exactly-once through checkpoints.")
public final class JobOptions {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A model trained by 'ts train', at this path here and on every TaskManager.")
    String model;

    @Option(names = "--in", required = true, paramLabel = "FILE",
            description = "Observations: a CSV file series,timestamp,value[,value...] with a header, on any file "
                    + "system Flink reads (a path, file://, hdfs://, s3://).")
    String in;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Where forecasts/ and dead-letters/ go, as JSON lines.")
    String out;

    @Option(names = "--emit", paramLabel = "segment|every", defaultValue = "segment",
            description = "Forecast when an observation completes a model segment, or after every one "
                    + "(default: ${DEFAULT-VALUE}).")
    String emit;

    @Option(names = "--horizon", paramLabel = "H", defaultValue = "96",
            description = "Points per channel in each forecast (default: ${DEFAULT-VALUE}).")
    int horizon;

    @Option(names = "--quantiles", split = ",", paramLabel = "Q", defaultValue = "0.1,0.5,0.9",
            description = "Quantile levels (Fourier-head models; default: ${DEFAULT-VALUE}).")
    double[] quantiles;

    @Option(names = "--on-missing", paramLabel = "error|hold", defaultValue = "error",
            description = "A missing value makes its line a dead letter, or takes the channel's last value "
                    + "(default: ${DEFAULT-VALUE}).")
    String onMissing;

    @Option(names = "--max-lateness", paramLabel = "SECONDS", defaultValue = "0",
            description = "An observation at most this far behind its series is skipped; further behind it is "
                    + "a dead letter (default: ${DEFAULT-VALUE}).")
    long maxLateness;

    @Option(names = "--max-gap", paramLabel = "STEPS", defaultValue = "6",
            description = "Missing steps filled by interpolation; a longer gap restarts the series "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxGap;

    @Option(names = "--parallelism", paramLabel = "N",
            description = "Parallel forecasting tasks (default: the cluster's default parallelism).")
    Integer parallelism;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION", defaultValue = "10 s",
            description = "Time between checkpoints, e.g. 10 s or 500 ms; output is committed at each "
                    + "(default: ${DEFAULT-VALUE}).")
    String checkpointInterval;

    /** The options of {@code args}, or null when they asked for help (printed to {@code help}). */
    public static JobOptions parse(String[] args, PrintWriter help) {
        JobOptions options = new JobOptions();
        CommandLine command = new CommandLine(options);
        try {
            command.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (command.isUsageHelpRequested()) {
            command.usage(help);
            help.flush();
            return null;
        }
        options.settings();
        options.checkpointInterval();
        options.parallelism();
        return options;
    }

    /** What every forecasting task gets. */
    public ForecastSettings settings() {
        boolean hold = switch (onMissing) {
            case "hold" -> true;
            case "error" -> false;
            default -> throw new IllegalArgumentException("--on-missing " + onMissing + ": expected error or hold");
        };
        return new ForecastSettings(model, Emit.parse(emit), horizon, quantiles, hold, maxLateness, maxGap);
    }

    public Path input() {
        return new Path(in);
    }

    public Path output() {
        return new Path(out);
    }

    /** The parallelism asked for, or 0 for the cluster's default. */
    public int parallelism() {
        if (parallelism != null && parallelism < 1) {
            throw new IllegalArgumentException("--parallelism " + parallelism + ": expected at least 1");
        }
        return parallelism == null ? 0 : parallelism;
    }

    public Duration checkpointInterval() {
        Duration d;
        try {
            d = TimeUtils.parseDuration(checkpointInterval);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--checkpoint-interval " + checkpointInterval
                    + ": expected a duration such as 10 s or 500 ms", e);
        }
        if (d.toMillis() < 10) {
            throw new IllegalArgumentException("--checkpoint-interval " + checkpointInterval
                    + ": expected at least 10 ms (Flink's minimum)");
        }
        return d;
    }
}
