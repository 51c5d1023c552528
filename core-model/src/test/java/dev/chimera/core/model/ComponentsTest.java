package dev.chimera.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chimera.core.backend.Allocator;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.decoder.ModelFlops;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.layers.Head;
import dev.chimera.core.layers.Linear;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.core.train.AdamW;
import dev.chimera.core.train.Batch;
import dev.chimera.core.train.DataSource;
import dev.chimera.core.train.TrainableDecoder;
import dev.chimera.core.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The component registry and component specs: the shipped model's config, errors that name the
 * field, JSON round trips of every core input and head, and a head written in this file and
 * registered with {@link Components#register}, as a domain module would add one, that a decoder
 * builds from a config naming it and the trainer trains.
 */
class ComponentsTest {
    /** From the core-model module directory, where surefire runs the tests. */
    private static final Path SHIPPED = Path.of("..", "models", "ecoli-hybrid", "model-config.json");

    private static final ComputePool POOL = new ComputePool(1);
    private static final Backend K = Backends.cpu(POOL);

    @TempDir
    Path dir;

    @BeforeAll
    static void registerTestHead() {
        Components.register(ScaledRegressionHead.PROVIDER);
    }

    @AfterAll
    static void close() {
        POOL.close();
    }

    private static ModelConfig.Builder tinyWith(ComponentSpec input, ComponentSpec head) {
        return ModelConfig.tiny().toBuilder().input(input).head(head);
    }

    private static String reject(String json) {
        return assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(json, "cfg.json")).getMessage();
    }

    // ------------------------------------------------------------------ the shipped model

    @Test
    void theShippedModelsConfigParsesToTheBuilderMadeConfig() throws IOException {
        if (!Files.isRegularFile(SHIPPED)) {
            fail("the shipped model's config " + SHIPPED.toAbsolutePath().normalize() + " is missing: this test reads"
                    + " models/ecoli-hybrid/model-config.json of the repository and runs from the core-model directory");
        }
        String text = Files.readString(SHIPPED);
        // The file still has the placeholders of configs written before the registry: they must load.
        assertTrue(text.contains("\"dim\": 0") && text.contains("\"adapter\": null") && text.contains("\"bins\": 0"),
                "the shipped config is the legacy layout this test is about: " + text);
        ModelConfig parsed = ModelConfig.read(SHIPPED);
        ModelConfig built = ModelConfig.builder().dModel(128).nLayers(4).mixerPattern("MMMA")
                .mlp(ModelConfig.MlpKind.SWIGLU).mlpHidden(256).attnHeads(4).kvHeads(2).ropeBase(10_000)
                .attnSpans(List.of("full")).dState(32).headdim(32).expand(2).ngroups(1).dConv(4).chunkSize(64)
                .input(CoreComponents.tokens(9)).head(CoreComponents.softmax(9, true)).build();
        assertEquals(built, parsed);
        assertEquals(built.hashCode(), parsed.hashCode());
        assertEquals(built.toJson(), parsed.toJson(), "written the same way: the placeholders are gone");
        assertEquals(Map.of("vocabSize", 9, "tied", true), parsed.head().settings());
        assertEquals(Map.of("vocabSize", 9), parsed.input().settings());
        // The README's parameter count of the shipped model, from the parsed config.
        assertEquals(772_872, new Decoder(parsed, 64, K).parameters().size());
    }

    // ------------------------------------------------------------------ errors name the field

    @Test
    void anUnknownKindNamesTheFieldAndTheRegisteredKinds() {
        String json = ModelConfig.tiny().toJson().replace("\"kind\" : \"softmax\"", "\"kind\" : \"quantile\"");
        String m = reject(json);
        assertTrue(m.startsWith("cfg.json: model config: head.kind: 'quantile' is not a registered head"), m);
        for (String kind : List.of("softmax", "fourier", "regression")) {
            assertTrue(m.contains(kind), m + " should list " + kind);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tinyWith(
                ComponentSpec.of("input", "pixels", Map.of()), CoreComponents.softmax(8, false)).build());
        assertTrue(e.getMessage().contains("input.kind: 'pixels' is not a registered input adapter")
                && e.getMessage().contains("continuous") && e.getMessage().contains("tokens"), e.getMessage());
    }

    @Test
    void aMisspeltSettingIsNamedNotDefaulted() {
        String json = ModelConfig.tiny().toJson().replaceFirst("\"vocabSize\" : 8\\s*}\\s*}\\s*$",
                "\"vocabSise\" : 8 } }");
        assertTrue(json.contains("vocabSise"), json);
        String m = reject(json);
        assertTrue(m.startsWith("cfg.json: model config: head.vocabSise: not a setting of a 'softmax' head"), m);
        assertTrue(m.contains("[tied, vocabSize]"), m);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tinyWith(
                CoreComponents.tokens(8), CoreComponents.fourier(20, 4, 1).with("frequency", 3)).build());
        assertTrue(e.getMessage().contains("head.frequency: not a setting of a 'fourier' head"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tinyWith(CoreComponents.continuous(3, "lstm"),
                CoreComponents.regression(1)).build());
        assertTrue(e.getMessage().contains("input.adapter: 'lstm' is not one of [linear, mlp]"), e.getMessage());
    }

    @Test
    void aTiedHeadNeedsATokenInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tinyWith(CoreComponents.continuous(3, "linear"), CoreComponents.softmax(8, true)).build());
        assertTrue(e.getMessage().startsWith("model config: head.tied: a tied softmax head needs token input"),
                e.getMessage());
        // The same config untied is fine.
        tinyWith(CoreComponents.continuous(3, "linear"), CoreComponents.softmax(8, false)).build();
    }

    // ------------------------------------------------------------------ JSON round trips

    @Test
    void everyCoreInputAndHeadRoundTripsThroughJson() throws IOException {
        List<ComponentSpec> inputs = List.of(CoreComponents.tokens(8), CoreComponents.continuous(3, "linear"),
                CoreComponents.continuous(3, "mlp"));
        List<ComponentSpec> heads = List.of(CoreComponents.softmax(8, false), CoreComponents.softmax(8, true),
                CoreComponents.fourier(20, 4, 2), CoreComponents.regression(3));
        int checked = 0;
        for (ComponentSpec input : inputs) {
            for (ComponentSpec head : heads) {
                if (head.bool("tied", false) && !input.kind().equals("tokens")) {
                    continue; // refused, as tested above
                }
                ModelConfig c = tinyWith(input, head).build();
                String what = input + " -> " + head;
                ModelConfig back = ModelConfig.fromJson(c.toJson(), "test");
                assertEquals(c, back, what);
                assertEquals(c.toJson(), back.toJson(), what + ": written the same way twice");
                Path file = dir.resolve("config-" + checked + ".json");
                c.write(file);
                assertEquals(c, ModelConfig.read(file), what + " through a file");
                // The same model from either: same parameters, same shapes, in the same order.
                Parameters a = new Decoder(c, 8, K).parameters();
                Parameters b = new Decoder(back, 8, K).parameters();
                assertEquals(a.size(), b.size(), what);
                assertEquals(names(a), names(b), what);
                checked++;
            }
        }
        assertEquals(10, checked);
    }

    @Test
    void configsCompareByValueWhateverTheOrderOfASpecsSettings() {
        java.util.LinkedHashMap<String, Object> reversed = new java.util.LinkedHashMap<>();
        reversed.put("outDim", 2);
        reversed.put("frequencies", 4);
        reversed.put("bins", 20);
        ModelConfig a = tinyWith(CoreComponents.tokens(8), CoreComponents.fourier(20, 4, 2)).build();
        ModelConfig b = tinyWith(CoreComponents.tokens(8), ComponentSpec.of("head", "fourier", reversed)).build();
        assertTrue(!a.toJson().equals(b.toJson()), "the settings are written in the order given");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        // A placeholder given in code reads as absent, as it does in a file: softmax(8, false) has no "tied".
        assertEquals(Map.of("vocabSize", 8), CoreComponents.softmax(8, false).settings());
        assertTrue(!a.equals(tinyWith(CoreComponents.tokens(8), CoreComponents.fourier(20, 4, 3)).build()));
    }

    private static List<String> names(Parameters p) {
        List<String> names = new ArrayList<>();
        for (Parameters.Entry e : p.entries()) {
            names.add(e.name() + java.util.Arrays.toString(e.shape()));
        }
        return names;
    }

    @Test
    void aNameIsRegisteredOnce() {
        Components.HeadFactory impostor = new ScaledRegressionHead.Factory() {
            @Override
            public String kind() {
                return "softmax";
            }
        };
        Components.Provider provider = new Components.Provider() {
            @Override
            public Iterable<Components.InputFactory> inputs() {
                return List.of();
            }

            @Override
            public Iterable<Components.HeadFactory> heads() {
                return List.of(impostor);
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Components.register(provider));
        assertTrue(e.getMessage().contains("'softmax' is already registered"), e.getMessage());
        // Registering the same provider again is harmless.
        Components.register(ScaledRegressionHead.PROVIDER);
    }

    // ------------------------------------------------------------------ a head from outside the core

    @Test
    void aRegisteredHeadIsBuiltFromItsConfigAndTrains() {
        ComponentSpec head = ComponentSpec.of("head", "scaled-regression", Map.of("outDim", 2, "scale", 3.0));
        ModelConfig c = ModelConfig.fromJson(tinyWith(CoreComponents.tokens(8), head).build().toJson(), "test");
        assertEquals("scaled-regression", c.head().kind());
        // Its factory's own validation runs when the config is built.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tinyWith(CoreComponents.tokens(8), head.with("scale", 0.0)).build());
        assertTrue(e.getMessage().contains("head.scale: must not be 0"), e.getMessage());
        // ModelFlops asks the head's factory for its cost: this one counts as a regression head of the same size.
        ModelConfig regression = tinyWith(CoreComponents.tokens(8), CoreComponents.regression(2)).build();
        assertEquals(ModelFlops.forwardPerSequence(regression, 10), ModelFlops.forwardPerSequence(c, 10), 0.0);

        Decoder model = new Decoder(c, 8, K);
        ScaledRegressionHead scaled = model.head(ScaledRegressionHead.class);
        assertEquals(3.0f, scaled.scale);
        model.initialise(12);
        int batch = 2;
        int seqlen = 6;
        SplittableRandom r = new SplittableRandom(13);
        int[] ids = new int[batch * seqlen];
        float[] targets = new float[batch * seqlen * 2];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(8);
        }
        for (int i = 0; i < targets.length; i++) {
            targets[i] = (float) (r.nextDouble() * 2 - 1);
        }
        Batch data = Batch.of(Inputs.tokens(ids, batch, seqlen), Targets.values(targets, null), "test");

        // The loss the trainer reports is this head's: the mean squared error of 3 (h W^T + b), in double here.
        Decoder.Training t = model.new Training(batch, seqlen);
        Tensor h = model.hiddenStates(data.inputs(), t);
        Parameters p = model.parameters();
        float[] w = p.value("head.weight").toArray();
        float[] b = p.value("head.bias").toArray();
        int d = c.dModel();
        double expected = 0;
        for (int row = 0; row < batch * seqlen; row++) {
            for (int j = 0; j < 2; j++) {
                double y = b[j];
                for (int i = 0; i < d; i++) {
                    y += (double) w[j * d + i] * h.at(row * d + i);
                }
                double e2 = 3 * y - targets[row * 2 + j];
                expected += e2 * e2;
            }
        }
        expected /= batch * seqlen * 2;

        DataSource source = new DataSource() {
            @Override
            public Batch batch(long index) {
                return data;
            }

            @Override
            public String describe() {
                return "one fixed batch";
            }
        };
        List<String> lines = new ArrayList<>();
        Trainer trainer = new Trainer(new TrainableDecoder(model), new AdamW(p, AdamW.Settings.defaults(), K),
                new Trainer.Settings(1, 1, 1e-3, 1e-3, 0, 1.0, 1, 1, 0, 1), source, source, null, lines::add);
        Trainer.Outcome outcome = trainer.run(0);
        assertEquals(1, outcome.losses().length);
        // float32 model against the double sum above: a few float ulps of a loss of order 1.
        assertEquals(expected, outcome.losses()[0], 1e-6 + 1e-5 * expected, "loss before the step");
        assertTrue(outcome.lastEvalLoss() < outcome.losses()[0],
                "one AdamW step lowers the loss on its own batch: " + outcome.losses()[0] + " -> "
                        + outcome.lastEvalLoss());
    }

    /**
     * A regression head whose predictions are scaled by a constant: y = scale (h W^T + b), trained
     * with mean squared error. What a domain module writes to add a head: the head, its factory,
     * and a provider to register.
     */
    static final class ScaledRegressionHead implements Head {
        static final Components.Provider PROVIDER = new Components.Provider() {
            private final List<Components.HeadFactory> heads = List.of(new Factory());

            @Override
            public Iterable<Components.InputFactory> inputs() {
                return List.of();
            }

            @Override
            public Iterable<Components.HeadFactory> heads() {
                return heads;
            }
        };

        static class Factory implements Components.HeadFactory {
            @Override
            public String kind() {
                return "scaled-regression";
            }

            @Override
            public void validate(ComponentSpec spec, ComponentSpec input) {
                spec.allowOnly(Set.of("outDim", "scale"));
                spec.integer("outDim", 1);
                if (spec.number("scale", 1.0) == 0) {
                    throw spec.invalid("scale", "must not be 0");
                }
            }

            @Override
            public Head create(ComponentSpec spec, Components.Context c) {
                return new ScaledRegressionHead(c.parameters(), c.dModel(), spec.integer("outDim", 1),
                        (float) spec.number("scale", 1.0));
            }

            @Override
            public double flopsPerToken(ComponentSpec spec, int dModel) {
                return 2.0 * dModel * spec.integer("outDim", 1);
            }
        }

        final int outDim;
        final float scale;
        private final Linear projection;

        ScaledRegressionHead(Parameters.Builder b, int d, int outDim, float scale) {
            this.outDim = outDim;
            this.scale = scale;
            this.projection = new Linear(b, "head", d, outDim, true);
        }

        @Override
        public void bind(Parameters p) {
            projection.bind(p);
        }

        private static final class Saved implements Head.Activations {
            final Tensor y;       // (rows, outDim)
            final Tensor dy;      // (rows, outDim)
            final float[] hostY;
            final float[] hostDy;

            Saved(Allocator alloc, int rows, int outDim) {
                y = alloc.take("y", rows, outDim);
                dy = alloc.take("dy", rows, outDim);
                hostY = new float[rows * outDim];
                hostDy = new float[rows * outDim];
            }
        }

        @Override
        public Head.Activations allocate(Allocator alloc, int rows) {
            return new Saved(alloc, rows, outDim);
        }

        @Override
        public int[] outputShape() {
            return new int[] {outDim};
        }

        @Override
        public void output(Backend k, Tensor out, Tensor h, Head.Activations a) {
            projection.forward(k, out, h);
            k.scale(out, scale, out);
        }

        @Override
        public double forward(Backend k, Tensor h, Targets targets, Head.Activations activations) {
            Saved a = (Saved) activations;
            output(k, a.y, h, a);
            k.download(a.hostY, a.y);
            float[] t = targets.values();
            double sum = 0;
            for (int i = 0; i < t.length; i++) {
                double e = a.hostY[i] - t[i];
                sum += e * e;
            }
            return sum / t.length;
        }

        @Override
        public void backward(Backend k, Tensor dh, Tensor h, Targets targets, Head.Activations activations) {
            Saved a = (Saved) activations;
            float[] t = targets.values();
            // d(mean (y - t)^2)/d(h W^T + b) = 2 (y - t) scale / n.
            for (int i = 0; i < t.length; i++) {
                a.hostDy[i] = (float) (2.0 * (a.hostY[i] - t[i]) * scale / t.length);
            }
            k.upload(a.dy, a.hostDy);
            projection.backward(k, dh, a.dy, h, false);
        }
    }
}
