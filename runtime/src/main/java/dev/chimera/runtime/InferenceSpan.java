package dev.chimera.runtime;

import dev.chimera.core.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The attention spans a model runs with at inference ({@code --span}), which decide how long
 * a record can be and how much memory it takes:
 *
 * <ul>
 *   <li>{@code context} (the default): a layer trained with a full span over windows of T
 *       positions attends to at most the last T positions (window:T), which is all it ever saw in
 *       training; a windowed layer keeps its window. Every layer then holds a bounded ring, so a
 *       record of any length (a whole chromosome) is scored in bounded memory.
 *   <li>{@code trained}: the spans as trained; a full-span layer attends to the whole record and
 *       its KV cache grows with it, up to the decoder's capacity ({@code --max-length}).
 *   <li>{@code full} or {@code window:W}: every attention layer gets that span.
 * </ul>
 *
 * <p>Every span a command takes as text, this option's or a benchmark's {@code full|window:W}, is
 * parsed here with {@link ModelConfig.Span#parse}, so commands and configs agree on what a span is.
 */
public final class InferenceSpan {
    /** The spans the flag accepts, for help texts and messages. */
    public static final String CHOICES = "context|trained|full|window:W";

    private final String text;

    private InferenceSpan(String text) {
        this.text = text;
    }

    /** Parses {@code context}, {@code trained}, {@code full} or {@code window:W} (W >= 1), in any case. */
    public static InferenceSpan parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("context") || t.equals("trained")) {
            return new InferenceSpan(t);
        }
        try {
            ModelConfig.Span.parse(t, "--span");
            return new InferenceSpan(t);
        } catch (IllegalArgumentException e) {
            throw new UserException("--span must be " + CHOICES + " (W >= 1), got '" + text + "'");
        }
    }

    /**
     * One attention span as a command's {@code option} gives it, {@code full} or {@code window:W},
     * parsed as {@link ModelConfig} parses its own; anything else is a {@link UserException}.
     */
    public static ModelConfig.Span span(String option, String text) {
        try {
            return ModelConfig.Span.parse(text, option);
        } catch (IllegalArgumentException e) {
            throw new UserException(option + " must be full or window:W (W >= 1), got '" + text + "'");
        }
    }

    /** The config with every attention layer's span replaced by {@code span}. */
    public static ModelConfig withSpan(ModelConfig c, ModelConfig.Span span) {
        return withSpans(c, List.of(span.toString()));
    }

    /** The config with {@code spans} as its attention spans: one for every layer, or one per attention layer. */
    private static ModelConfig withSpans(ModelConfig c, List<String> spans) {
        return c.toBuilder().attnSpans(spans).build();
    }

    @Override
    public String toString() {
        return text;
    }

    /** The config of {@code trained} with each attention layer's span chosen as described, for a model trained on windows of {@code context} positions. */
    public ModelConfig apply(ModelConfig trained, int context) {
        if (text.equals("trained")) {
            return trained;
        }
        List<ModelConfig.Span> spans = trained.spans();
        if (spans.isEmpty()) {
            return trained;
        }
        List<String> out = new ArrayList<>();
        for (ModelConfig.Span s : spans) {
            if (text.equals("context")) {
                if (context < 1) {
                    throw new UserException("--span context needs the model's training context, which is "
                            + context);
                }
                out.add(s.full() ? "window:" + context : s.toString());
            } else {
                out.add(text);
            }
        }
        return withSpans(trained, out);
    }

    /** Whether a config has an attention layer with a full span (whose KV cache grows with the record). */
    public static boolean hasFullSpan(ModelConfig config) {
        for (ModelConfig.Span s : config.spans()) {
            if (s.full()) {
                return true;
            }
        }
        return false;
    }

    /** The spans of a config as text, e.g. {@code [window:4096]} or {@code [full, window:512]}. */
    public static String describe(ModelConfig config) {
        return config.spans().toString();
    }
}
