package dev.chimera.core.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a hybrid decoder (REFERENCE §2-§4, DESIGN "The core"): width, layer pattern,
 * mixer and MLP sizes, input adapter and head. Immutable, validated on construction (each
 * message names the offending field and why), and round-trips through JSON.
 *
 * <p>{@code mixerPattern} is a string over {@code M} (Mamba2) and {@code A} (attention) repeated
 * to {@code nLayers}: HybriDNA's 7:1 is {@code MMMMMMMA}. {@code attnSpans} gives the span of
 * each attention layer in order ({@code full} or {@code window:W}, MASFormer-style); a single
 * entry applies to all of them.
 */
public record ModelConfig(
        int dModel,
        int nLayers,
        String mixerPattern,
        MlpKind mlp,
        int mlpHidden,
        int attnHeads,
        int kvHeads,
        double ropeBase,
        List<String> attnSpans,
        int dState,
        int headdim,
        int expand,
        int ngroups,
        int dConv,
        int chunkSize,
        Input input,
        Head head) {

    public enum MlpKind {
        @JsonProperty("swiglu") SWIGLU,
        @JsonProperty("relu") RELU
    }

    /** How inputs enter the model: token ids through an embedding, or continuous vectors through a Linear/MLP. */
    public record Input(InputKind kind, int vocabSize, int dim, AdapterKind adapter) {
        public static Input tokens(int vocabSize) {
            return new Input(InputKind.TOKENS, vocabSize, 0, null);
        }

        public static Input continuous(int dim, AdapterKind adapter) {
            return new Input(InputKind.CONTINUOUS, 0, dim, adapter);
        }
    }

    public enum InputKind {
        @JsonProperty("tokens") TOKENS,
        @JsonProperty("continuous") CONTINUOUS
    }

    public enum AdapterKind {
        @JsonProperty("linear") LINEAR,
        @JsonProperty("mlp") MLP
    }

    /**
     * What the model predicts at each position: a softmax over {@code vocabSize} tokens
     * (optionally tied to the input embedding), a Fourier head over {@code bins} bins with
     * {@code frequencies} frequencies for each of {@code outDim} values, or a regression of
     * {@code outDim} values.
     */
    public record Head(HeadKind kind, int vocabSize, boolean tied, int bins, int frequencies, int outDim) {
        public static Head softmax(int vocabSize, boolean tied) {
            return new Head(HeadKind.SOFTMAX, vocabSize, tied, 0, 0, 0);
        }

        public static Head fourier(int bins, int frequencies, int outDim) {
            return new Head(HeadKind.FOURIER, 0, false, bins, frequencies, outDim);
        }

        public static Head regression(int outDim) {
            return new Head(HeadKind.REGRESSION, 0, false, 0, 0, outDim);
        }
    }

    public enum HeadKind {
        @JsonProperty("softmax") SOFTMAX,
        @JsonProperty("fourier") FOURIER,
        @JsonProperty("regression") REGRESSION
    }

    /** The span of one attention layer: {@code window == 0} means full causal span. */
    public record Span(int window) {
        public boolean full() {
            return window == 0;
        }

        public static Span parse(String text, String field) {
            if ("full".equals(text)) {
                return new Span(0);
            }
            if (text != null && text.startsWith("window:")) {
                try {
                    int w = Integer.parseInt(text.substring("window:".length()));
                    if (w >= 1) {
                        return new Span(w);
                    }
                } catch (NumberFormatException e) {
                    // reported below with the field name
                }
            }
            throw invalid(field, "'" + text + "' is not 'full' or 'window:W' with W >= 1");
        }

        @Override
        public String toString() {
            return full() ? "full" : "window:" + window;
        }
    }

    public ModelConfig {
        attnSpans = attnSpans == null ? List.of("full") : List.copyOf(attnSpans);
        validate(dModel, nLayers, mixerPattern, mlp, mlpHidden, attnHeads, kvHeads, ropeBase, attnSpans, dState,
                headdim, expand, ngroups, dConv, chunkSize, input, head);
    }

    private static void validate(int dModel, int nLayers, String mixerPattern, MlpKind mlp, int mlpHidden,
                                 int attnHeads, int kvHeads, double ropeBase, List<String> attnSpans, int dState,
                                 int headdim, int expand, int ngroups, int dConv, int chunkSize, Input input,
                                 Head head) {
        positive("dModel", dModel);
        positive("nLayers", nLayers);
        if (mixerPattern == null || mixerPattern.isEmpty() || !mixerPattern.matches("[MA]+")) {
            throw invalid("mixerPattern", "'" + mixerPattern + "' must be a non-empty string over M and A");
        }
        if (mlp == null) {
            throw invalid("mlp", "must be 'swiglu' or 'relu'");
        }
        positive("mlpHidden", mlpHidden);
        String layers = expandPattern(mixerPattern, nLayers);
        long attention = layers.chars().filter(c -> c == 'A').count();
        if (attention > 0) {
            positive("attnHeads", attnHeads);
            positive("kvHeads", kvHeads);
            if (attnHeads % kvHeads != 0) {
                throw invalid("attnHeads", attnHeads + " is not divisible by kvHeads " + kvHeads);
            }
            if (dModel % attnHeads != 0) {
                throw invalid("dModel", dModel + " is not divisible by attnHeads " + attnHeads);
            }
            if ((dModel / attnHeads) % 2 != 0) {
                throw invalid("attnHeads", "head dimension dModel/attnHeads = " + dModel / attnHeads
                        + " must be even for rotary embeddings");
            }
            if (!(ropeBase > 1) || Double.isInfinite(ropeBase)) {
                throw invalid("ropeBase", ropeBase + " must be a finite number > 1");
            }
            if (attnSpans.size() != 1 && attnSpans.size() != attention) {
                throw invalid("attnSpans", attnSpans.size() + " entries for " + attention
                        + " attention layers (give one per attention layer, or one for all)");
            }
            for (int i = 0; i < attnSpans.size(); i++) {
                Span.parse(attnSpans.get(i), "attnSpans[" + i + "]");
            }
        }
        if (attention < nLayers) {
            positive("dState", dState);
            positive("headdim", headdim);
            positive("expand", expand);
            positive("ngroups", ngroups);
            positive("dConv", dConv);
            positive("chunkSize", chunkSize);
            long dInner = (long) dModel * expand;
            if (dInner % headdim != 0) {
                throw invalid("headdim", "dModel*expand = " + dInner + " is not divisible by headdim " + headdim);
            }
            if ((dInner / headdim) % ngroups != 0) {
                throw invalid("ngroups", "the " + dInner / headdim + " Mamba2 heads are not divisible by ngroups "
                        + ngroups);
            }
        }
        validateInput(input);
        validateHead(head, input);
    }

    private static void validateInput(Input input) {
        if (input == null || input.kind() == null) {
            throw invalid("input.kind", "must be 'tokens' or 'continuous'");
        }
        if (input.kind() == InputKind.TOKENS) {
            positive("input.vocabSize", input.vocabSize());
        } else {
            positive("input.dim", input.dim());
            if (input.adapter() == null) {
                throw invalid("input.adapter", "must be 'linear' or 'mlp' for continuous input");
            }
        }
    }

    private static void validateHead(Head head, Input input) {
        if (head == null || head.kind() == null) {
            throw invalid("head.kind", "must be 'softmax', 'fourier' or 'regression'");
        }
        switch (head.kind()) {
            case SOFTMAX:
                positive("head.vocabSize", head.vocabSize());
                if (head.tied() && (input.kind() != InputKind.TOKENS || input.vocabSize() != head.vocabSize())) {
                    throw invalid("head.tied", "a tied softmax head needs token input with the same vocabSize ("
                            + input.vocabSize() + " vs " + head.vocabSize() + ")");
                }
                break;
            case FOURIER:
                if (head.bins() < 2) {
                    throw invalid("head.bins", head.bins() + " must be >= 2");
                }
                positive("head.frequencies", head.frequencies());
                positive("head.outDim", head.outDim());
                break;
            case REGRESSION:
                positive("head.outDim", head.outDim());
                break;
            default:
                throw new AssertionError(head.kind());
        }
        if (head.kind() != HeadKind.SOFTMAX && head.tied()) {
            throw invalid("head.tied", "only a softmax head can be tied to the embedding");
        }
    }

    private static void positive(String field, long value) {
        if (value < 1) {
            throw invalid(field, value + " must be >= 1");
        }
    }

    private static IllegalArgumentException invalid(String field, String why) {
        return new IllegalArgumentException("model config: " + field + ": " + why);
    }

    private static String expandPattern(String pattern, int nLayers) {
        StringBuilder sb = new StringBuilder(nLayers);
        for (int i = 0; i < nLayers; i++) {
            sb.append(pattern.charAt(i % pattern.length()));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------ derived sizes

    /** The mixer of each layer, 'M' or 'A', the pattern repeated to nLayers. */
    @JsonIgnore
    public String layerMixers() {
        return expandPattern(mixerPattern, nLayers);
    }

    /** True if layer {@code layer} is an attention layer. */
    public boolean isAttention(int layer) {
        return mixerPattern.charAt(layer % mixerPattern.length()) == 'A';
    }

    /** The span of every attention layer, in layer order. */
    @JsonIgnore
    public List<Span> spans() {
        int count = (int) layerMixers().chars().filter(c -> c == 'A').count();
        List<Span> spans = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String text = attnSpans.size() == 1 ? attnSpans.get(0) : attnSpans.get(i);
            spans.add(Span.parse(text, "attnSpans[" + i + "]"));
        }
        return spans;
    }

    /** expand * dModel: the Mamba2 inner width. */
    @JsonIgnore
    public int dInner() {
        return expand * dModel;
    }

    /** Mamba2 heads: dInner / headdim. */
    @JsonIgnore
    public int mambaHeads() {
        return dInner() / headdim;
    }

    /** Channels through the Mamba2 causal conv: x, B and C. */
    @JsonIgnore
    public int convDim() {
        return dInner() + 2 * ngroups * dState;
    }

    /** Width of each attention head. */
    @JsonIgnore
    public int attnHeadDim() {
        return dModel / attnHeads;
    }

    // ------------------------------------------------------------ presets and JSON

    /** A model small enough for gradient checks: both mixer kinds, two layers. */
    public static ModelConfig tiny() {
        return new ModelConfig(16, 2, "MA", MlpKind.SWIGLU, 24, 2, 1, 10_000, List.of("full"),
                4, 8, 2, 1, 4, 4, Input.tokens(8), Head.softmax(8, false));
    }

    /** The 'small' preset: dModel 256, 8 layers MMMMMMMA, dState 64, headdim 64, 4 heads / 2 KV heads, SwiGLU 512. */
    public static ModelConfig small() {
        return new ModelConfig(256, 8, "MMMMMMMA", MlpKind.SWIGLU, 512, 4, 2, 10_000, List.of("full"),
                64, 64, 2, 1, 4, 256, Input.tokens(16), Head.softmax(16, true));
    }

    /** A named preset: {@code tiny} or {@code small}. */
    public static ModelConfig preset(String name) {
        switch (name) {
            case "tiny":
                return tiny();
            case "small":
                return small();
            default:
                throw new IllegalArgumentException("unknown model preset '" + name + "' (expected tiny or small)");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + this, e);
        }
    }

    /** Parses and validates a config; {@code source} names the file or stream in error messages. */
    public static ModelConfig fromJson(String json, String source) {
        try {
            return JSON.readValue(json, ModelConfig.class);
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause();
            String why = cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
            throw new IllegalArgumentException(source + ": " + why, e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static ModelConfig read(Path file) throws IOException {
        return fromJson(Files.readString(file), file.toString());
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, toJson());
    }
}
