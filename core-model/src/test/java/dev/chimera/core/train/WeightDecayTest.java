package dev.chimera.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig.MlpKind;
import dev.chimera.core.model.Parameters;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which tensors of a built decoder take weight decay. The rule (AdamW paper practice, Mamba2's
 * reference): every matrix decays (projections, embedding, conv weight, heads); nothing else
 * does (Mamba2's dt_bias, A_log and D, every norm scale, the conv bias, every linear bias).
 * The expected set comes from the names, by the naming rules of the layers, and is checked
 * against the shapes and against counts computed from the config, never against
 * {@link Parameters.Entry#decay()} itself; then both optimisers must honour it.
 */
class WeightDecayTest {
    private static final ComputePool POOL = new ComputePool(1);

    @AfterAll
    static void close() {
        POOL.close();
    }

    /** Continuous inputs through an MLP adapter, a Fourier head, ReLU MLPs, three attention layers (A M A A M). */
    private static ModelConfig continuousFourier() {
        return ModelConfig.builder().dModel(16).nLayers(5).mixerPattern("AMA").mlp(MlpKind.RELU).mlpHidden(24)
                .attnHeads(2).kvHeads(1).ropeBase(10_000).attnSpans(List.of("window:5", "full", "window:3")).dState(4)
                .headdim(8).expand(2).ngroups(1).dConv(4).chunkSize(4).input(CoreComponents.continuous(3, "mlp"))
                .head(CoreComponents.fourier(10, 4, 2)).build();
    }

    /** Continuous inputs through a linear adapter, a regression head, SwiGLU MLPs (M A A). */
    private static ModelConfig continuousRegression() {
        return ModelConfig.builder().dModel(16).nLayers(3).mixerPattern("MAA").mlp(MlpKind.SWIGLU).mlpHidden(24)
                .attnHeads(2).kvHeads(2).ropeBase(10_000).attnSpans(List.of("window:4", "full")).dState(4).headdim(8)
                .expand(2).ngroups(1).dConv(4).chunkSize(4).input(CoreComponents.continuous(2, "linear"))
                .head(CoreComponents.regression(3)).build();
    }

    /** Each config with its (no-decay, decay) tensor counts, worked out by hand from the layer list. */
    static Stream<Arguments> configs() {
        return Stream.of(
                // 2 layers x 2 block norms + 1 Mamba2 x (dt_bias, A_log, D, gated norm, conv bias) + final norm;
                // embedding + Mamba2 in/conv/out + attention q/k/v/o + 2 x SwiGLU w1/w2/w3 + untied head.
                Arguments.of("tiny", ModelConfig.tiny(), 10, 15),
                // 8 x 2 + 7 x 5 + 1; embedding + 7 x 3 + 1 x 4 + 8 x 3, the head tied to the embedding.
                Arguments.of("small", ModelConfig.small(), 52, 50),
                // 5 x 2 + 2 x 5 + 1 + adapter fc1/fc2 biases + head bias; fc1/fc2 + 2 x 3 + 3 x 4 + 5 x 2 ReLU + head.
                Arguments.of("continuous, Fourier head", continuousFourier(), 24, 31),
                // 3 x 2 + 1 x 5 + 1 + adapter bias + head bias; adapter + 1 x 3 + 2 x 4 + 3 x 3 + head.
                Arguments.of("continuous, regression head", continuousRegression(), 14, 22));
    }

    /**
     * No decay by name: Mamba2's per-head dt_bias, A_log and D, any bias, and the weight of a
     * norm (block norms norm1/norm2, Mamba2's gated norm, the final norm).
     */
    private static boolean exemptByName(String name) {
        String[] parts = name.split("\\.");
        String last = parts[parts.length - 1];
        String owner = parts.length > 1 ? parts[parts.length - 2] : "";
        return Set.of("dt_bias", "A_log", "D", "bias").contains(last)
                || last.equals("weight") && Set.of("norm", "norm1", "norm2", "final_norm").contains(owner);
    }

    private static Decoder build(ModelConfig c) {
        return new Decoder(c, 8, new VectorBackend(POOL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void exactlyTheMatricesDecay(String label, ModelConfig c, int exemptCount, int decayCount) {
        Parameters p = build(c).parameters();
        Set<String> expectedExempt = new TreeSet<>();
        Set<String> actualExempt = new TreeSet<>();
        for (Parameters.Entry e : p.entries()) {
            boolean exempt = exemptByName(e.name());
            // The name rule and the shape rule agree: the exempt tensors are vectors, the rest matrices.
            assertEquals(exempt ? 1 : 2, e.shape().length, e.name() + " has shape rank " + e.shape().length);
            if (exempt) {
                expectedExempt.add(e.name());
            }
            if (!e.decay()) {
                actualExempt.add(e.name());
            }
        }
        Set<String> decayedWrongly = new TreeSet<>(expectedExempt);
        decayedWrongly.removeAll(actualExempt);
        Set<String> exemptWrongly = new TreeSet<>(actualExempt);
        exemptWrongly.removeAll(expectedExempt);
        assertEquals(Set.of(), decayedWrongly, label + ": tensors that take weight decay but must not");
        assertEquals(Set.of(), exemptWrongly, label + ": tensors that take no weight decay but must");
        int layers = c.nLayers();
        int attention = 0;
        for (int l = 0; l < layers; l++) {
            attention += c.isAttention(l) ? 1 : 0;
        }
        int mamba = layers - attention;
        int inputBiases = c.input().kind().equals("tokens") ? 0
                : c.input().settings().get("adapter").equals("mlp") ? 2 : 1;
        int headBiases = c.head().kind().equals("softmax") ? 0 : 1;
        assertEquals(exemptCount, 2 * layers + 5 * mamba + 1 + inputBiases + headBiases,
                label + ": pinned count vs the count from the config");
        int inputMatrices = c.input().kind().equals("tokens") ? 1 : inputBiases;
        int headMatrices = c.head().kind().equals("softmax") && c.head().bool("tied", false) ? 0 : 1;
        int mlpMatrices = c.mlp() == MlpKind.SWIGLU ? 3 : 2;
        assertEquals(decayCount, inputMatrices + 3 * mamba + 4 * attention + mlpMatrices * layers + headMatrices,
                label + ": pinned count vs the count from the config");
        assertEquals(exemptCount, actualExempt.size(), label + ": tensors without decay");
        assertEquals(decayCount, p.entries().size() - actualExempt.size(), label + ": tensors with decay");
    }

    /**
     * One step with zero gradients, learning rate 0.1 and weight decay 0.5: the gradient part of
     * both updates is exactly zero, so an exempt tensor keeps its bits and every other value is
     * multiplied by exactly (float) (1 - 0.1 * 0.5), which is what both optimisers compute.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void optimisersDecayOnlyTheMatrices(String label, ModelConfig c, int exemptCount, int decayCount) {
        double lr = 0.1;
        double wd = 0.5;
        float keep = (float) (1 - lr * wd);
        for (String name : new String[] {"adamw", "sgd_sai"}) {
            Parameters p = build(c).parameters();
            SplittableRandom r = new SplittableRandom(17);
            float[] v = p.values();
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((0.5 + r.nextDouble()) * (r.nextBoolean() ? 1 : -1)); // nonzero, so decay shows
            }
            float[] before = v.clone();
            VectorBackend backend = new VectorBackend(POOL);
            Optimizer opt = name.equals("adamw") ? new AdamW(p, new AdamW.Settings(0.9, 0.95, 1e-8, wd), backend)
                    : new SgdSai(p, new SgdSai.Settings(0.9, 1e-8, wd), backend);
            opt.step(lr);
            int exempt = 0;
            int decayed = 0;
            for (Parameters.Entry e : p.entries()) {
                boolean unchanged = exemptByName(e.name());
                exempt += unchanged ? 1 : 0;
                decayed += unchanged ? 0 : 1;
                for (int i = e.offset(); i < e.offset() + e.size(); i++) {
                    float want = unchanged ? before[i] : before[i] * keep;
                    if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(v[i])) {
                        fail(label + ", " + name + ": " + e.name() + "[" + (i - e.offset()) + "] = " + v[i]
                                + ", want " + want + (unchanged ? " (no decay)" : " (decayed)") + ", was " + before[i]);
                    }
                }
            }
            assertEquals(exemptCount, exempt, label + ": tensors checked unchanged");
            assertEquals(decayCount, decayed, label + ": tensors checked decayed");
        }
    }
}
