package dev.chimera.genomics.cli;

import dev.chimera.genomics.NucleotideTokenizer.OnInvalid;
import dev.chimera.runtime.DeviceOption;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.ThreadsOption;
import dev.chimera.runtime.UserException;
import dev.chimera.runtime.WindowedPrefill;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options {@code dna score} and {@code dna embed} share: model, input, output, spans, threads, resume. */
final class BatchOptions {
    /** Positions a full-span attention layer holds by default: HybriDNA's longest context, 131,072. */
    static final int DEFAULT_MAX_LENGTH = 131_072;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A DNA language model: a run directory (its latest checkpoint) or a step directory.")
    Path model;

    @Option(names = "--fasta", required = true, paramLabel = "FILE",
            description = "Records to process: FASTA or FASTQ, plain, gzip or bgzip.")
    Path fasta;

    @Option(names = "--span", paramLabel = "SPAN", defaultValue = "context", converter = SpanConverter.class,
            description = {"Attention spans at inference (default: ${DEFAULT-VALUE}). context: a layer trained with a "
                    + "full span over windows of T positions attends to the last T (window:T), windowed layers keep "
                    + "theirs, so memory does not grow with the record; trained: as trained, a full-span layer "
                    + "attends to the whole record (up to --max-length positions); full or window:W: every "
                    + "attention layer."})
    InferenceSpan span;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "" + DEFAULT_MAX_LENGTH,
            description = "Positions a full-span attention layer holds (only with --span trained or full; its KV "
                    + "cache takes about 2 * kvHeads * headDim * 4 bytes per position) (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--chunk", paramLabel = "N", defaultValue = "" + WindowedPrefill.DEFAULT_WINDOW,
            description = "Positions fed to the model per step; a record is read in chunks of N carrying the model's "
                    + "state, so memory for activations is bounded (default: ${DEFAULT-VALUE}).")
    int chunk;

    @Mixin
    ThreadsOption threads;

    @Mixin
    DeviceOption device;

    @Option(names = "--resume",
            description = "Continue an interrupted run from its journal (OUT.journal): completed records are kept, "
                    + "the rest are computed. The model, input and options must be the same.")
    boolean resume;

    @Option(names = "--on-invalid", paramLabel = "error|mask|skip", defaultValue = "error",
            converter = BaselineCommand.OnInvalidConverter.class,
            description = "A character that is not a base, N, U or IUPAC code: fail (error), read it as N (mask), "
                    + "or drop it (skip) (default: ${DEFAULT-VALUE}).")
    OnInvalid onInvalid;

    @Mixin
    JsonOption json;

    void validate(CommandLine cl) {
        threads.count();
        device.selected();
        if (chunk < 1) {
            throw new CommandLine.ParameterException(cl, "--chunk must be >= 1, got " + chunk);
        }
        if (maxLength < 1) {
            throw new CommandLine.ParameterException(cl, "--max-length must be >= 1, got " + maxLength);
        }
    }

    /** Parses --span; a bad value is a usage error (exit 2). */
    public static final class SpanConverter implements CommandLine.ITypeConverter<InferenceSpan> {
        @Override
        public InferenceSpan convert(String value) {
            try {
                return InferenceSpan.parse(value);
            } catch (UserException e) {
                throw new CommandLine.TypeConversionException("expected " + InferenceSpan.CHOICES + ", got '" + value
                        + "'");
            }
        }
    }
}
