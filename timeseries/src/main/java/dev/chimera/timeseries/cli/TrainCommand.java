package dev.chimera.timeseries.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.checkpoint.Checkpoint;
import dev.chimera.core.checkpoint.LoadedCheckpoint;
import dev.chimera.core.checkpoint.RunCheckpoints;
import dev.chimera.core.checkpoint.TrainerState;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.train.AdamW;
import dev.chimera.core.train.TrainableDecoder;
import dev.chimera.core.train.Trainer;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.Progress;
import dev.chimera.runtime.ResumeSettings;
import dev.chimera.runtime.RunDirectory;
import dev.chimera.runtime.UserException;
import dev.chimera.timeseries.baseline.QuantileLevels;
import dev.chimera.timeseries.baseline.Ridge;
import dev.chimera.timeseries.data.Scaler;
import dev.chimera.timeseries.data.SeriesTable;
import dev.chimera.timeseries.data.Split;
import dev.chimera.timeseries.eval.Windows;
import dev.chimera.timeseries.model.LinearSkip;
import dev.chimera.timeseries.model.ModelEvaluation;
import dev.chimera.timeseries.model.SegmentSequences;
import dev.chimera.timeseries.model.TsModel;
import dev.chimera.timeseries.model.TsSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chimera ts train}: fits the linear skip (ridge, regularisation chosen on the validation
 * split), then trains the decoder on the train split's segment sequences to predict its residual
 * with the core trainer, checkpointing into {@code --out}. Every {@code --eval-every} steps the
 * model forecasts the validation windows (every 4th origin, fewer on wide files; horizon one segment); the weights with
 * the best validation score (MSE for a point head, WQL for a Fourier head), the untrained decoder (the skip alone) included, are the model the run
 * ends with, so training can only improve on the linear path as far as validation can tell; a point head's trained
 * weights count only where their validation losses are below the skip's beyond the noise ({@link SkipVerdict}).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Trains a forecasting model (AutoTimes-style segments on the hybrid decoder) on a split's train part.")
public final class TrainCommand implements Callable<Integer> {
    static final String PREFIX = "ts_train.";
    private static final String BEST = "best.safetensors";
    /** Segments a forecast rolls through in training: enough for a 720-step horizon. */
    private static final int ROLL_POINTS = 720;
    /** Segments the Forecaster steps before it rebuilds its state. */
    private static final int REFRESH = 4;

    @Spec
    CommandSpec spec;

    @Mixin
    TableOptions data;

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Option(names = "--config", paramLabel = "tiny|small|FILE", description = "Trunk preset or config JSON (default: small).")
    String config;

    @Option(names = "--lookback", paramLabel = "L", description = "Points of history per forecast (default: 7 segments, 672).")
    Long lookback;

    @Option(names = "--segment", paramLabel = "S", description = "Points per token (default: 96).")
    Long segment;

    @Option(names = "--head", paramLabel = "point|fourier", description = "Point (MSE) or probabilistic Fourier head (default: point).")
    String head;

    @Option(names = "--skip", paramLabel = "ridge|none", description = "Linear skip path whose residual the decoder learns (default: ridge).")
    String skip;

    @Option(names = "--steps", description = "Optimiser steps (default: 1000).")
    Long steps;

    @Option(names = "--batch", description = "Sequences per step (default: 16).")
    Long batch;

    @Option(names = "--lr", description = "Peak learning rate (default: 1e-4).")
    Double lr;

    @Option(names = "--seed", description = "Seed of initial weights and batches (default: 1).")
    Long seed;

    @Option(names = "--eval-every", paramLabel = "N", description = "Steps between validation forecasts (default: 25).")
    Long evalEvery;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory: checkpoints and the model.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its latest checkpoint.")
    boolean resume;

    @Option(names = "--stop-at", paramLabel = "N",
            description = "Stop after step N with a checkpoint (the run's schedule unchanged); --resume continues it.")
    Long stopAt;

