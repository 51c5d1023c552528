package dev.chimera.genomics.cli;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.JsonLine;
import dev.chimera.core.checkpoint.Checkpoint;
import dev.chimera.core.checkpoint.LoadedCheckpoint;
import dev.chimera.core.checkpoint.RunCheckpoints;
import dev.chimera.core.checkpoint.TrainerState;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.train.AdamW;
import dev.chimera.core.train.Optimizer;
import dev.chimera.core.train.SgdSai;
import dev.chimera.core.train.TrainableDecoder;
import dev.chimera.core.train.Trainer;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.DnaTags;
import dev.chimera.genomics.DnaWindows;
import dev.chimera.genomics.GenomeCache;
import dev.chimera.genomics.HeldOutScore;
import dev.chimera.genomics.HeldOutScoring;
import dev.chimera.genomics.Holdout;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.NucleotideTokenizer.OnInvalid;
import dev.chimera.genomics.ReferenceGenome;
import dev.chimera.genomics.TrainEvalSplit;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.ConfigOption;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.Progress;
import dev.chimera.runtime.ResumeSettings;
import dev.chimera.runtime.RunDirectory;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chimera dna pretrain}: next-nucleotide pretraining of the hybrid decoder on the training
 * part of a FASTA file ({@link DnaWindows}), evaluated on held-out windows while it runs, then
 * scored on the whole held-out part in bits per base ({@link HeldOutScore}), the unit of
 * {@code chimera dna baseline}. Checkpoints go to {@code --out} ({@link RunCheckpoints}); their
 * trainer.json holds {@link DnaModel#info} and every setting of the run, so {@code --resume}
 * continues it exactly and refuses a different one.
 */
@Command(name = "pretrain",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Pretrains a DNA language model (next nucleotide) on the training part of a FASTA file: windows of T bases "
                    + "at seeded random offsets in the first 1-f of every record, fed as BOS + T-1 bases with every base "
                    + "predicted, each window reverse-complemented with probability 1/2; loss on A C G T only.",
            "Evaluates every --eval-every steps on fixed held-out windows, checkpoints into --out (atomically; the newest "
                    + "two are kept), and at the end prints the bits per base of the whole held-out part (the last f of "
                    + "every record), scored as --held-out-scoring says (by default each held-out region as one stream, "
                    + "the state carried), comparable with 'chimera dna baseline'.",
            "Defaults (no option but --fasta and --out): DnaModel's default architecture (MMMA, d 128), 2000 steps "
                    + "of 4 windows of 1024: 11 minutes on two free cores for a 4.9 Mb genome, about the same for any length.",
            "Tagged pretraining (HybriDNA): --fasta TAG=FILE, given once per file (e.g. --fasta ecoli=a.fa --fasta "
                    + "saureus=b.fa), adds one token per tag to the vocabulary (ids 9, 10, ... in order of first "
                    + "appearance) and feeds every window of a tagged file as BOS, TAG + T-2 bases (T-1 predicted), "
                    + "held-out scoring likewise; 'dna generate --tag TAG' then conditions on a tag.",
            "Without --fasta: the E. coli K-12 MG1655 genome shipped with Chimera (unpacked once into cache/genomes).",
            "--config: a preset's vocabulary is set to the nucleotide tokenizer's 9 ids and one per tag; a file must "
                    + "have token input and a softmax head of at least that many ids.",
            "--resume continues the run in --out from its latest checkpoint with the settings it recorded (options given "
                    + "again must agree with them). Progress on stderr; exit 1 if training diverges."})
