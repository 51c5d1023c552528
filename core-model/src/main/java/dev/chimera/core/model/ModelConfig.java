package dev.chimera.core.model;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a hybrid decoder (REFERENCE §2-§4, DESIGN "The core"): width, layer pattern,
 * mixer and MLP sizes, input adapter and head. Immutable, built by name ({@link #builder()}, or
 * JSON with the same field names), validated when built (each message names the offending field
 * and why), and round-trips through JSON.
 *
 * <p>{@code mixerPattern} is a string over {@code M} (Mamba2) and {@code A} (attention) repeated
 * to {@code nLayers}: HybriDNA's 7:1 is {@code MMMMMMMA}. {@code attnSpans} gives the span of
 * each attention layer in order ({@code full} or {@code window:W}, MASFormer-style); a single
 * entry applies to all of them (default {@code full}). {@code input} and {@code head} name
 * registered components ({@link Components}) with their own settings, e.g.
 * {@code "head": {"kind": "softmax", "vocabSize": 9, "tied": true}}.
 */
@JsonDeserialize(builder = ModelConfig.Builder.class)
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"dModel", "nLayers", "mixerPattern", "mlp", "mlpHidden", "attnHeads", "kvHeads", "ropeBase",
        "attnSpans", "dState", "headdim", "expand", "ngroups", "dConv", "chunkSize", "input", "head"})
public final class ModelConfig {

    public enum MlpKind {
        @JsonProperty("swiglu") SWIGLU,
        @JsonProperty("relu") RELU
    }

    /** The span of one attention layer: {@code window == 0} means full causal span. */
    public record Span(int window) {
        public boolean full() {
            return window == 0;
        }

        /** {@code full} or {@code window:W} with W >= 1; {@code field} names the setting in the error. */
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

    private final int dModel;
    private final int nLayers;
    private final String mixerPattern;
    private final MlpKind mlp;
    private final int mlpHidden;
    private final int attnHeads;
    private final int kvHeads;
    private final double ropeBase;
    private final List<String> attnSpans;
    private final int dState;
    private final int headdim;
    private final int expand;
    private final int ngroups;
    private final int dConv;
    private final int chunkSize;
    private final ComponentSpec input;
    private final ComponentSpec head;

    private ModelConfig(Builder b) {
        this.dModel = required("dModel", b.dModel);
        this.nLayers = required("nLayers", b.nLayers);
        this.mixerPattern = b.mixerPattern;
        this.mlp = b.mlp;
        this.mlpHidden = required("mlpHidden", b.mlpHidden);
        this.attnHeads = required("attnHeads", b.attnHeads);
        this.kvHeads = required("kvHeads", b.kvHeads);
        this.ropeBase = b.ropeBase == null ? missing("ropeBase") : b.ropeBase;
        this.attnSpans = b.attnSpans == null ? List.of("full") : List.copyOf(b.attnSpans);
        this.dState = required("dState", b.dState);
        this.headdim = required("headdim", b.headdim);
        this.expand = required("expand", b.expand);
        this.ngroups = required("ngroups", b.ngroups);
        this.dConv = required("dConv", b.dConv);
        this.chunkSize = required("chunkSize", b.chunkSize);
        if (b.input == null) {
            throw invalid("input", "missing (e.g. {\"kind\": \"tokens\", \"vocabSize\": 9})");
        }
        if (b.head == null) {
            throw invalid("head", "missing (e.g. {\"kind\": \"softmax\", \"vocabSize\": 9})");
        }
        this.input = b.input.as("input");
        this.head = b.head.as("head");
        validate();
    }

    private static int required(String field, Integer value) {
        if (value == null) {
            missing(field);
        }
        return value;
    }

    private static double missing(String field) {
        throw invalid(field, "missing");
    }

    /** A builder with nothing set; {@link #toBuilder()} starts from an existing config. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values, to change some of them. */
    public Builder toBuilder() {
        return new Builder().dModel(dModel).nLayers(nLayers).mixerPattern(mixerPattern).mlp(mlp).mlpHidden(mlpHidden)
                .attnHeads(attnHeads).kvHeads(kvHeads).ropeBase(ropeBase).attnSpans(attnSpans).dState(dState)
                .headdim(headdim).expand(expand).ngroups(ngroups).dConv(dConv).chunkSize(chunkSize).input(input)
                .head(head);
    }

    /** Sets a config's fields by name; {@link #build()} validates them. Also how JSON is read. */
    @JsonPOJOBuilder(withPrefix = "")
    @JsonIgnoreProperties(ignoreUnknown = false)
    public static final class Builder {
        private Integer dModel;
        private Integer nLayers;
        private String mixerPattern;
        private MlpKind mlp;
        private Integer mlpHidden;
        private Integer attnHeads;
        private Integer kvHeads;
        private Double ropeBase;
        private List<String> attnSpans;
        private Integer dState;
        private Integer headdim;
        private Integer expand;
        private Integer ngroups;
        private Integer dConv;
        private Integer chunkSize;
        private ComponentSpec input;
        private ComponentSpec head;

        public Builder dModel(int v) {
            dModel = v;
            return this;
        }

        public Builder nLayers(int v) {
            nLayers = v;
            return this;
        }

        public Builder mixerPattern(String v) {
            mixerPattern = v;
            return this;
        }

        public Builder mlp(MlpKind v) {
            mlp = v;
            return this;
        }

