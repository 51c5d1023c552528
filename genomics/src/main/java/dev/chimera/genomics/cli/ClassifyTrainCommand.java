package dev.chimera.genomics.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.classify.ClassifierTraining;
import dev.chimera.genomics.classify.ClassifyModel;
import dev.chimera.genomics.classify.Evaluation;
import dev.chimera.genomics.classify.Example;
import dev.chimera.genomics.classify.FineTuning;
import dev.chimera.genomics.classify.LabelledSet;
import dev.chimera.genomics.classify.Method;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.Progress;
import dev.chimera.runtime.RunDirectory;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code chimera dna classify train}: fits the main method and both baselines on a labelled set and saves them. */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Fits a classifier of DNA records on a labelled training set and saves it in --out: the main method over "
                    + "the pretrained --model, and both baselines on the same records.",
            "A record longer than the model's context less one (BOS) is read by the main method as its central bases "
                    + "(the baselines read it whole), here and in 'classify eval' and 'classify predict'; stderr says "
                    + "how many records are cropped.",
            "finetune (default): full fine-tuning of the hybrid decoder with a linear head over the mean of its "
                    + "final-norm states at the record's bases; cross-entropy, AdamW, warmup + cosine schedule.",
            "echo-probe: the frozen model's echo embeddings (the record read twice), standardised, and a logistic "
                    + "regression on them.",
            "Baselines: kmer-logreg (6-mer counts scaled to unit norm, multinomial logistic regression, L2 chosen on "
                    + "a split of the training set) and cnn (64 filters of width 9 over one-hot bases, ReLU, global "
                    + "max pooling, linear; Adam with early stopping on a split of the training set).",
            "--eval scores every method on a labelled set at the end, as 'classify eval' does."})
