package dev.chimera.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.eval.mqar.MqarExperiment;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.UserException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code chimera eval mqar}: multi-query associative recall, pure Mamba2 vs pure attention vs hybrid. */
@Command(name = "mqar",
        mixinStandardHelpOptions = true,
        description = {"Multi-query associative recall (Zoology): trains pure Mamba2, pure attention and the hybrid "
                + "at the same parameter count with the same budget, then prints each one's query accuracy on "
                + "held-out sequences. Progress goes to stderr."})
final class EvalMqarCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final MqarExperiment.Settings DEFAULTS = MqarExperiment.Settings.defaults();

    @Option(names = "--vocab", description = "Vocabulary size (default: ${DEFAULT-VALUE}).")
    int vocab = DEFAULTS.vocab();

    @Option(names = "--seq", description = "Sequence length T (default: ${DEFAULT-VALUE}).")
    int seq = DEFAULTS.seqlen();

    @Option(names = "--pairs", description = "Key-value pairs per sequence (default: ${DEFAULT-VALUE}).")
    int pairs = DEFAULTS.pairs();

    @Option(names = "--d-model", description = "Model width (default: ${DEFAULT-VALUE}).")
    int dModel = DEFAULTS.dModel();

    @Option(names = "--layers", description = "Layers per model (default: ${DEFAULT-VALUE}).")
    int layers = DEFAULTS.layers();

    @Option(names = "--untied", description = "Give the head its own weights instead of the embedding table.")
    boolean untied;

    @Option(names = "--batch", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch = DEFAULTS.batch();

    @Option(names = "--steps", description = "Training steps per model (default: ${DEFAULT-VALUE}).")
    long steps = DEFAULTS.steps();

    @Option(names = "--lr", description = "Peak learning rate of AdamW (default: ${DEFAULT-VALUE}).")
    double lr = DEFAULTS.lr();

    @Option(names = "--seed", description = "Seed of data and initialisation (default: ${DEFAULT-VALUE}).")
    long seed = DEFAULTS.seed();

    @Option(names = "--arms", split = ",", description = "Which models: mamba2,attention,hybrid (default: all).")
    List<String> armNames = List.of("mamba2", "attention", "hybrid");

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        MqarExperiment.Settings s;
        try {
            s = new MqarExperiment.Settings(vocab, seq, pairs, dModel, layers, !untied, batch, steps, lr,
                    DEFAULTS.evalBatches(), seed);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        List<MqarExperiment.Arm> arms = new ArrayList<>();
        for (MqarExperiment.Arm arm : MqarExperiment.arms(s, seq)) {
            if (armNames.contains(arm.name())) {
                arms.add(arm);
            }
        }
        if (arms.size() != armNames.size()) {
            throw new UserException("--arms takes mamba2, attention and hybrid, got " + armNames);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<MqarExperiment.Result> results = new ArrayList<>();
        int threadCount = compute.threads();
        try (ComputePool pool = new ComputePool(threadCount)) {
            for (MqarExperiment.Arm arm : arms) {
                results.add(MqarExperiment.run(arm, s, compute.backend(pool), line -> {
                    err.println(line);
                    err.flush();
                }));
                if (json.enabled()) {
                    print(out, s, results.get(results.size() - 1));
                }
            }
        }
        if (!json.enabled()) {
            table(out, s, results);
        }
        return 0;
    }

    private static void print(PrintWriter out, MqarExperiment.Settings s, MqarExperiment.Result r) {
        out.println(new JsonLine().put("op", "eval-mqar").put("arm", r.arm()).put("pattern", r.pattern())
                .put("params", r.params()).put("seq", s.seqlen()).put("pairs", s.pairs()).put("vocab", s.vocab())
                .put("steps", s.steps()).put("batch", s.batch()).put("accuracy", r.accuracy(), 4)
                .put("eval_loss", r.evalLoss(), 4).put("seconds", r.seconds(), 1));
        out.flush();
    }

    private static void table(PrintWriter out, MqarExperiment.Settings s, List<MqarExperiment.Result> results) {
        out.printf(Locale.ROOT, "MQAR: T %d, %d key-value pairs, vocabulary %d; %d steps x %d sequences, AdamW lr %.0e%n",
                s.seqlen(), s.pairs(), s.vocab(), s.steps(), s.batch(), s.lr());
        out.printf(Locale.ROOT, "%-10s %-10s %10s %10s %10s %9s%n", "model", "layers", "params", "accuracy",
                "eval loss", "seconds");
        for (MqarExperiment.Result r : results) {
            out.printf(Locale.ROOT, "%-10s %-10s %,10d %9.1f%% %10.4f %9.1f%n", r.arm(), r.pattern(), r.params(),
                    100 * r.accuracy(), r.evalLoss(), r.seconds());
        }
        out.println("target: the hybrid reaches at least 95% query accuracy");
        out.flush();
    }
}
