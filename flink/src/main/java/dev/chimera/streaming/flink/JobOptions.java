package dev.chimera.streaming.flink;

import dev.chimera.streaming.cli.ConsumerOptions;
import dev.chimera.streaming.consumer.ConsumerSettings;

import dev.chimera.streaming.consumer.Emit;
import java.io.PrintWriter;
import java.time.Duration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    ConsumerOptions consumer;

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

    /** What every forecasting task gets; horizon 0 stands for the model's segment, which the tasks know. */
    public ForecastSettings settings() {
        ConsumerSettings c = consumer.settings(1, null); // checks every option; 1: the horizon is set just below
        int horizon = consumer.horizon() == null ? 0 : c.horizon();
        return new ForecastSettings(model, c.emit(), horizon, c.levels(), c.holdMissing(), c.maxLatenessSeconds(),
                c.maxGapSteps());
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
