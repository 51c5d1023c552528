package dev.chimera.genomics;

import dev.chimera.core.train.TrainableDecoder;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.checkpoint.RunCheckpoints;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.train.AdamW;
import dev.chimera.core.train.Batch;
import dev.chimera.core.train.DataSource;
import dev.chimera.core.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A tiny DNA language model for tests, trained for a few steps with core-model's Trainer on
 * windows of BOS + bases of a sequence with a repeated motif, and saved as a run directory
 * that {@link DnaModel#open} accepts.
 */
public final class TinyDnaModel {
    private TinyDnaModel() {
    }

    /** dModel 16, pattern MA over {@code layers} layers, attention span {@code span}, Mamba2 chunk 8, vocabulary 9. */
    public static ModelConfig config(String span, int layers) {
        return ModelConfig.builder().dModel(16).nLayers(layers).mixerPattern("MA").mlp(ModelConfig.MlpKind.SWIGLU)
                .mlpHidden(24).attnHeads(2).kvHeads(1).ropeBase(10_000).attnSpans(List.of(span)).dState(4).headdim(8)
                .expand(2).ngroups(1).dConv(4).chunkSize(8).input(CoreComponents.tokens(NucleotideTokenizer.VOCAB_SIZE))
                .head(CoreComponents.softmax(NucleotideTokenizer.VOCAB_SIZE, false)).build();
    }

    /** Bases with a repeated motif and noise: something a model can learn in a few steps. */
    public static String dna(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        String motif = "ACGTTGCAAC";
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(r.nextDouble() < 0.7 ? motif.charAt(i % motif.length()) : "ACGT".charAt(r.nextInt(4)));
        }
        return sb.toString();
    }

    /** Trains the model for {@code steps} steps on windows of {@code context} positions and saves it in {@code runDir}. */
    public static Path train(Path runDir, String span, int layers, int context, int steps, Map<String, String> info) {
        ModelConfig config = config(span, layers);
        byte[] genome = new NucleotideTokenizer().encode(dna(1, 5000).getBytes(), "train");
        try (ComputePool pool = new ComputePool(1)) {
            Decoder model = new Decoder(config, context, new VectorBackend(pool));
            model.initialise(7);
            AdamW optimizer = new AdamW(model.parameters(), AdamW.Settings.defaults(), model.backend());
            int batch = 4;
            DataSource data = new DataSource() {
                @Override
                public Batch batch(long index) {
                    SplittableRandom r = new SplittableRandom(index);
                    int[] in = new int[batch * context];
                    int[] out = new int[batch * context];
                    for (int b = 0; b < batch; b++) {
                        int start = r.nextInt(genome.length - context);
                        in[b * context] = NucleotideTokenizer.BOS;
                        for (int t = 0; t < context; t++) {
                            if (t > 0) {
                                in[b * context + t] = genome[start + t - 1];
                            }
                            out[b * context + t] = genome[start + t];
                        }
                    }
                    return Batch.of(Inputs.tokens(in, batch, context), Targets.tokens(out), "tiny dna");
                }

                @Override
                public String describe() {
                    return "tiny dna windows";
                }
            };
            Trainer.Settings settings = new Trainer.Settings(steps, 1, 1e-2, 1e-3, 2, 1.0, 0, 0, 0, steps);
            RunCheckpoints store = new RunCheckpoints(runDir, config, model.parameters(), optimizer, 7, info, 1);
            Trainer.Outcome outcome = new Trainer(new TrainableDecoder(model), optimizer, settings, data, null, store, line -> { }).run(0);
            if (outcome.diverged()) {
                throw new IllegalStateException("tiny model diverged: " + outcome.message());
            }
        }
        return runDir;
    }

    /** A DNA model as {@link #train} makes it, with the info {@link DnaModel#open} needs. */
    public static Path train(Path runDir, String span, int context) {
        return train(runDir, span, 2, context, 80, DnaModel.info(context));
    }
}
