package dev.chimera.runtime;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.kernel.ComputePool;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every batch run over records shares, whatever the domain: the spans and chunks of
 * long-sequence inference ({@link InferenceSpan}, {@link WindowedPrefill}), threads and device,
 * resuming ({@link BatchRun}) and JSON output. A domain's batch command adds its model and input.
 */
public final class BatchOptions {
    /** Positions a full-span attention layer holds by default: HybriDNA's longest context, 131,072. */
    public static final int DEFAULT_MAX_LENGTH = 131_072;

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
    ComputeOptions compute;

    @Option(names = "--resume",
            description = "Continue an interrupted run from its journal (OUT.journal): completed records are kept, "
                    + "the rest are computed. The model, input and options must be the same.")
    boolean resume;

    @Mixin
    JsonOption json;

    public InferenceSpan span() {
        return span;
    }

    public int maxLength() {
        return maxLength;
    }

    public int chunk() {
        return chunk;
    }

    public int threads() {
        return compute.threads();
    }

    /** The backend of {@code --device} over {@code pool}. */
    public Backend backend(ComputePool pool) {
        return compute.backend(pool);
    }

    public boolean resume() {
        return resume;
    }

    public boolean json() {
        return json.enabled();
    }

    /** Fails before any work on a value no run can take: a usage error (exit 2) or a {@link UserException}. */
    public void validate(CommandLine cl) {
        compute.threads();
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