        public Builder mlpHidden(int v) {
            mlpHidden = v;
            return this;
        }

        public Builder attnHeads(int v) {
            attnHeads = v;
            return this;
        }

        public Builder kvHeads(int v) {
            kvHeads = v;
            return this;
        }

        public Builder ropeBase(double v) {
            ropeBase = v;
            return this;
        }

        public Builder attnSpans(List<String> v) {
            attnSpans = v;
            return this;
        }

        public Builder dState(int v) {
            dState = v;
            return this;
        }

        public Builder headdim(int v) {
            headdim = v;
            return this;
        }

        public Builder expand(int v) {
            expand = v;
            return this;
        }

        public Builder ngroups(int v) {
            ngroups = v;
            return this;
        }

        public Builder dConv(int v) {
            dConv = v;
            return this;
        }

        public Builder chunkSize(int v) {
            chunkSize = v;
            return this;
        }

        public Builder input(ComponentSpec v) {
            input = v;
            return this;
        }

        public Builder head(ComponentSpec v) {
            head = v;
            return this;
        }

        public ModelConfig build() {
            return new ModelConfig(this);
        }
    }

    public int dModel() {
        return dModel;
    }

    public int nLayers() {
        return nLayers;
    }

    public String mixerPattern() {
        return mixerPattern;
    }

    public MlpKind mlp() {
        return mlp;
    }

    public int mlpHidden() {
        return mlpHidden;
    }

    public int attnHeads() {
        return attnHeads;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public double ropeBase() {
        return ropeBase;
    }

    public List<String> attnSpans() {
        return attnSpans;
    }

    public int dState() {
        return dState;
    }

    public int headdim() {
        return headdim;
    }

    public int expand() {
        return expand;
    }

    public int ngroups() {
        return ngroups;
    }

    public int dConv() {
        return dConv;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** The input adapter: a registered kind and its settings. */
    public ComponentSpec input() {
        return input;
    }

    /** The head: a registered kind and its settings. */
    public ComponentSpec head() {
        return head;
    }

    private void validate() {
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
        Components.input(input).validate(input);
        Components.head(head).validate(head, input);
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
    public String layerMixers() {
        return expandPattern(mixerPattern, nLayers);
    }

    /** True if layer {@code layer} is an attention layer. */
    public boolean isAttention(int layer) {
        return mixerPattern.charAt(layer % mixerPattern.length()) == 'A';
    }

    /** The span of every attention layer, in layer order. */
    public List<Span> spans() {
        int count = (int) layerMixers().chars().filter(c -> c == 'A').count();
        List<Span> spans = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String text = attnSpans.size() == 1 ? attnSpans.get(0) : attnSpans.get(i);
            spans.add(Span.parse(text, "attnSpans[" + i + "]"));
        }
        return spans;
    }

    /**
     * For a language model over tokens (a {@code tokens} input and a {@code softmax} head): the
     * smaller of its input and output vocabularies, the token ids it can both read and predict;
     * 0 for any other model.
     */
    public int tokenVocab() {
        if (!input.kind().equals("tokens") || !head.kind().equals("softmax")) {
            return 0;
        }
        return Math.min(input.integer("vocabSize", 1), head.integer("vocabSize", 1));
    }

    /** expand * dModel: the Mamba2 inner width. */
    public int dInner() {
        return expand * dModel;
    }

    /** Mamba2 heads: dInner / headdim. */
    public int mambaHeads() {
        return dInner() / headdim;
    }

    /** Channels through the Mamba2 causal conv: x, B and C. */
    public int convDim() {
        return dInner() + 2 * ngroups * dState;
    }

    /** Width of each attention head. */
    public int attnHeadDim() {
        return dModel / attnHeads;
    }

    // ------------------------------------------------------------ presets and JSON

    /** A model small enough for gradient checks: both mixer kinds, two layers. */
    public static ModelConfig tiny() {
        return builder().dModel(16).nLayers(2).mixerPattern("MA").mlp(MlpKind.SWIGLU).mlpHidden(24).attnHeads(2)
                .kvHeads(1).ropeBase(10_000).attnSpans(List.of("full")).dState(4).headdim(8).expand(2).ngroups(1)
                .dConv(4).chunkSize(4).input(CoreComponents.tokens(8)).head(CoreComponents.softmax(8, false)).build();
    }

    /** The 'small' preset: dModel 256, 8 layers MMMMMMMA, dState 64, headdim 64, 4 heads / 2 KV heads, SwiGLU 512. */
    public static ModelConfig small() {
        return builder().dModel(256).nLayers(8).mixerPattern("MMMMMMMA").mlp(MlpKind.SWIGLU).mlpHidden(512)
                .attnHeads(4).kvHeads(2).ropeBase(10_000).attnSpans(List.of("full")).dState(64).headdim(64).expand(2)
                .ngroups(1).dConv(4).chunkSize(256).input(CoreComponents.tokens(16))
                .head(CoreComponents.softmax(16, true)).build();
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

    /**
     * Equal when the JSON trees are: the same fields and values, whatever order a component's
     * settings were given in (a spec built from a {@code Map.of} iterates in no fixed order).
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof ModelConfig && JSON.valueToTree(this).equals(JSON.valueToTree(o));
    }

    @Override
    public int hashCode() {
        return JSON.valueToTree(this).hashCode();
    }

    @Override
    public String toString() {
        return "ModelConfig" + toJson().replaceAll("\\s+", " ");
    }

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
