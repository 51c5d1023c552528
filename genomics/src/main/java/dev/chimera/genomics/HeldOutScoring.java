package dev.chimera.genomics;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.UserException;
import dev.chimera.runtime.WindowedPrefill;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * How {@code dna pretrain} and {@code dna baseline --model} score a model on the held-out part
 * ({@code --held-out-scoring}): {@link #CARRY} reads each held-out region as one stream, the state
 * carried across chunks after T - 1 bases of context ({@link CarriedHeldOutScore}, as {@code dna score}
 * reads a record); {@link #WINDOWS} cuts it into windows of T that each restart from BOS
 * ({@link HeldOutScore}, every base seeing 0 to T - 1 bases of context).
 */
public enum HeldOutScoring {
    CARRY("carry"),
    WINDOWS("windows");

    /** The choices, for help texts. */
    public static final String CHOICES = "carry|windows";

    private final String label;

    HeldOutScoring(String label) {
        this.label = label;
    }

    /** {@code carry} or {@code windows}, in any case; anything else is a {@link UserException}. */
    public static HeldOutScoring parse(String text) {
        for (HeldOutScoring s : values()) {
            if (s.label.equalsIgnoreCase(text == null ? "" : text.trim())) {
                return s;
            }
        }
        throw new UserException("--held-out-scoring must be " + CHOICES + ", got '" + text + "'");
    }

    public String label() {
        return label;
    }

    /**
     * What the scoring did, for reports: e.g. "... read after the 1023 bases before it"; a tagged model
     * reads BOS and the tag first, so one base of context fewer ({@link CarriedHeldOutScore}).
     */
    public String describe(int context, boolean tagged) {
        return this == CARRY
                ? String.format(Locale.ROOT, "the state carried across each held-out region, read after the %d bases "
                        + "before it%s", tagged ? context - 2 : context - 1, tagged ? " (after BOS and its tag)" : "")
                : String.format(Locale.ROOT, "windows of %d, each restarting from BOS", context);
    }

    /**
     * Bits per base of {@code model} (trained on windows of {@code context}) on the held-out part of
     * {@code data}; {@link #WINDOWS} runs {@code rows} windows per forward pass.
     */
    public HeldOutScore.Result score(Decoder model, int context, int rows, TrainEvalSplit data, Backend backend,
                                     LongConsumer progress) {
        if (this == WINDOWS) {
            return new HeldOutScore(model, context, rows).heldOut(data, progress);
        }
        return new CarriedHeldOutScore(boundedSpans(model, context, backend), context, WindowedPrefill.DEFAULT_WINDOW)
                .heldOut(data, progress);
    }

    /** The model's weights in a decoder whose full-span attention layers attend to the last T positions (--span context). */
    private static Decoder boundedSpans(Decoder model, int context, Backend backend) {
        ModelConfig bounded = InferenceSpan.parse("context").apply(model.config(), context);
        Decoder d = new Decoder(bounded, Math.max(context, WindowedPrefill.DEFAULT_WINDOW), backend);
        float[] from = model.parameters().values();
        System.arraycopy(from, 0, d.parameters().values(), 0, from.length);
        return d;
    }
}
