package dev.chimera.genomics.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.genomics.CompressionBaseline;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.GenomeCache;
import dev.chimera.genomics.HeldOutScore;
import dev.chimera.genomics.HeldOutScoring;
import dev.chimera.genomics.Holdout;
import dev.chimera.genomics.MarkovBaseline;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.NucleotideTokenizer.OnInvalid;
import dev.chimera.genomics.ReferenceGenome;
import dev.chimera.genomics.TrainEvalSplit;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.Progress;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chimera dna baseline}: bits per base of order-k Markov models (k = 0..12), gzip and xz on
 * held-out DNA, the numbers a DNA language model has to beat.
 */
@Command(name = "baseline",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Bits per base on held-out DNA of order-k Markov models (k = 0..max-order, each order blended with "
                    + "the one below by interpolated Dirichlet smoothing, alpha per order fitted by leave-one-out on the "
                    + "training counts), gzip -9 and xz -9e, and the best of them.",
            "Input: --fasta FILE split by --holdout-fraction (the last fraction of every record is held out), or "
                    + "--train FILE with --eval FILE. FASTA or FASTQ, plain, gzip or bgzip.",
            "Without a file: the E. coli K-12 MG1655 genome (4,639,675 bp) shipped with Chimera, unpacked once "
                    + "into cache/genomes (or $CHIMERA_CACHE/genomes), "
                    + "last 0.1 held out.",
            "N is not scored and breaks Markov contexts; compressors are scored on all eval characters."})
