package dev.chimera.spark;

import dev.chimera.genomics.NucleotideTokenizer.OnInvalid;
import dev.chimera.genomics.cli.BaselineCommand;
import dev.chimera.runtime.BatchOptions;
import dev.chimera.runtime.DeviceOption;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.WindowedPrefill;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options both jobs share. Those of {@code dna score} and {@code dna embed} keep their names,
 * parsers and defaults ({@code --span}, {@code --max-length}, {@code --chunk}, {@code --on-invalid},
 * {@code --device}, {@code --json}); {@code --threads} is per task and defaults to
 * {@code spark.task.cpus}, the cores Spark counts a task as using.
 */
final class JobOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A DNA language model: a run directory (its latest checkpoint) or a step directory, at "
                    + "this path on the driver and on every executor.")
    Path model;

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "FILE",
            description = "Records to process: FASTA or FASTQ, plain, gzip or bgzip; one or more files, at these paths "
                    + "on the driver and on every executor.")
    List<Path> inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "A new or empty folder for the part files (part-NNNNN.parquet), or an earlier run's with "
                    + "--resume.")
    Path out;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions to cut the records into, of about equal work; a record is never split "
                    + "(default: 4 x spark.default.parallelism; on --resume, the earlier run's).")
    Integer partitions;

    @Option(names = "--on-invalid", paramLabel = "error|mask|skip", defaultValue = "error",
            converter = BaselineCommand.OnInvalidConverter.class,
            description = "A character that is not a base, N, U or IUPAC code: fail (error), read it as N (mask), "
                    + "or drop it (skip) (default: ${DEFAULT-VALUE}).")
    OnInvalid onInvalid;

    @Option(names = "--span", paramLabel = "SPAN", defaultValue = "context",
            converter = BatchOptions.SpanConverter.class,
            description = "Attention spans at inference, as in dna score: context, trained, full or window:W "
                    + "(default: ${DEFAULT-VALUE}).")
    InferenceSpan span;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "" + BatchOptions.DEFAULT_MAX_LENGTH,
            description = "Positions a full-span attention layer holds (--span trained or full) "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--chunk", paramLabel = "N", defaultValue = "" + WindowedPrefill.DEFAULT_WINDOW,
            description = "Positions fed to the model per step (default: ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--threads", paramLabel = "T",
            description = "Compute threads of each task (default: spark.task.cpus, which is 1 unless set).")
    Integer threads;

    @Mixin
    DeviceOption device;

    @Option(names = "--resume",
            description = "Continue a run whose driver stopped: the parts already written are kept, the rest are "
                    + "computed. The model, inputs and options must be the same.")
    boolean resume;

    @Mixin
    JsonOption json;

    /** Fails before any work on a value no run can take: a usage error (exit 2). */
    void validate(CommandLine cl) {
        if (partitions != null && partitions < 1) {
            throw new CommandLine.ParameterException(cl, "--partitions must be >= 1, got " + partitions);
        }
        if (threads != null && threads < 1) {
            throw new CommandLine.ParameterException(cl, "--threads must be >= 1, got " + threads);
        }
        if (chunk < 1) {
            throw new CommandLine.ParameterException(cl, "--chunk must be >= 1, got " + chunk);
        }
        if (maxLength < 1) {
            throw new CommandLine.ParameterException(cl, "--max-length must be >= 1, got " + maxLength);
        }
        Set<Path> seen = new HashSet<>();
        for (Path p : inputs) {
            if (!seen.add(p.toAbsolutePath().normalize())) {
                throw new CommandLine.ParameterException(cl, "--input " + p + " is named twice");
            }
        }
    }
}