    record Settings(String config, int lookback, int segment, String head, boolean skip, long steps, int batch,
                    double lr, long seed, int evalEvery) {
        Map<String, String> toInfo() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put(PREFIX + "config", config);
            m.put(PREFIX + "lookback", Integer.toString(lookback));
            m.put(PREFIX + "segment", Integer.toString(segment));
            m.put(PREFIX + "head", head);
            m.put(PREFIX + "skip", skip ? "ridge" : "none");
            m.put(PREFIX + "steps", Long.toString(steps));
            m.put(PREFIX + "batch", Integer.toString(batch));
            m.put(PREFIX + "lr", Double.toString(lr));
            m.put(PREFIX + "seed", Long.toString(seed));
            m.put(PREFIX + "eval_every", Integer.toString(evalEvery));
            return m;
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Progress progress = new Progress(stderr, System.console() != null, "");
        LoadedCheckpoint previous = null;
        if (resume) {
            RunDirectory.requireLatest(out);
            previous = Checkpoint.load(out);
            RunDirectory.requireResumable(previous, PREFIX + "steps", "ts train");
        } else {
            RunDirectory.requireFresh(out);
        }
        Map<String, String> recorded = previous == null ? Map.of() : previous.trainerState().info();
        Settings s = settings(recorded);

        SeriesTable table = data.read();
        Split split = data.split(table, s.lookback(), s.segment());
        Scaler scaler = Scaler.fit(table, split);
        progress.note(String.format(Locale.ROOT, "data: %s, %d series x %,d rows every %s; train rows [0, %d), "
                        + "validation [%d, %d), test [%d, %d)", table.source(), table.seriesCount(), table.length(),
                table.step(), split.trainEnd(), split.trainEnd(), split.validationEnd(), split.validationEnd(),
                split.testEnd()));
        int prefill = s.lookback() / s.segment();
        int context = trainingContext(s, prefill, split.trainEnd(), progress);
        int refresh = Math.min(REFRESH, context - prefill);
        TsSettings probe = new TsSettings(s.lookback(), s.segment(), context, refresh, s.head(), s.skip(), 1.0,
                table.step().getSeconds());

        try (ComputePool pool = new ComputePool(compute.threads())) {
            Backend backend = compute.backend(pool);
            LinearSkip linear = s.skip() ? skip(table, scaler, split, probe, pool, progress) : null;
            double range = s.head().equals("fourier") ? residualRange(table, split, probe, linear, s) : 1.0;
            TsSettings settings = new TsSettings(probe.lookback(), probe.segment(), probe.context(), refresh, s.head(),
                    s.skip(), range, probe.stepSeconds());
            ModelConfig model = previous == null ? TsPresets.forSettings(TsPresets.trunk(s.config()), settings)
                    : previous.config();
            Map<String, String> info = new LinkedHashMap<>(TsModel.info(settings));
            info.putAll(s.toInfo());
            info.put(PREFIX + "data", table.source());

            Decoder decoder = new Decoder(model, settings.context(), backend);
            AdamW opt = new AdamW(decoder.parameters(), AdamW.Settings.defaults(), backend);
            RunCheckpoints store = new RunCheckpoints(out, model, decoder.parameters(), opt, s.seed(), info, 2);
            long start = 0;
            BestWeights best = new BestWeights(out.resolve(BEST), settings.fourier() ? "WQL" : "MSE");
            if (previous != null) {
                start = store.restore(previous);
                best.read();
                progress.note("resuming " + out + " from step " + start + " of " + s.steps());
            } else {
                decoder.initialise(s.seed());
                zeroResidual(decoder, settings);
                java.nio.file.Files.createDirectories(out);
                if (linear != null) {
                    linear.save(out, Map.of("lookback", Integer.toString(settings.lookback()),
                            "segment", Integer.toString(settings.segment())));
                }
            }
            TsModel forecaster = new TsModel(out, decoder, settings, linear);
            SegmentSequences train = new SegmentSequences(table.values(), table.timestamps(), 0, split.trainEnd(),
                    settings, linear, s.batch(), s.seed(), "train");
            progress.note(String.format(Locale.ROOT, "model: %,d parameters, layers %s, d %d, %s head%s; %s",
                    decoder.parameters().size(), model.layerMixers(), model.dModel(), s.head(),
                    linear == null ? "" : ", ridge skip", train.describe()));
            if (train.size() == 0) {
                throw new UserException(table.source() + ": the train part holds no complete sequence of "
                        + settings.context() + " segments; use a shorter --lookback or --segment");
            }
            ModelEvaluation validation = new ModelEvaluation(forecaster, table, scaler, split, 256);
            int stride = SkipVerdict.stride(Windows.validation(split, settings.lookback(), settings.segment()).count(),
                    table.seriesCount());
            SkipVerdict verdict = settings.fourier() ? null : new SkipVerdict(validation(skipOnly(model, settings,
                    backend, s.seed(), linear), table, scaler, split), settings.segment(), stride, checks(s));
            long warmup = Math.min(100, s.steps() / 10);
            Trainer.Settings ts = new Trainer.Settings(s.steps(), 1, s.lr(), s.lr() / 10, warmup, 1.0, 0, 0, 0,
                    Math.max(1, s.evalEvery()));
            // No store in the trainer: this loop checkpoints between pieces, and the run ends with the best weights.
            Trainer trainer = new Trainer(new TrainableDecoder(decoder), opt, ts, train, null, null, line -> {
                stderr.println(line);
                stderr.flush();
            });
            long t0 = System.nanoTime();
            if (start == 0 && !best.known()) {
                check(0, validation, verdict, stride, settings, best, decoder, progress);
            }
            long end = stopAt == null ? s.steps() : stopAt;
            if (end < start || end > s.steps()) {
                throw usage("--stop-at must be in [" + start + ", " + s.steps() + "], got " + end);
            }
            for (long at = start; at < end; ) {
                // pieces end where the uninterrupted run validates (multiples of --eval-every), or at --stop-at
                long stop = Math.min(end, (at / s.evalEvery() + 1) * s.evalEvery());
                Trainer.Outcome outcome = trainer.run(at, stop);
                if (outcome.diverged()) {
                    stderr.println(spec.qualifiedName() + ": error: " + outcome.message());
                    return 1;
                }
                if (stop % s.evalEvery() == 0 || stop == s.steps()) {
                    check(stop, validation, verdict, stride, settings, best, decoder, progress);
                }
                if (stop < s.steps()) {
                    store.save(stop);
                }
                at = stop;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (end < s.steps()) {
                stdout.printf(Locale.ROOT, "stopped   at step %d of %d in %.1f s; continue with --resume --out %s%n", end,
                        s.steps(), seconds, out);
                stdout.flush();
                return 0;
            }
            best.restoreInto(decoder);
            if (settings.fourier() && settings.skip()) {
                info.putAll(location(decoder, settings, linear, table, scaler, split, stride, progress).toInfo());
            }
            info.put(TsSettings.PREFIX + "best_step", Long.toString(best.step));
            info.put(TsSettings.PREFIX + "validation_" + best.metric.toLowerCase(Locale.ROOT),
                    String.format(Locale.ROOT, "%.6f", best.mse));
            Checkpoint.save(out, model, decoder.parameters(), null, new TrainerState(s.steps(), s.seed(), null, info), 2);
            report(stdout, s, decoder.parameters().size(), best, stride, seconds);
        }
        return 0;
    }

    /**
     * Starts the head at "no residual": the untrained model is the linear skip alone (or zero
     * without one). A regression head's weights are zeroed; a Fourier head's too, with each value's
     * constant coefficient a_0 set to 1 (all others 0: the uniform density, whose mean is 0).
     */
    private static void zeroResidual(Decoder decoder, TsSettings settings) {
        decoder.parameters().value("head.weight").fill(0f);
        if (settings.fourier()) {
            var bias = decoder.parameters().value("head.bias");
            bias.fill(0f);
            int width = bias.size() / settings.segment();
            for (int v = 0; v < settings.segment(); v++) {
                bias.data()[bias.offset() + v * width] = 1f;
            }
        }
    }

    /**
     * Segments per training sequence: the lookback's, the ones a 720-step forecast rolls through,
     * and the Forecaster's refresh; fewer when the train part is too short to hold such a sequence
     * (a forecast then rolls past the positions it was trained on), an error when it cannot hold
     * the lookback and two more segments.
     */
    private int trainingContext(Settings s, int prefill, int trainRows, Progress progress) {
        int wanted = prefill + (ROLL_POINTS + s.segment() - 1) / s.segment() + REFRESH - 1;
        int before = s.skip() ? 2 * s.lookback() - s.segment() : s.lookback();
        int fits = (trainRows - before) / s.segment() + prefill - 1;
        if (fits < prefill + 1) {
            throw new UserException(data.file() + ": the train part's " + trainRows + " rows cannot hold a training "
                    + "sequence (" + before + " rows before its origin and two segments of " + s.segment()
                    + "); use a shorter --lookback or --segment, or a larger train part (--split)");
        }
        if (fits < wanted) {
            progress.note(String.format(Locale.ROOT, "note: the train part holds sequences of %d segments, not %d; "
                    + "forecasts roll past the positions trained on", fits, wanted));
        }
        return Math.min(wanted, fits);
    }

    /**
     * Where the Fourier model's forecast sits: the density's mean on top of the skip, or the skip's
     * forecast with the density (its median moved to 0) giving only the spread. The density's mean
     * is kept only where its validation losses (the same windows as the training checks) are lower
     * than the skip's beyond the noise ({@link SkipVerdict}). The quantiles follow.
     */
    private TsSettings location(Decoder decoder, TsSettings settings, LinearSkip linear, SeriesTable table,
                                Scaler scaler, Split split, int stride, Progress progress) {
        SkipVerdict verdict = new SkipVerdict(validation(new TsModel(out, decoder, settings.centredOnSkip(true), linear),
                table, scaler, split), settings.segment(), stride, 1);
        double[] density = verdict.losses(validation(new TsModel(out, decoder, settings, linear), table, scaler, split));
        double t = verdict.statistic(density);
        boolean densityMean = t > verdict.critical();
        progress.note(String.format(Locale.ROOT, "location: validation MSE %.4f with the density's mean, %.4f centred "
                + "on the skip (t %.2f); keeping %s", SkipVerdict.mean(density), verdict.skipMse(), t,
                densityMean ? "the density" : "the skip"));
        return settings.centredOnSkip(!densityMean);
    }

    /** Validation checks after step 0: every --eval-every steps and at the end. */
    private static int checks(Settings s) {
        return (int) ((s.steps() + s.evalEvery() - 1) / s.evalEvery());
    }

    private static ModelEvaluation validation(TsModel model, SeriesTable table, Scaler scaler, Split split) {
        return new ModelEvaluation(model, table, scaler, split, 256);
    }

    /** The untrained model, the linear skip alone: step 0 of a fresh run with the same seed. */
    private TsModel skipOnly(ModelConfig model, TsSettings settings, Backend backend, long seed, LinearSkip linear) {
        Decoder untrained = new Decoder(model, settings.context(), backend);
        untrained.initialise(seed);
        zeroResidual(untrained, settings);
        return new TsModel(out, untrained, settings, linear);
    }

    /**
     * One validation check of the weights at this step. A Fourier head is scored by WQL and the best
     * kept. A point head is scored by MSE, and weights other than the untrained ones are eligible only
     * where the test of {@link SkipVerdict} finds their losses below the skip's beyond the noise: of a
     * dozen checks on a few months of validation, the luckiest often beats the skip by chance (a seeded
     * hourly series: kept at -1.3% on validation, +8.1% over the test horizons).
     */
    private static void check(long step, ModelEvaluation validation, SkipVerdict verdict, int stride,
                              TsSettings settings, BestWeights best, Decoder decoder, Progress progress)
            throws IOException {
        if (verdict == null) {
            best.offer(step, validationScore(validation, settings, stride), decoder, progress);
            return;
        }
        double[] losses = verdict.losses(validation);
        double mse = SkipVerdict.mean(losses);
        double t = verdict.statistic(losses);
        if (step == 0) {
            best.offer(step, mse, decoder, progress);
        } else if (t > verdict.critical()) {
            best.offer(step, mse, String.format(Locale.ROOT, "t %.2f > %.2f", t, verdict.critical()), decoder, progress);
        } else {
            best.decline(step, mse, String.format(Locale.ROOT, "not below the skip's %.4f beyond the noise, t %.2f <= %.2f",
                    verdict.skipMse(), t, verdict.critical()), progress);
        }
    }

    /**
     * The validation score the run keeps its best weights by, over one-segment forecasts from every
     * stride-th validation origin: MSE for a point head, WQL (0.1..0.9) for a
     * Fourier head, whose quantiles are what it is for.
     */
    private static double validationScore(ModelEvaluation validation, TsSettings settings, int stride) {
        int h = settings.segment();
        double[] levels = settings.fourier() ? QuantileLevels.defaults() : new double[0];
        var m = validation.evaluate(Windows.Part.VALIDATION, new int[] {h}, levels, stride, done -> { })
                .get(h);
        return settings.fourier() ? m.wql() : m.mse();
    }

    private LinearSkip skip(SeriesTable table, Scaler scaler, Split split, TsSettings s, ComputePool pool,
                            Progress progress) throws IOException {
        if (resume && LinearSkip.existsIn(out)) {
            return LinearSkip.load(out, s.lookback(), s.segment());
        }
        long t0 = System.nanoTime();
        Ridge ridge = new Ridge(pool);
        ridge.fit(scaler.scale(table.values()), split, s.lookback(), new int[] {s.segment()});
        var weights = ridge.weights(s.segment());
        progress.note(String.format(Locale.ROOT, "linear skip: ridge %d -> %d, lambda %.3g (chosen on validation, fitted on train + validation), "
                + "%.1f s", s.lookback(), s.segment(), weights.lambda(), (System.nanoTime() - t0) / 1e9));
        return new LinearSkip(s.lookback(), s.segment(), weights.weightsAsFloats());
    }

    /** The Fourier head's range: 1.25 x the 99.9th percentile of |residual| over train sequences, at least 1. */
    private static double residualRange(SeriesTable table, Split split, TsSettings s, LinearSkip linear, Settings o) {
        TsSettings point = new TsSettings(s.lookback(), s.segment(), s.context(), s.refresh(), "point", s.skip(), 1.0,
                s.stepSeconds());
        SegmentSequences sequences = new SegmentSequences(table.values(), table.timestamps(), 0, split.trainEnd(),
                point, linear, 16, o.seed() + 7, "range");
        float[] all = new float[0];
        for (int i = 0; i < 32 && sequences.size() > 0; i++) {
            float[] t = sequences.batch(i).targets().values();
            int at = all.length;
            all = Arrays.copyOf(all, at + t.length);
            for (int j = 0; j < t.length; j++) {
                all[at + j] = Math.abs(t[j]);
            }
        }
        if (all.length == 0) {
            return 1.0;
        }
        Arrays.sort(all);
        return Math.max(1.0, 1.25 * all[(int) (0.999 * (all.length - 1))]);
    }

    private void report(PrintWriter stdout, Settings s, int parameters, BestWeights best, int stride,
                        double seconds) {
        if (json.enabled()) {
            stdout.println(new JsonLine().put("op", "ts-train").put("out", out.toString()).put("parameters", parameters)
                    .put("steps", s.steps()).put("best_step", best.step).put("validation_metric", best.metric).put("validation_score", best.mse, 6)
                    .put("train_seconds", seconds, 1));
        } else {
            stdout.printf(Locale.ROOT, "trained   %d steps in %.1f s into %s%n", s.steps(), seconds, out);
            stdout.printf(Locale.ROOT, "kept      step %d: validation %s %.4f (horizon %d, one validation origin in %d)%n",
                    best.step, best.metric, best.mse, s.segment(), stride);
        }
        stdout.flush();
    }

    private Settings settings(Map<String, String> recorded) {
        ResumeSettings r = new ResumeSettings(recorded, PREFIX);
        String c = r.text("config", config, () -> "small");
        int seg = (int) r.integer("segment", segment, 96);
        int look = (int) r.integer("lookback", lookback, 7L * seg);
        String h = r.text("head", head, () -> "point");
        String sk = r.text("skip", skip, () -> "ridge");
        long n = r.integer("steps", steps, 1000);
        int b = (int) r.integer("batch", batch, 16);
        double peak = r.real("lr", lr, 1e-4);
        long sd = r.integer("seed", seed, 1);
        int every = (int) r.integer("eval_every", evalEvery, 25);
        r.requireSame(out);
        if (seg < 1 || look < seg || look % seg != 0) {
            throw usage("--lookback must be a positive multiple of --segment, got " + look + " and " + seg);
        }
        if (!h.equals("point") && !h.equals("fourier")) {
            throw usage("--head must be point or fourier, got '" + h + "'");
        }
        if (!sk.equals("ridge") && !sk.equals("none")) {
            throw usage("--skip must be ridge or none, got '" + sk + "'");
        }
        if (n < 1 || b < 1 || every < 1 || !(peak > 0)) {
            throw usage("--steps, --batch, --eval-every and --lr must be positive");
        }
        return new Settings(c, look, seg, h, sk.equals("ridge"), n, b, peak, sd, every);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