public final class BaselineCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--fasta", paramLabel = "FILE",
            description = "FASTA/FASTQ whose records are split by --holdout-fraction (default: the cached E. coli genome).")
    Path fasta;

    @Option(names = "--holdout-fraction", paramLabel = "F",
            description = "Fraction at the end of each record held out for evaluation, in (0, 1) (default: 0.1).")
    Double holdoutFraction;

    @Option(names = "--train", paramLabel = "FILE", description = "Training FASTA/FASTQ (with --eval).")
    Path train;

    @Option(names = "--eval", paramLabel = "FILE", description = "Evaluation FASTA/FASTQ (with --train).")
    Path eval;

    @Option(names = "--max-order", paramLabel = "K",
            description = "Highest Markov order, 0..12 (default: 12, or lower if the heap cannot hold the "
                    + "tables: order 12 needs about 500 MB; raise the heap with CHIMERA_JAVA_OPTS=-Xmx2g).")
    Integer maxOrder;

    @Option(names = "--on-invalid", paramLabel = "error|mask|skip", defaultValue = "error",
            converter = OnInvalidConverter.class,
            description = "A character that is not a base, N, U or IUPAC code: fail (error), read it as N (mask), "
                    + "or drop it (skip) (default: ${DEFAULT-VALUE}).")
    OnInvalid onInvalid;

    @Option(names = "--no-compressors", description = "Skip the gzip and xz baselines (xz takes the longest).")
    boolean noCompressors;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Also score a DNA model trained by 'chimera dna pretrain' (a run, --export or step directory) "
                    + "on the same held-out bases: consecutive windows of its training context T, each BOS + T-1 bases, "
                    + "every base predicted from the bases before it in its window.")
    Path model;

    @Option(names = "--held-out-scoring", paramLabel = HeldOutScoring.CHOICES, defaultValue = "carry",
            description = "How --model is scored: carry = each held-out region read as one stream, the state carried "
                    + "across chunks after the T-1 bases before it (the Markov models also see the bases before it); "
                    + "windows = consecutive windows of T, each restarting from BOS (default: ${DEFAULT-VALUE}).")
    String heldOutScoring;

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    /** One line of the result table; {@code how} says in words how the model row was scored (null for the others). */
    record Row(String name, String model, int order, String mode, String how, double bitsPerBase) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Progress progress = new Progress(spec.commandLine().getErr(), System.console() != null, "");
        NucleotideTokenizer tokenizer = new NucleotideTokenizer(onInvalid);

        int threadCount = compute.threads();
        HeldOutScoring scoringMode = HeldOutScoring.parse(heldOutScoring);
        DnaModel dnaModel = openModel();
        long t0 = System.nanoTime();
        TrainEvalSplit data = load(tokenizer, progress);
        if (tokenizer.invalidCount() > 0) {
            progress.note(String.format(Locale.ROOT, "%s %,d invalid characters (--on-invalid %s)",
                    onInvalid == OnInvalid.MASK ? "read as N" : "dropped", tokenizer.invalidCount(),
                    onInvalid.name().toLowerCase(Locale.ROOT)));
        }
        if (data.trainBases() == 0) {
            throw new UserException(data.description() + ": no training bases");
        }
        if (data.evalBases() == 0) {
            throw new UserException(data.description() + ": no bases held out for evaluation (records too short "
                    + "for the holdout fraction?)");
        }
        progress.note(String.format(Locale.ROOT, "read %,d records, %,d bases in %.1f s", data.parts().size(),
                data.totalBases(), (System.nanoTime() - t0) / 1e9));

        int order = chooseOrder(progress, data.trainBases());
        List<Row> rows = new ArrayList<>();
        MarkovBaseline.Score score = markov(data, order, progress);
        if (score.bases() == 0) {
            throw new UserException(data.description() + ": the eval part holds only N, nothing to score");
        }
        for (int k = 0; k <= order; k++) {
            rows.add(new Row("markov order " + k, "markov", k, null, null, score.bitsPerBase(k)));
        }
        if (dnaModel != null) {
            rows.add(modelRow(dnaModel, scoringMode, data, progress, threadCount));
        }
        if (!noCompressors) {
            rows.addAll(compressors(data, progress));
        }
        Row best = rows.get(0);
        for (Row r : rows) {
            if (r.bitsPerBase() < best.bitsPerBase()) {
                best = r;
            }
        }
        print(out, data, score, rows, best, order);
        return 0;
    }

    private DnaModel openModel() {
        if (model == null) {
            return null;
        }
        try {
            return DnaModel.open(model);
        } catch (IOException e) {
            throw new UncheckedIOException("--model " + model + ": " + e.getMessage(), e);
        }
    }

    /** The model's bits per base on the eval parts ({@link HeldOutScore}), with a note if it was trained on another split. */
    private Row modelRow(DnaModel m, HeldOutScoring mode, TrainEvalSplit data, Progress progress, int threadCount) {
        Map<String, String> info = m.checkpoint().trainerState().info();
        String trainBases = info.get(PretrainCommand.PREFIX + "train_bases");
        String evalBases = info.get(PretrainCommand.PREFIX + "eval_bases");
        if (!Long.toString(data.trainBases()).equals(trainBases) || !Long.toString(data.evalBases()).equals(evalBases)) {
            progress.note("note: " + model + " was trained on a split of " + trainBases + " train and " + evalBases
                    + " held-out bases, this one has " + data.trainBases() + " and " + data.evalBases()
                    + "; its row is comparable only if it never trained on these held-out bases");
        }
        int t = m.context();
        int rows = Math.max(1, 8192 / t);
        HeldOutScore.Result r;
        try (ComputePool pool = new ComputePool(threadCount)) {
            Decoder decoder = m.decoder(t, compute.backend(pool));
            Progress.Step step = progress.step("scoring with the model (" + mode.label() + ")", data.evalBases(), "bases");
            r = mode.score(decoder, t, rows, data, decoder.backend(), step::update);
            step.done();
        } catch (IOException e) {
            throw new UncheckedIOException("--model " + model + ": " + e.getMessage(), e);
        }
        return new Row(String.format(Locale.ROOT, "chimera, step %d, T %d", m.steps(), t), "chimera", -1,
                mode.label(), mode.describe(t, !m.tags().isEmpty()), r.bitsPerBase());
    }

    private TrainEvalSplit load(NucleotideTokenizer tokenizer, Progress progress) {
        boolean separate = train != null || eval != null;
        if (separate && (train == null || eval == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--train and --eval go together");
        }
        if (separate && (fasta != null || holdoutFraction != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--train/--eval cannot be combined with --fasta or --holdout-fraction");
        }
        if (holdoutFraction != null && !(holdoutFraction > 0 && holdoutFraction < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--holdout-fraction must be in (0, 1), got " + holdoutFraction);
        }
        if (maxOrder != null && (maxOrder < 0 || maxOrder > MarkovBaseline.MAX_ORDER)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--max-order must be in 0.." + MarkovBaseline.MAX_ORDER + ", got " + maxOrder);
        }
        if (separate) {
            return TrainEvalSplit.separate(train, eval, tokenizer);
        }
        Holdout holdout = new Holdout(holdoutFraction == null ? Holdout.DEFAULT_FRACTION : holdoutFraction);
        if (fasta != null) {
            return TrainEvalSplit.holdout(fasta, holdout, tokenizer);
        }
        ReferenceGenome genome = ReferenceGenome.ECOLI_K12_MG1655;
        Path file = GenomeCache.locate().obtain(genome, progress::note);
        TrainEvalSplit data = TrainEvalSplit.holdout(file, holdout, tokenizer);
        if (data.totalBases() != genome.length()) {
            throw new UserException(file + ": " + genome.description() + " should have " + genome.length()
                    + " bases, this file has " + data.totalBases() + "; delete it to unpack it again");
        }
        return data;
    }

    /** The requested order if the heap holds its tables, else (when none was requested) the highest that fits. */
    private int chooseOrder(Progress progress, long trainBases) {
        Runtime rt = Runtime.getRuntime();
        System.gc(); // what reading the input left behind would otherwise count as used
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()) - (64L << 20);
        if (maxOrder != null) {
            long need = MarkovBaseline.memoryBytes(maxOrder, trainBases);
            if (need > free) {
                throw new UserException(String.format(Locale.ROOT, "--max-order %d needs %,d MB of heap for its "
                        + "tables, %,d MB are free; lower it or raise the heap (CHIMERA_JAVA_OPTS=-Xmx%dg)",
                        maxOrder, need >> 20, Math.max(0, free) >> 20, Math.max(1, (need + rt.maxMemory()) >> 30) + 1));
            }
            return maxOrder;
        }
        int k = MarkovBaseline.largestOrderFitting(free, trainBases);
        if (k < 0) {
            throw new UserException("the heap cannot hold even the order-0 Markov tables; raise it with CHIMERA_JAVA_OPTS=-Xmx1g");
        }
        if (k < MarkovBaseline.MAX_ORDER) {
            progress.note(String.format(Locale.ROOT, "Markov orders up to %d only: order %d needs %,d MB of heap, "
                    + "%,d MB are free (raise it with CHIMERA_JAVA_OPTS=-Xmx2g)", k, MarkovBaseline.MAX_ORDER,
                    MarkovBaseline.memoryBytes(MarkovBaseline.MAX_ORDER, trainBases) >> 20, free >> 20));
        }
        return k;
    }

    private static MarkovBaseline.Score markov(TrainEvalSplit data, int order, Progress progress) {
        final int chunk = 1 << 20;
        MarkovBaseline.Counter counter = new MarkovBaseline.Counter(order);
        Progress.Step counting = progress.step("counting (order 0-" + order + ")", data.trainBases(), "bases");
        long done = 0;
        for (TrainEvalSplit.Part p : data.parts()) {
            for (int a = 0; a < p.trainEnd(); a += chunk) {
                int b = Math.min(p.trainEnd(), a + chunk);
                counter.add(p.tokens(), a, b);
                done += b - a;
                counting.update(done);
            }
        }
        counting.done();
        Progress.Step fitting = progress.step("fitting alpha per order", order + 1, "orders");
        MarkovBaseline model = counter.build();
        fitting.done();
        Progress.Step scoring = progress.step("scoring", data.evalBases(), "bases");
        MarkovBaseline.Score score = model.newScore();
        done = 0;
        for (TrainEvalSplit.Part p : data.parts()) {
            for (int a = p.trainEnd(); a < p.tokens().length; a += chunk) {
                int b = Math.min(p.tokens().length, a + chunk);
                model.score(p.tokens(), a, b, score);
                done += b - a;
                scoring.update(done);
            }
        }
        scoring.done();
        return score;
    }

    private static List<Row> compressors(TrainEvalSplit data, Progress progress) {
        if (data.totalBases() + data.parts().size() > Integer.MAX_VALUE - 64) {
            throw new UserException(data.description() + ": more than 2 GB of sequence, too much for the in-memory "
                    + "compressor baselines; pass --no-compressors");
        }
        byte[] trainText = data.trainLetters();
        byte[] evalText = data.evalLetters();
        List<CompressionBaseline.Compressor> cs = List.of(CompressionBaseline.Compressor.XZ_9E,
                CompressionBaseline.Compressor.GZIP_9);
        long work = cs.size() * 2L * (trainText.length + evalText.length);
        Progress.Step step = progress.step("gzip -9, xz -9e", work, "bytes");
        int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
        List<CompressionBaseline.Result> results = CompressionBaseline.measureAll(cs, trainText, evalText,
                data.evalBases(), threads, step::update);
        step.done();
        List<Row> rows = new ArrayList<>();
        for (int i = cs.size() - 1; i >= 0; i--) {
            CompressionBaseline.Result r = results.get(i);
            String label = r.compressor().label();
            String model = label.substring(0, label.indexOf(' '));
            rows.add(new Row(label + ", given train", model, -1, "conditional", null, r.conditionalBitsPerBase()));
            rows.add(new Row(label + ", eval alone", model, -1, "eval-only", null, r.evalOnlyBitsPerBase()));
        }
        return rows;
    }

    private void print(PrintWriter out, TrainEvalSplit data, MarkovBaseline.Score score, List<Row> rows, Row best,
            int order) {
        if (json.enabled()) {
            out.println(new JsonLine().put("op", "dna-baseline").put("data", data.description())
                    .put("records", data.parts().size()).put("train_bases", data.trainBases())
                    .put("eval_bases", data.evalBases()).put("eval_scored", score.bases())
                    .put("eval_n", score.skipped()).put("max_order", order));
            for (Row r : rows) {
                JsonLine o = new JsonLine().put("op", "dna-baseline").put("model", r.model());
                if (r.order() >= 0) {
                    o.put("order", r.order());
                } else if (r.model().equals("chimera")) {
                    o.put("dir", model.toString()).put("held_out_scoring", r.mode());
                } else {
                    o.put("mode", r.mode());
                }
                out.println(o.put("bits_per_base", r.bitsPerBase(), 4));
            }
            out.println(new JsonLine().put("op", "dna-baseline").put("best", best.name())
                    .put("bits_per_base", best.bitsPerBase(), 4));
        } else {
            out.println("data     " + data.description());
            out.printf(Locale.ROOT, "records  %,d%n", data.parts().size());
            out.printf(Locale.ROOT, "train    %,d bases%n", data.trainBases());
            out.printf(Locale.ROOT, "eval     %,d bases (%,d scored, %,d N not scored by the Markov models)%n",
                    data.evalBases(), score.bases(), score.skipped());
            out.println();
            int width = 26;
            for (Row r : rows) {
                width = Math.max(width, r.name().length());
            }
            out.printf(Locale.ROOT, "%-" + width + "s %10s%n", "model", "bits/base");
            for (Row r : rows) {
                out.printf(Locale.ROOT, "%-" + width + "s %10.4f%n", r.name(), r.bitsPerBase());
            }
            for (Row r : rows) {
                if (r.model().equals("chimera")) {
                    out.println("chimera: " + model + "; held-out scoring: " + r.mode() + ", " + r.how());
                }
            }
            out.println();
            out.printf(Locale.ROOT, "best: %s, %.4f bits/base%n", best.name(), best.bitsPerBase());
        }
        out.flush();
    }

    /** Parses error|mask|skip in any case; a wrong value is a usage error (exit 2). */
    public static final class OnInvalidConverter implements CommandLine.ITypeConverter<OnInvalid> {
        @Override
        public OnInvalid convert(String value) {
            try {
                return OnInvalid.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected error, mask or skip, got '" + value + "'");
            }
        }
    }
}