public final class PretrainCommand implements Callable<Integer> {
    /** trainer.json info keys of the run's settings. */
    static final String PREFIX = "pretrain.";
    private static final long EVAL_SEED_OFFSET = 0x5EEDL;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--fasta", paramLabel = "[TAG=]FILE",
            description = "FASTA/FASTQ (plain, gzip, bgzip) to train on (default: the cached E. coli genome); or, "
                    + "repeated, TAG=FILE inputs whose windows start with their tag's token.")
    List<String> fasta;

    @Option(names = "--config", paramLabel = "tiny|small|FILE.json",
            description = "Model preset or config JSON file (default: DnaModel's default architecture, "
                    + "layers MMMA, d 128, 0.77 M parameters, chosen on four bacterial genomes).")
    String config;

    @Option(names = "--steps", paramLabel = "N", description = "Optimiser steps of the run (default: 2000).")
    Long steps;

    @Option(names = "--stop-at", paramLabel = "STEP",
            description = "Stop after this step (checkpointed) without changing the schedule of the --steps run; "
                    + "continue later with --resume.")
    Long stopAt;

    @Option(names = "--context", paramLabel = "T", description = "Positions per window, BOS included (default: 1024).")
    Integer context;

    @Option(names = "--batch", paramLabel = "B", description = "Windows per step (default: 4).")
    Integer batch;

    @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate (default: 3e-3).")
    Double lr;

    @Option(names = "--min-lr", paramLabel = "LR", description = "Learning rate at the last step (default: lr/10).")
    Double minLr;

    @Option(names = "--warmup", paramLabel = "N", description = "Linear warmup steps (default: steps/20, at most 200).")
    Long warmup;

    @Option(names = "--optimizer", paramLabel = "adamw|sgd-sai",
            description = "AdamW (betas 0.9/0.95, weight decay 0.1) or SGD-SaI (momentum 0.9, weight decay 0.01) "
                    + "(default: adamw).")
    String optimizer;

    @Option(names = "--clip", paramLabel = "NORM", description = "Global gradient-norm clipping (default: 1.0).")
    Double clip;

    @Option(names = "--holdout-fraction", paramLabel = "F",
            description = "Fraction at the end of each record held out, in (0, 1) (default: 0.1).")
    Double holdoutFraction;

    @Option(names = "--on-invalid", paramLabel = "error|mask|skip", converter = BaselineCommand.OnInvalidConverter.class,
            description = "A character that is not a base, N, U or IUPAC code: fail, read it as N, or drop it "
                    + "(default: error).")
    OnInvalid onInvalid;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the initial weights and the windows (default: 1).")
    Long seed;

    @Option(names = "--eval-every", paramLabel = "N",
            description = "Held-out evaluation every N steps, 0 for none (default: steps/10).")
    Integer evalEvery;

    @Option(names = "--eval-batches", paramLabel = "N",
            description = "Batches of held-out windows per evaluation (default: 4).")
    Integer evalBatches;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Checkpoint every N steps besides the last, 0 for only the last (default: eval-every).")
    Integer checkpointEvery;

    @Option(names = "--log-every", paramLabel = "N", description = "Progress line every N steps (default: steps/100).")
    Integer logEvery;

    @Option(names = "--held-out-scoring", paramLabel = HeldOutScoring.CHOICES, defaultValue = "carry",
            description = "The final held-out score: carry = each held-out region read as one stream, the state carried "
                    + "across chunks after the T-1 bases before it, as 'dna score' reads a record; windows = consecutive "
                    + "windows of T, each restarting from BOS (default: ${DEFAULT-VALUE}).")
    String heldOutScoring;

    @Mixin
    ComputeOptions compute;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Run directory for the checkpoints; must be new or empty unless --resume.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its latest checkpoint.")
    boolean resume;

    @Option(names = "--export", paramLabel = "DIR",
            description = "At the end, also save the final weights without optimizer state (a small DNA model "
                    + "checkpoint for 'dna generate', 'dna baseline --model', the demo) into this directory, which may "
                    + "exist (e.g. with a README) but must hold no checkpoint.")
    Path export;

    @Mixin
    JsonOption json;

    /** The settings that define a run, as recorded in trainer.json; {@code threads} may change on resume. */
    record Settings(String fasta, double holdoutFraction, OnInvalid onInvalid, long steps, int context, int batch,
                    double lr, double minLr, long warmup, String optimizer, double clip, long seed, int evalEvery,
                    int evalBatches, int checkpointEvery, int logEvery) {

        Map<String, String> toInfo() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put(PREFIX + "fasta", fasta);
            m.put(PREFIX + "holdout_fraction", Double.toString(holdoutFraction));
            m.put(PREFIX + "on_invalid", onInvalid.name().toLowerCase(Locale.ROOT));
            m.put(PREFIX + "steps", Long.toString(steps));
            m.put(PREFIX + "context", Integer.toString(context));
            m.put(PREFIX + "batch", Integer.toString(batch));
            m.put(PREFIX + "lr", Double.toString(lr));
            m.put(PREFIX + "min_lr", Double.toString(minLr));
            m.put(PREFIX + "warmup", Long.toString(warmup));
            m.put(PREFIX + "optimizer", optimizer);
            m.put(PREFIX + "clip", Double.toString(clip));
            m.put(PREFIX + "seed", Long.toString(seed));
            m.put(PREFIX + "eval_every", Integer.toString(evalEvery));
            m.put(PREFIX + "eval_batches", Integer.toString(evalBatches));
            m.put(PREFIX + "checkpoint_every", Integer.toString(checkpointEvery));
            m.put(PREFIX + "log_every", Integer.toString(logEvery));
            return m;
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Progress progress = new Progress(stderr, System.console() != null, "");
        int threadCount = compute.threads();
        HeldOutScoring scoringMode = HeldOutScoring.parse(heldOutScoring);
        checkExportDir();

        LoadedCheckpoint previous = resume ? latestRun() : null;
        if (!resume) {
            RunDirectory.requireFresh(out);
        }
        Map<String, String> recorded = previous == null ? Map.of() : previous.trainerState().info();
        Settings s = settings(recorded, progress);
        PretrainInputs inputs = PretrainInputs.fromRecorded(s.fasta());
        ModelConfig model = previous == null ? loadConfig(inputs.tags()) : resumedConfig(previous, inputs.tags());

        NucleotideTokenizer tokenizer = new NucleotideTokenizer(s.onInvalid());
        long t0 = System.nanoTime();
        TrainEvalSplit data = inputs.read(new Holdout(s.holdoutFraction()), tokenizer);
        if (tokenizer.invalidCount() > 0) {
            progress.note(String.format(Locale.ROOT, "%s %,d invalid characters (--on-invalid %s)",
                    s.onInvalid() == OnInvalid.MASK ? "read as N" : "dropped", tokenizer.invalidCount(),
                    s.onInvalid().name().toLowerCase(Locale.ROOT)));
        }
        if (data.evalBases() == 0) {
            throw new UserException(data.description() + ": no bases held out for evaluation (records too short "
                    + "for the holdout fraction?)");
        }
        Map<String, String> info = new LinkedHashMap<>(DnaModel.info(s.context(), inputs.tags()));
        info.putAll(s.toInfo());
        info.put(PREFIX + "train_bases", Long.toString(data.trainBases()));
        info.put(PREFIX + "eval_bases", Long.toString(data.evalBases()));
        if (previous != null) {
            requireSameData(recorded, info);
        }
        String oldThreads = recorded.get(PREFIX + "threads");
        if (oldThreads != null && !oldThreads.equals(Integer.toString(threadCount))) {
            progress.note("note: the run so far used " + oldThreads + " threads, this part uses " + threadCount
                    + "; sums split over other threads may round differently");
        }
        info.put(PREFIX + "threads", Integer.toString(threadCount));
        progress.note(String.format(Locale.ROOT, "data: %s; %,d records, %,d training and %,d held-out bases (%.1f s)",
                data.description(), data.parts().size(), data.trainBases(), data.evalBases(),
                (System.nanoTime() - t0) / 1e9));

        DnaWindows train = DnaWindows.training(data, s.context(), s.batch(), s.seed());
        DnaWindows eval = DnaWindows.heldOut(data, s.context(), s.batch(), s.seed() + EVAL_SEED_OFFSET);
        Trainer.Settings ts = new Trainer.Settings(s.steps(), 1, s.lr(), s.minLr(), s.warmup(), s.clip(), s.evalEvery(),
                s.evalBatches(), s.checkpointEvery(), s.logEvery());
        long stop = stopAt == null ? s.steps() : stopAt;
        try (ComputePool pool = new ComputePool(threadCount)) {
            Backend backend = compute.backend(pool);
            Decoder decoder = new Decoder(model, s.context(), backend);
            Optimizer opt = s.optimizer().equals("adamw")
                    ? new AdamW(decoder.parameters(), AdamW.Settings.defaults(), backend)
                    : new SgdSai(decoder.parameters(), SgdSai.Settings.defaults(), backend);
            RunCheckpoints store = new RunCheckpoints(out, model, decoder.parameters(), opt, s.seed(), info,
                    Checkpoint.DEFAULT_KEEP);
            long start = 0;
            if (previous != null) {
                start = store.restore(previous);
                progress.note("resuming " + out + " from step " + start + " of " + s.steps());
            } else {
                decoder.initialise(s.seed());
            }
            if (stop < start) {
                throw usage("--stop-at " + stop + " is before step " + start + ", which the run has reached");
            }
            progress.note(String.format(Locale.ROOT, "model: %,d parameters, layers %s, d %d; %s; %s, lr %.2e -> %.2e, "
                    + "warmup %d, %d threads", decoder.parameters().size(), model.layerMixers(), model.dModel(),
                    train.describe(), s.optimizer(), s.lr(), s.minLr(), s.warmup(), threadCount));
            long trainStart = System.nanoTime();
            Trainer trainer = new Trainer(new TrainableDecoder(decoder), opt, ts, train, eval, store, line -> {
                stderr.println(line);
                stderr.flush();
            });
            Trainer.Outcome outcome = trainer.run(start, stop);
            double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
            if (outcome.diverged()) {
                stderr.println(spec.qualifiedName() + ": error: " + outcome.message());
                stderr.flush();
                return 1;
            }

            Progress.Step scoring = progress.step("scoring held-out part (" + scoringMode.label() + ")",
                    data.evalBases(), "bases");
            HeldOutScore.Result score = scoringMode.score(decoder, s.context(), s.batch(), data, backend,
                    scoring::update);
            scoring.done();
            if (export != null) {
                Map<String, String> exported = new LinkedHashMap<>(info);
                exported.put(PREFIX + "held_out_bits_per_base", String.format(Locale.ROOT, "%.4f", score.bitsPerBase()));
                exported.put(PREFIX + "held_out_scoring", scoringMode.label());
                Checkpoint.save(export, model, decoder.parameters(), null,
                        new TrainerState(outcome.completedSteps(), s.seed(), null, exported), 1);
            }
            double lastLoss = outcome.losses().length == 0 ? Double.NaN : outcome.losses()[outcome.losses().length - 1];
            report(stdout, s, decoder.parameters().size(), outcome, lastLoss, score, scoringMode, trainSeconds);
        }
        return 0;
    }

    private void report(PrintWriter stdout, Settings s, int parameters, Trainer.Outcome outcome, double lastLoss,
                        HeldOutScore.Result score, HeldOutScoring scoringMode, double trainSeconds) {
        long done = outcome.completedSteps();
        if (json.enabled()) {
            stdout.println(new JsonLine().put("op", "dna-pretrain").put("out", out.toString())
                    .put("parameters", parameters).put("steps", done).put("total_steps", s.steps())
                    .put("context", s.context()).put("batch", s.batch())
                    .put("tokens", done * s.batch() * s.context())
                    .put("train_loss", lastLoss, 6).put("eval_loss", outcome.lastEvalLoss(), 6)
                    .put("held_out_bases", score.bases()).put("held_out_n", score.skipped())
                    .put("bits_per_base", score.bitsPerBase(), 4).put("held_out_scoring", scoringMode.label())
                    .put("train_seconds", trainSeconds, 1));
        } else {
            stdout.printf(Locale.ROOT, "trained   %d of %d steps (%,d tokens) in %.1f s, into %s%n", done, s.steps(),
                    done * s.batch() * s.context(), trainSeconds, out);
            stdout.printf(Locale.ROOT, "loss      train %.4f, held-out windows %.4f (nats)%n", lastLoss,
                    outcome.lastEvalLoss());
            stdout.printf(Locale.ROOT, "held-out  %.4f bits/base over %,d bases (%,d N not scored), %s%n",
                    score.bitsPerBase(), score.bases(), score.skipped(),
                    scoringMode.describe(s.context(), !PretrainInputs.fromRecorded(s.fasta()).tags().isEmpty()));
            if (export != null) {
                stdout.println("exported  " + export);
            }
        }
        stdout.flush();
    }

    // ------------------------------------------------------------ settings

    /** Defaults for a new run; the recorded values on resume, where any option given must agree. */
    private Settings settings(Map<String, String> recorded, Progress progress) {
        ResumeSettings r = new ResumeSettings(recorded, PREFIX);
        String fastaPath = r.text("fasta", fasta == null ? null : givenInputs(), () -> defaultGenome(progress));
        double fraction = r.real("holdout_fraction", holdoutFraction, Holdout.DEFAULT_FRACTION);
        String policy = r.text("on_invalid", onInvalid == null ? null : onInvalid.name().toLowerCase(Locale.ROOT),
                () -> "error");
        long n = r.integer("steps", steps, 2000);
        int t = (int) r.integer("context", context == null ? null : context.longValue(), 1024);
        int b = (int) r.integer("batch", batch == null ? null : batch.longValue(), 4);
        double peak = r.real("lr", lr, 3e-3);
        double floor = r.real("min_lr", minLr, peak / 10);
        long warm = r.integer("warmup", warmup, Math.min(200, n / 20));
        String opt = r.text("optimizer", optimizer, () -> "adamw");
        double clipNorm = r.real("clip", clip, 1.0);
        long s = r.integer("seed", seed, 1);
        int every = (int) r.integer("eval_every", evalEvery == null ? null : evalEvery.longValue(), Math.max(1, n / 10));
        int batches = (int) r.integer("eval_batches", evalBatches == null ? null : evalBatches.longValue(), 4);
        int ckpt = (int) r.integer("checkpoint_every", checkpointEvery == null ? null : checkpointEvery.longValue(), every);
        int log = (int) r.integer("log_every", logEvery == null ? null : logEvery.longValue(), Math.max(1, n / 100));
        r.requireSame(out);
        if (!(fraction > 0 && fraction < 1)) {
            throw usage("--holdout-fraction must be in (0, 1), got " + fraction);
        }
        if (n < 1 || t < 2 || b < 1) {
            throw usage("--steps and --batch must be >= 1 and --context >= 2, got " + n + ", " + b + ", " + t);
        }
        if (!(peak > 0) || Double.isInfinite(peak) || !(floor >= 0 && floor <= peak)) {
            throw usage("--lr must be finite and > 0 and --min-lr in [0, lr], got " + peak + ", " + floor);
        }
        if (warm < 0 || warm > n) {
            throw usage("--warmup must be in [0, steps = " + n + "], got " + warm);
        }
        if (!opt.equals("adamw") && !opt.equals("sgd-sai")) {
            throw usage("--optimizer must be adamw or sgd-sai, got '" + opt + "'");
        }
        if (!(clipNorm > 0)) {
            throw usage("--clip must be > 0, got " + clipNorm);
        }
        if (every < 0 || batches < 0 || ckpt < 0 || log < 1) {
            throw usage("--eval-every, --eval-batches and --checkpoint-every must be >= 0 and --log-every >= 1");
        }
        if (stopAt != null && (stopAt < 1 || stopAt > n)) {
            throw usage("--stop-at must be in [1, steps = " + n + "], got " + stopAt);
        }
        return new Settings(fastaPath, fraction, OnInvalid.parse(policy), n, t, b, peak, floor, warm, opt, clipNorm, s,
                every, batches, ckpt, log);
    }

    /** The recorded form of the --fasta values ({@link PretrainInputs}). */
    private String givenInputs() {
        try {
            return PretrainInputs.fromOptions(fasta).recorded();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private static String defaultGenome(Progress progress) {
        ReferenceGenome genome = ReferenceGenome.ECOLI_K12_MG1655;
        return GenomeCache.locate().obtain(genome, progress::note).toAbsolutePath().toString();
    }

    /** The default architecture, a preset (vocabulary set to the tokenizer's and the tags') or a config file, checked to fit them. */
    private ModelConfig loadConfig(DnaTags tags) {
        if (config == null) {
            return withVocabulary(DnaModel.defaultConfig(), tags.vocabSize());
        }
        ModelConfig c = ConfigOption.isPreset(config)
                ? withVocabulary(ConfigOption.load(config), tags.vocabSize()) : ConfigOption.load(config);
        if (c.tokenVocab() < tags.vocabSize()) {
            throw new UserException("--config " + config + ": a DNA model needs token input and a softmax head over at "
                    + "least " + tags.vocabSize() + " ids (the nucleotide tokenizer's" + (tags.isEmpty() ? ")"
                    : " 9 and one per tag: " + tags.describe() + ")"));
        }
        return c;
    }

    static ModelConfig withVocabulary(ModelConfig c, int vocab) {
        return c.toBuilder().input(CoreComponents.tokens(vocab))
                .head(CoreComponents.softmax(vocab, c.head().bool("tied", false))).build();
    }

    private ModelConfig resumedConfig(LoadedCheckpoint previous, DnaTags tags) {
        if (config != null) {
            try {
                previous.requireConfig(loadConfig(tags));
            } catch (IllegalArgumentException e) {
                throw new UserException("--resume with --config " + config + ": " + e.getMessage(), e);
            }
        }
        return previous.config();
    }

    private void requireSameData(Map<String, String> recorded, Map<String, String> now) {
        for (String key : List.of("train_bases", "eval_bases")) {
            String old = recorded.get(PREFIX + key);
            if (old != null && !old.equals(now.get(PREFIX + key))) {
                throw new UserException(now.get(PREFIX + "fasta") + " now gives " + now.get(PREFIX + key) + " "
                        + key.replace('_', ' ') + ", the run in " + out + " recorded " + old
                        + "; the data changed, so the run cannot be resumed");
            }
        }
    }

    // ------------------------------------------------------------ directories

    /** The latest checkpoint of --out, which must be a DNA pretraining run. */
    private LoadedCheckpoint latestRun() throws IOException {
        RunDirectory.requireLatest(out);
        LoadedCheckpoint loaded = DnaModel.open(out).checkpoint();
        RunDirectory.requireResumable(loaded, PREFIX + "steps", "dna pretrain");
        return loaded;
    }

    private void checkExportDir() throws IOException {
        if (export == null) {
            return;
        }
        if (Objects.equals(export.toAbsolutePath().normalize(), out.toAbsolutePath().normalize())) {
            throw usage("--export must differ from --out");
        }
        RunDirectory.requireExportable(export);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
