package dev.chimera.core.eval.mqar;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.layers.SoftmaxHead;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.core.train.AdamW;
import dev.chimera.core.train.Batch;
import dev.chimera.core.train.TrainableDecoder;
import dev.chimera.core.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The recall experiment behind the hybrid (Zoology; HybriDNA §3): pure Mamba2, pure attention
 * and a hybrid of the same depth, their MLP widths chosen so that all three hold the same number
 * of parameters (within a few percent), trained with the same data, steps and optimiser on
 * {@link MqarTask}, then scored by query accuracy on batches none of them saw.
 */
public final class MqarExperiment {

    /**
     * The task, the models' width and depth, whether the head shares the embedding table, and the
     * shared training budget. Tying the head helped the hybrid on the 128-token vocabulary; untied
     * heads learn the 16-token task of the tests faster.
     */
    public record Settings(int vocab, int seqlen, int pairs, int dModel, int layers, boolean tiedHead, int batch,
                           long steps, double lr, int evalBatches, long seed) {
        public static Settings defaults() {
            return new Settings(128, 64, 4, 64, 2, true, 32, 3000, 3e-3, 8, 1);
        }

        MqarTask trainTask() {
            return new MqarTask(vocab, seqlen, pairs, batch, seed);
        }

        /** Held-out sequences: a different seed, so no training batch reappears. */
        MqarTask evalTask() {
            return new MqarTask(vocab, seqlen, pairs, batch, seed + 0x5EED);
        }
    }

    /** One model of the comparison. */
    public record Arm(String name, ModelConfig config) {
    }

    /** What one arm reached. */
    public record Result(String arm, String pattern, int params, double accuracy, double evalLoss, double seconds) {
    }

    private MqarExperiment() {
    }

    /** Pure Mamba2, pure attention and the hybrid (Mamba2 layers with attention last), at the hybrid's parameter count. */
    public static List<Arm> arms(Settings s, int maxLength) {
        String hybrid = "M".repeat(s.layers() - 1) + "A";
        ModelConfig reference = config(s, hybrid, 4 * s.dModel());
        int budget = parameterCount(reference, maxLength);
        List<Arm> arms = new ArrayList<>();
        arms.add(new Arm("mamba2", matchBudget(s, "M", budget, maxLength)));
        arms.add(new Arm("attention", matchBudget(s, "A", budget, maxLength)));
        arms.add(new Arm("hybrid", reference));
        return arms;
    }

    /** Trains one arm from its seeded initialisation and measures its query accuracy. */
    public static Result run(Arm arm, Settings s, Backend backend, Consumer<String> progress) {
        long t0 = System.nanoTime();
        Decoder model = new Decoder(arm.config(), s.seqlen(), backend);
        model.initialise(s.seed());
        AdamW adam = new AdamW(model.parameters(), new AdamW.Settings(0.9, 0.98, 1e-8, 0.1), backend);
        Trainer.Settings ts = new Trainer.Settings(s.steps(), 1, s.lr(), s.lr() / 10, Math.max(1, s.steps() / 10),
                1.0, (int) Math.max(1, s.steps() / 5), s.evalBatches(), 0, (int) Math.max(1, s.steps() / 10));
        Trainer trainer = new Trainer(new TrainableDecoder(model), adam, ts, s.trainTask(), s.evalTask(), null,
                line -> progress.accept(arm.name() + ": " + line));
        Trainer.Outcome outcome = trainer.run(0);
        if (outcome.diverged()) {
            throw new IllegalStateException(arm.name() + ": " + outcome.message());
        }
        double accuracy = accuracy(model, s.evalTask(), s.evalBatches());
        return new Result(arm.name(), arm.config().layerMixers(), model.parameters().size(), accuracy,
                outcome.lastEvalLoss(), (System.nanoTime() - t0) * 1e-9);
    }

    /** Fraction of query positions whose most probable token is the right value, over eval batches 0..n-1. */
    public static double accuracy(Decoder model, MqarTask task, int batches) {
        Decoder.Training t = model.new Training(task.batchSize(), task.seqlen());
        long right = 0;
        long total = 0;
        for (int i = 0; i < batches; i++) {
            Batch batch = task.batch(i);
            model.forward(batch.inputs(), batch.targets(), t);
            Tensor probs = ((SoftmaxHead.Activations) t.headActivations()).probs();  // (batch*T, vocab)
            int[] targets = batch.targets().tokens();
            for (int r = 0; r < targets.length; r++) {
                if (targets[r] != Backend.IGNORE_TARGET) {
                    total++;
                    right += argmax(probs, r) == targets[r] ? 1 : 0;
                }
            }
        }
        return (double) right / total;
    }

    private static int argmax(Tensor probs, int row) {
        int vocab = probs.dim(1);
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (probs.get(row, v) > probs.get(row, best)) {
                best = v;
            }
        }
        return best;
    }

    /**
     * The MLP width (a multiple of 8, from 8 to 16 dModel) that brings the pattern closest to the
     * budget. The parameter count is linear in the width, so two counts give every other one.
     */
    private static ModelConfig matchBudget(Settings s, String pattern, int budget, int maxLength) {
        long at8 = parameterCount(config(s, pattern, 8), maxLength);
        long perStep = parameterCount(config(s, pattern, 16), maxLength) - at8;
        int maxStep = 2 * s.dModel() - 1;                       // width 16 dModel
        int step = (int) Math.max(0, Math.min(maxStep, Math.floorDiv(budget - at8, perStep)));
        if (step < maxStep && Math.abs(at8 + (step + 1) * perStep - budget) < Math.abs(at8 + step * perStep - budget)) {
            step++;
        }
        return config(s, pattern, 8 + 8 * step);
    }

    /** Width dModel, {@code layers} blocks of the pattern, SwiGLU MLP of the given hidden size, 4 heads. */
    static ModelConfig config(Settings s, String pattern, int mlpHidden) {
        int d = s.dModel();
        return ModelConfig.builder().dModel(d).nLayers(s.layers()).mixerPattern(pattern).mlp(ModelConfig.MlpKind.SWIGLU)
                .mlpHidden(mlpHidden).attnHeads(4).kvHeads(4).ropeBase(10_000).attnSpans(List.of("full")).dState(16)
                .headdim(Math.max(8, d / 4)).expand(2).ngroups(1).dConv(4).chunkSize(64)
                .input(CoreComponents.tokens(s.vocab())).head(CoreComponents.softmax(s.vocab(), s.tiedHead())).build();
    }

    /** Parameters of a model of this config (built on the scalar backend: nothing is computed). */
    private static int parameterCount(ModelConfig c, int maxLength) {
        return new Decoder(c, maxLength, new ScalarBackend()).parameters().size();
    }
}