public final class ClassifyTrainCommand implements Callable<Integer> {
    /** Fine-tuning defaults: the first values tried, kept as they held on every task tried (README). */
    static final int DEFAULT_BATCH = 16;
    static final double DEFAULT_LR = 5e-4;
    static final int HEAD_LR_FACTOR = 10;
    static final double WARMUP_FRACTION = 0.1;
    static final double WEIGHT_DECAY = 0.01;
    static final double CLIP = 1.0;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PRETRAINED",
            description = "The pretrained DNA language model: a run or step directory ('dna pretrain').")
    Path model;

    @Option(names = "--train", required = true, paramLabel = "LABELLED",
            description = "Training records: a FASTA/FASTQ file with 'label=NAME' in its headers, or "
                    + "NAME=FILE,NAME=FILE.")
    String train;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "New or empty directory for the classifier (checkpoint, each method's parameters).")
    Path out;

    @Option(names = "--eval", paramLabel = "LABELLED",
            description = "Score every method on this labelled set at the end.")
    String eval;

    @Option(names = "--method", paramLabel = "finetune|echo-probe", defaultValue = "finetune",
            description = "The main method (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--task", paramLabel = "NAME", description = "The task's name in reports (default: --out's name).")
    String task;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the shuffles, splits and initial weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--epochs", paramLabel = "E",
            description = "Fine-tuning passes over the training set (default: " + FineTuning.DEFAULT_EPOCHS
                    + ", but at least " + FineTuning.MIN_DEFAULT_STEPS + " steps and at most "
                    + FineTuning.MAX_SMALL_SET_EPOCHS + " passes for a small set, and at most "
                    + FineTuning.MAX_DEFAULT_STEPS + " steps and " + FineTuning.MAX_DEFAULT_POSITIONS
                    + " positions read, which bounds the time for long records).")
    Double epochs;

    @Option(names = "--steps", paramLabel = "N", description = "Fine-tuning steps, instead of --epochs.")
    Long steps;

    @Option(names = "--batch", paramLabel = "B", description = "Records per fine-tuning step (default: " + DEFAULT_BATCH
            + ").")
    Integer batch;

    @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate of the decoder; the head takes "
            + HEAD_LR_FACTOR + "x (default: " + DEFAULT_LR + ").")
    Double lr;

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        PrintWriter stderr = cl.getErr();
        Method main = mainMethod(cl);
        int threads = compute.threads();
        if (epochs != null && steps != null) {
            throw new CommandLine.ParameterException(cl, "give --epochs or --steps, not both");
        }
        if ((epochs != null && !(epochs > 0)) || (steps != null && steps < 1) || (batch != null && batch < 1)
                || (lr != null && !(lr > 0 && Double.isFinite(lr)))) {
            throw new CommandLine.ParameterException(cl, "--epochs, --steps, --batch and --lr must be > 0");
        }
        RunDirectory.requireEmpty(out);
        String taskName = task != null ? task : out.toAbsolutePath().normalize().getFileName().toString();
        Progress progress = new Progress(stderr, System.console() != null, "");
        DnaModel pretrained = openPretrained();
        long t0 = System.nanoTime();
        LabelledSet trainSet = LabelledSet.forTraining(train, "--train");
        LabelledSet evalSet = eval == null ? null : LabelledSet.against(eval, "--eval", trainSet.labels());
        progress.note(describe("train", trainSet) + (evalSet == null ? "" : "; " + describe("eval", evalSet))
                + String.format(Locale.ROOT, " (%.1f s)", (System.nanoTime() - t0) / 1e9));
        int maxBases = ClassifierTraining.maxBases(pretrained);
        noteCropped(progress, ClassifierTraining.cropNote("--train", trainSet.examples(), maxBases, main, true));
        if (evalSet != null) {
            noteCropped(progress, ClassifierTraining.cropNote("--eval", evalSet.examples(), maxBases, main, true));
        }
        int b = batch != null ? batch : DEFAULT_BATCH;
        int records = trainSet.examples().size();
        long n = steps != null ? steps : epochs != null ? FineTuning.stepsFor(epochs, records, b)
                : FineTuning.defaultSteps(records, b, meanPositions(trainSet.examples(), maxBases));
        FineTuning.Settings ft = new FineTuning.Settings(n, b, lr != null ? lr : DEFAULT_LR, HEAD_LR_FACTOR,
                WARMUP_FRACTION, WEIGHT_DECAY, CLIP, seed);
        int classes = trainSet.labels().size();
        try (ComputePool pool = new ComputePool(threads)) {
            long started = System.nanoTime();
            ClassifierTraining.Trained trained = ClassifierTraining.train(pretrained, trainSet.examples(), classes,
                    main, ft, seed, compute.backend(pool), progress, line -> {
                        stderr.println(line);
                        stderr.flush();
                    });
            double trainSeconds = (System.nanoTime() - started) / 1e9;
            Map<String, String> info = ClassifyModel.info(taskName, trainSet.labels(), trained.methods(),
                    pretrained.context(), trained.maxBases());
            info.put(ClassifyModel.PREFIX + "pretrained", pretrained.checkpoint().directory().toAbsolutePath()
                    .normalize() + " step " + pretrained.steps());
            info.put(ClassifyModel.PREFIX + "train", train);
            info.put(ClassifyModel.PREFIX + "train_records", Integer.toString(trainSet.examples().size()));
            info.put(ClassifyModel.PREFIX + "seed", Long.toString(seed));
            if (main == Method.FINETUNE) {
                info.put(ClassifyModel.PREFIX + "steps", Long.toString(ft.steps()));
                info.put(ClassifyModel.PREFIX + "batch", Integer.toString(ft.batch()));
                info.put(ClassifyModel.PREFIX + "lr", Double.toString(ft.lr()));
                info.put(ClassifyModel.PREFIX + "head_lr_factor", Double.toString(ft.headLrFactor()));
                info.put(ClassifyModel.PREFIX + "weight_decay", Double.toString(ft.weightDecay()));
            }
            info.put(ClassifyModel.PREFIX + "threads", Integer.toString(threads));
            trained.seconds().forEach((m, s) -> info.put(ClassifyModel.PREFIX + "seconds." + m.id(),
                    String.format(Locale.ROOT, "%.1f", s)));
            ClassifyModel.save(out, pretrained.config(), trained.decoder(), trained.methods(), info, trained.steps(),
                    seed);
            report(cl.getOut(), taskName, trainSet, trained, trainSeconds);
            if (evalSet != null) {
                ClassifyReport.print(cl.getOut(), taskName, eval, evalSet.examples().size(),
                        Evaluation.score(trained.methods(), evalSet.examples(), classes), json.enabled());
            }
        }
        return 0;
    }

    private Method mainMethod(CommandLine cl) {
        Method m;
        try {
            m = Method.parse(method);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--method: " + e.getMessage());
        }
        if (!m.usesModel()) {
            throw new CommandLine.ParameterException(cl, "--method must be finetune or echo-probe (the baselines "
                    + "are fitted by every run), got '" + method + "'");
        }
        return m;
    }

    private static void noteCropped(Progress progress, String note) {
        if (note != null) {
            progress.note(note);
        }
    }

    private DnaModel openPretrained() {
        try {
            return DnaModel.open(model);
        } catch (IOException e) {
            throw new UserException("--model " + model + ": " + e.getMessage(), e);
        }
    }

    private static String describe(String what, LabelledSet set) {
        int[] counts = set.classCounts();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s: %,d records (", what,
                set.examples().size()));
        for (int k = 0; k < counts.length; k++) {
            sb.append(k == 0 ? "" : ", ").append(set.labels().get(k)).append(' ').append(counts[k]);
        }
        return sb.append(')').toString();
    }

    private void report(PrintWriter w, String taskName, LabelledSet trainSet, ClassifierTraining.Trained trained,
                        double seconds) {
        if (json.enabled()) {
            JsonLine line = new JsonLine().put("op", "dna-classify-train").put("task", taskName)
                    .put("records", trainSet.examples().size()).put("classes", String.join(",", trainSet.labels()))
                    .put("method", trained.methods().get(0).method().id()).put("steps", trained.steps());
            trained.seconds().forEach((m, s) -> line.put("seconds_" + m.id().replace('-', '_'), s, 1));
            w.println(line.put("seconds", seconds, 1).put("out", out.toString()));
        } else {
            w.printf(Locale.ROOT, "trained   %s on %,d records, classes %s, in %.1f s%n", taskName,
                    trainSet.examples().size(), String.join(", ", trainSet.labels()), seconds);
            trained.seconds().forEach((m, s) -> w.printf(Locale.ROOT, "  %-12s %7.1f s%n", m.id(), s));
            w.printf("saved     %s%n", out);
        }
        w.flush();
    }

    /** Mean positions the model reads per record: BOS and the bases, cropped to {@code maxBases}. */
    private static double meanPositions(List<Example> examples, int maxBases) {
        long sum = 0;
        for (Example e : examples) {
            sum += 1 + Math.min(e.length(), maxBases);
        }
        return examples.isEmpty() ? 1 : (double) sum / examples.size();
    }
}
