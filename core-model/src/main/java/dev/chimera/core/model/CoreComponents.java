package dev.chimera.core.model;

import dev.chimera.core.layers.ContinuousAdapter;
import dev.chimera.core.layers.Embedding;
import dev.chimera.core.layers.FourierHead;
import dev.chimera.core.layers.Head;
import dev.chimera.core.layers.InputAdapter;
import dev.chimera.core.layers.RegressionHead;
import dev.chimera.core.layers.SoftmaxHead;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The input adapters and heads the core provides, registered under these names:
 * <ul>
 *   <li>input {@code tokens} ({@code vocabSize}): an embedding table ({@link Embedding});</li>
 *   <li>input {@code continuous} ({@code dim}, {@code adapter}: linear|mlp): a Linear or a
 *       Linear-SiLU-Linear from D values per position ({@link ContinuousAdapter});</li>
 *   <li>head {@code softmax} ({@code vocabSize}, {@code tied}): logits and cross-entropy, tied to
 *       the embedding table or with its own weight ({@link SoftmaxHead});</li>
 *   <li>head {@code fourier} ({@code bins}, {@code frequencies}, {@code outDim}): a smooth density over
 *       bins of [-1, 1] per predicted value ({@link FourierHead});</li>
 *   <li>head {@code regression} ({@code outDim}): values trained with mean squared error
 *       ({@link RegressionHead}).</li>
 * </ul>
 * The static methods build their specs for code that configures a model.
 */
public final class CoreComponents implements Components.Provider {

    /** Token ids in [0, vocabSize). */
    public static ComponentSpec tokens(int vocabSize) {
        return ComponentSpec.of("input", "tokens", settings("vocabSize", vocabSize));
    }

    /** Continuous vectors of {@code dim} values, brought in by a "linear" or "mlp" adapter. */
    public static ComponentSpec continuous(int dim, String adapter) {
        return ComponentSpec.of("input", "continuous", settings("dim", dim, "adapter", adapter));
    }

    /** A softmax over {@code vocabSize} tokens, tied to a token input's embedding or not. */
    public static ComponentSpec softmax(int vocabSize, boolean tied) {
        return ComponentSpec.of("head", "softmax", settings("vocabSize", vocabSize, "tied", tied));
    }

    /** A Fourier head over {@code bins} bins with {@code frequencies} frequencies, for each of {@code outDim} values. */
    public static ComponentSpec fourier(int bins, int frequencies, int outDim) {
        return ComponentSpec.of("head", "fourier",
                settings("bins", bins, "frequencies", frequencies, "outDim", outDim));
    }

    /** A regression of {@code outDim} values. */
    public static ComponentSpec regression(int outDim) {
        return ComponentSpec.of("head", "regression", settings("outDim", outDim));
    }

    /** Settings in the order given, so that a config is written the same way by every run (Map.of has no order). */
    private static Map<String, Object> settings(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Override
    public Iterable<Components.InputFactory> inputs() {
        return List.of(new TokensFactory(), new ContinuousFactory());
    }

    @Override
    public Iterable<Components.HeadFactory> heads() {
        return List.of(new SoftmaxFactory(), new FourierFactory(), new RegressionFactory());
    }

    private static final class TokensFactory implements Components.InputFactory {
        @Override
        public String kind() {
            return "tokens";
        }

        @Override
        public void validate(ComponentSpec spec) {
            spec.allowOnly(Set.of("vocabSize"));
            spec.integer("vocabSize", 1);
        }

        @Override
        public InputAdapter create(ComponentSpec spec, Components.Context c) {
            return new Embedding(c.parameters(), "embed", spec.integer("vocabSize", 1), c.dModel());
        }
    }

    private static final class ContinuousFactory implements Components.InputFactory {
        private static final Set<String> ADAPTERS = Set.of("linear", "mlp");

        @Override
        public String kind() {
            return "continuous";
        }

        @Override
        public void validate(ComponentSpec spec) {
            spec.allowOnly(Set.of("dim", "adapter"));
            spec.integer("dim", 1);
            if (!spec.has("adapter")) {
                throw spec.invalid("adapter", "must be 'linear' or 'mlp' for continuous input");
            }
            spec.choice("adapter", ADAPTERS, null);
        }

        @Override
        public InputAdapter create(ComponentSpec spec, Components.Context c) {
            boolean mlp = spec.choice("adapter", ADAPTERS, null).equals("mlp");
            return new ContinuousAdapter(c.parameters(), "adapter", mlp, spec.integer("dim", 1), c.dModel());
        }
    }

    private static final class SoftmaxFactory implements Components.HeadFactory {
        @Override
        public String kind() {
            return "softmax";
        }

        @Override
        public void validate(ComponentSpec spec, ComponentSpec input) {
            spec.allowOnly(Set.of("vocabSize", "tied"));
            int vocab = spec.integer("vocabSize", 1);
            if (spec.bool("tied", false) && !(input.kind().equals("tokens") && input.has("vocabSize")
                    && input.integer("vocabSize", 1) == vocab)) {
                throw spec.invalid("tied", "a tied softmax head needs token input with the same vocabSize ("
                        + input.settings().getOrDefault("vocabSize", "none") + " vs " + vocab + ")");
            }
        }

        @Override
        public Head create(ComponentSpec spec, Components.Context c) {
            int vocab = spec.integer("vocabSize", 1);
            return spec.bool("tied", false) ? SoftmaxHead.tied(vocab, (Embedding) c.input())
                    : new SoftmaxHead(c.parameters(), "head", c.dModel(), vocab);
        }

        @Override
        public double flopsPerToken(ComponentSpec spec, int dModel) {
            return 2.0 * dModel * spec.integer("vocabSize", 1);
        }
    }

    private static final class FourierFactory implements Components.HeadFactory {
        @Override
        public String kind() {
            return "fourier";
        }

        @Override
        public void validate(ComponentSpec spec, ComponentSpec input) {
            spec.allowOnly(Set.of("bins", "frequencies", "outDim"));
            spec.integer("bins", 2);
            spec.integer("frequencies", 1);
            spec.integer("outDim", 1);
        }

        @Override
        public Head create(ComponentSpec spec, Components.Context c) {
            return new FourierHead(c.parameters(), "head", c.dModel(), spec.integer("outDim", 1),
                    spec.integer("frequencies", 1), spec.integer("bins", 2), FourierHead.Settings.defaults(),
                    c.backend());
        }

        @Override
        public double flopsPerToken(ComponentSpec spec, int dModel) {
            return 2.0 * dModel * spec.integer("outDim", 1) * 2.0 * (spec.integer("frequencies", 1) + 1);
        }
    }

    private static final class RegressionFactory implements Components.HeadFactory {
        @Override
        public String kind() {
            return "regression";
        }

        @Override
        public void validate(ComponentSpec spec, ComponentSpec input) {
            spec.allowOnly(Set.of("outDim"));
            spec.integer("outDim", 1);
        }

        @Override
        public Head create(ComponentSpec spec, Components.Context c) {
            return new RegressionHead(c.parameters(), "head", c.dModel(), spec.integer("outDim", 1));
        }

        @Override
        public double flopsPerToken(ComponentSpec spec, int dModel) {
            return 2.0 * dModel * spec.integer("outDim", 1);
        }
    }
}
