package dev.chimera.robotics.cli;

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
import dev.chimera.robotics.policy.PolicyExamples;
import dev.chimera.robotics.policy.PolicyModel;
import dev.chimera.robotics.policy.PolicyTraining;
import dev.chimera.robotics.policy.ReplanChoice;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.RunDirectory;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chimera robot train}: behaviour cloning of an action-chunk policy on scripted
 * pick-and-place demonstrations, the hybrid decoder over the observation history with a head
 * regressing the tokens of a BEAST or a per-step binning codec (each token's value in [-1, 1]).
 * Both codecs get the same trunk, data, steps and batch; the replanning interval is chosen on
 * validation episodes after training ({@link ReplanChoice}). Checkpoints every {@code --checkpoint-every} steps; {@code --resume}
 * continues a run.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Trains a policy on simulated demonstrations: BEAST tokens in one pass, or per-step bins.")
public final class RobotTrainCommand implements Callable<Integer> {
    /** Replanning intervals (frames at 50 Hz) tried on validation episodes at the end of training. */
    static final int[] REPLAN_CANDIDATES = {15, 20, 25, 30, 35, 40, 45};

    @Spec
    CommandSpec spec;

    @Mixin
    ComputeOptions compute;

    @Option(names = "--tokenizer", defaultValue = "beast", description = "beast or binning (default: ${DEFAULT-VALUE}).")
    String tokenizer;

    @Option(names = "--out", required = true, description = "Run directory to create.")
    Path out;

    @Option(names = "--demos", description = "Demonstrations file (.csv or .arrow from 'robot demos'); default: "
            + "--episodes generated here.")
    Path demos;

    @Option(names = "--episodes", defaultValue = "1000", description = "Demonstrations to generate (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--steps", defaultValue = "1500", description = "Training steps (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--batch", defaultValue = "32", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "3e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation and batches (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "500", description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--validation-episodes", defaultValue = "60", description = "Episodes (seeds of their own) on which "
            + "the replanning interval is chosen after training (default: ${DEFAULT-VALUE}).")
    int validationEpisodes;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--stop-at", paramLabel = "STEP", description = "Stop after this step with a checkpoint; "
            + "continue later with --resume.")
    Long stopAt;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (!tokenizer.equals("beast") && !tokenizer.equals("binning")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--tokenizer must be beast or binning, got " + tokenizer);
        }
        if (steps < 1 || batch < 1 || checkpointEvery < 1 || validationEpisodes < 1 || !(lr > 0)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--steps, --batch, --checkpoint-every, --validation-episodes and --lr must be positive");
        }
        LoadedCheckpoint previous = null;
        if (resume) {
            RunDirectory.requireLatest(out);
            previous = Checkpoint.load(out);
            RunDirectory.requireResumable(previous, PolicyTraining.OPTIONS_KEY, "robot train");
        } else {
            RunDirectory.requireFresh(out);
        }
        PolicyTraining.Data data = PolicyTraining.Data.load(demos, episodes, stderr);
        try (ComputePool pool = new ComputePool(compute.threads())) {
            Backend backend = compute.backend(pool);
            PolicyModel fresh = PolicyTraining.newModel(tokenizer, data, backend, out);
            ModelConfig config = fresh.decoder().config();
            Decoder decoder = fresh.decoder();
            Map<String, String> info = new LinkedHashMap<>(fresh.info());
            info.put(PolicyTraining.OPTIONS_KEY, String.format(Locale.ROOT,
                    "--tokenizer %s --episodes %d --steps %d --batch %d --lr %s --seed %d%s", tokenizer, data.size(), steps,
                    batch, lr, seed, demos == null ? "" : " --demos " + demos));
            AdamW opt = new AdamW(decoder.parameters(), AdamW.Settings.defaults(), backend);
            RunCheckpoints store = new RunCheckpoints(out, config, decoder.parameters(), opt, seed, info, 2);
            long start = 0;
            String recorded = previous == null ? null : previous.trainerState().info().get(PolicyTraining.OPTIONS_KEY);
            if (previous != null && !info.get(PolicyTraining.OPTIONS_KEY).equals(recorded)) {
                throw new UserException("--resume: " + out + " was started with '" + recorded + "'; resume it with the "
                        + "same options, not '" + info.get(PolicyTraining.OPTIONS_KEY) + "'");
            }
            if (previous != null) {
                start = store.restore(previous);
                stderr.println("resuming " + out + " from step " + start + " of " + steps);
            } else {
                decoder.initialise(seed);
                Files.createDirectories(out);
            }
            PolicyExamples examples = data.examples(fresh, batch, seed);
            stderr.printf(Locale.ROOT, "model: %,d parameters, layers %s, d %d, %s codec (%d values x %d predictions); %s%n",
                    decoder.parameters().size(), config.layerMixers(), config.dModel(), tokenizer,
                    fresh.codec().valuesPerPrediction(), fresh.codec().predictionsPerChunk(), examples.describe());
            Trainer.Settings ts = new Trainer.Settings(steps, 1, lr, lr / 10, Math.min(100, steps / 10), 1.0, 0, 0, 0,
                    100);
            // The loop checkpoints between pieces (with the optimiser, to resume); the run ends with the model alone.
            Trainer trainer = new Trainer(new TrainableDecoder(decoder), opt, ts, examples, null, null, line -> {
                stderr.println(line);
                stderr.flush();
            });
            long t0 = System.nanoTime();
            double lastLoss = Double.NaN;
            long end = stopAt == null ? steps : stopAt;
            if (end < start || end > steps) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--stop-at must be in [" + start + ", " + steps + "], got " + end);
            }
            for (long at = start; at < end; ) {
                long stop = Math.min(end, (at / checkpointEvery + 1) * checkpointEvery);
                Trainer.Outcome outcome = trainer.run(at, stop);
                if (outcome.diverged()) {
                    stderr.println(spec.qualifiedName() + ": error: " + outcome.message());
                    return 1;
                }
                double[] losses = outcome.losses();
                lastLoss = losses.length == 0 ? lastLoss : losses[losses.length - 1];
                if (stop < steps) {
                    store.save(stop);
                }
                at = stop;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (end < steps) {
                stdout.printf(Locale.ROOT, "stopped   at step %d of %d in %.1f s; continue with --resume --out %s%n", end,
                        steps, seconds, out);
                stdout.flush();
                return 0;
            }
            PolicyModel trained = ReplanChoice.choose(fresh, REPLAN_CANDIDATES, validationEpisodes, stderr);
            info.putAll(trained.info());
            Checkpoint.save(out, config, decoder.parameters(), null, new TrainerState(steps, seed, null, info), 2);
            String command = "./chimera robot train " + info.get(PolicyTraining.OPTIONS_KEY) + " --out " + out;
            Files.writeString(out.resolve("COMMAND"), command + System.lineSeparator(), StandardCharsets.UTF_8);
            stdout.printf(Locale.ROOT, "trained   %s policy, %d steps in %.1f s, last loss %.4f, replanning every %d "
                    + "frames -> %s%n", tokenizer, steps, seconds, lastLoss, trained.replan(), out);
            stdout.flush();
        }
        return 0;
    }
}
