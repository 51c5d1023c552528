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
import dev.chimera.robotics.policy.EnsembleFile;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * Both codecs get the same trunk, data, steps and batch, and the same number of members (an
 * ensemble of decoders trained alike from consecutive seeds, one after another); the replanning
 * interval is chosen for the whole policy on validation episodes after training
 * ({@link ReplanChoice}). Checkpoints every {@code --checkpoint-every} steps; {@code --resume}
 * continues a run where it stopped (finished members are taken as they are).
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

    @Option(names = "--episodes", defaultValue = "3000", description = "Demonstrations to generate (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--steps", defaultValue = "8000", description = "Training steps of each member (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--batch", defaultValue = "64", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
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

    @Option(names = "--members", defaultValue = "3", description = "Decoders in the policy, trained alike from seeds "
            + "--seed, --seed + 1, ...; it plans with their mean head values. With 1, --out is the run directory; with "
            + "more, it holds member-1 .. member-K and " + PolicyModel.ENSEMBLE_FILE + " (default: ${DEFAULT-VALUE}).")
    int members;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoints.")
    boolean resume;

    @Option(names = "--stop-at", paramLabel = "STEP", description = "Stop the member being trained after this step "
            + "with a checkpoint; continue later with --resume.")
    Long stopAt;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (!tokenizer.equals("beast") && !tokenizer.equals("binning")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--tokenizer must be beast or binning, got " + tokenizer);
        }
        if (steps < 1 || batch < 1 || members < 1 || checkpointEvery < 1 || validationEpisodes < 1 || !(lr > 0)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--steps, --batch, --members, --checkpoint-every, --validation-episodes and --lr must be positive");
        }
        long end = stopAt == null ? steps : stopAt;
        if (end < 0 || end > steps) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--stop-at must be in [0, " + steps + "], got " + end);
        }
        if (resume) {
            if (!Files.isDirectory(out)) {
                throw new UserException("--resume: " + out + " holds no run to resume; start one without --resume");
            }
        } else {
            RunDirectory.requireFresh(out);
        }
        PolicyTraining.Data data = PolicyTraining.Data.load(demos, episodes, stderr);
        try (ComputePool pool = new ComputePool(compute.threads())) {
            Backend backend = compute.backend(pool);
            List<Member> trained = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int k = 1; k <= members; k++) {
                Member member = new Member(k, PolicyTraining.newModel(tokenizer, data, backend, memberDirectory(k)),
                        data.size(), backend);
                if (!member.train(data, end, stderr)) {
                    return 1;
                }
                if (end < steps) {
                    stdout.printf(Locale.ROOT, "stopped   at step %d of %d (member %d of %d) in %.1f s; continue with "
                            + "--resume --out %s%n", end, steps, k, members, (System.nanoTime() - t0) / 1e9, out);
                    stdout.flush();
                    return 0;
                }
                trained.add(member);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (trained.stream().allMatch(m -> m.finished)
                    && (members == 1 || Files.isRegularFile(out.resolve(PolicyModel.ENSEMBLE_FILE)))) {
                stdout.println("finished  " + out + " was trained to the end before; nothing to do");
                stdout.flush();
                return 0;
            }
            List<Decoder> decoders = new ArrayList<>();
            for (Member m : trained) {
                decoders.add(m.decoder());
            }
            PolicyModel ensemble = trained.get(0).model.withMembers(decoders);
            PolicyModel chosen = ReplanChoice.choose(ensemble, REPLAN_CANDIDATES, validationEpisodes, stderr);
            for (Member m : trained) {
                m.saveFinal(chosen);
            }
            if (members > 1) {
                EnsembleFile.write(out, members, chosen.replan());
            }
            String command = String.format(Locale.ROOT, "./chimera robot train --tokenizer %s --members %d --episodes %d "
                    + "--steps %d --batch %d --lr %s --seed %d%s --out %s", tokenizer, members, data.size(), steps, batch,
                    lr, seed, demos == null ? "" : " --demos " + demos, out);
            Files.writeString(out.resolve("COMMAND"), command + System.lineSeparator(), StandardCharsets.UTF_8);
            double lastLoss = trained.get(trained.size() - 1).lastLoss;
            stdout.printf(Locale.ROOT, "trained   %s policy of %d member%s, %d steps each in %.1f s%s, replanning every %d "
                            + "frames -> %s%n", tokenizer, members, members == 1 ? "" : "s", steps, seconds,
                    Double.isNaN(lastLoss) ? "" : String.format(Locale.ROOT, ", last loss %.4f", lastLoss),
                    chosen.replan(), out);
            stdout.flush();
        }
        return 0;
    }

    /** Member k's run directory: --out itself for a single policy, else --out/member-k. */
    private Path memberDirectory(int k) {
        return members == 1 ? out : out.resolve(PolicyModel.MEMBER_PREFIX + k);
    }

    /**
     * One member's training: seed --seed + k - 1, its own run directory, checkpoints with the
     * optimiser every --checkpoint-every steps; on --resume it continues from its latest checkpoint,
     * or takes a finished one (saved without optimiser at the last step) as it is.
     */
    private final class Member {
        final PolicyModel model;
        final long memberSeed;
        final String options;
        final Backend backend;
        boolean finished;
        double lastLoss = Double.NaN;

        Member(int index, PolicyModel model, int demonstrations, Backend backend) {
            this.model = model;
            this.memberSeed = seed + index - 1;
            this.backend = backend;
            this.options = String.format(Locale.ROOT, "--tokenizer %s --episodes %d --steps %d --batch %d --lr %s "
                    + "--seed %d%s", tokenizer, demonstrations, steps, batch, lr, memberSeed,
                    demos == null ? "" : " --demos " + demos);
        }

        Decoder decoder() {
            return model.members().get(0);
        }

        Path directory() {
            return model.directory();
        }

        /** Trains up to step {@code end} (a finished member is loaded instead); false if training diverged. */
        boolean train(PolicyTraining.Data data, long end, PrintWriter stderr) throws IOException {
            Decoder decoder = decoder();
            ModelConfig config = decoder.config();
            Map<String, String> info = new LinkedHashMap<>(model.info());
            info.put(PolicyTraining.OPTIONS_KEY, options);
            AdamW opt = new AdamW(decoder.parameters(), AdamW.Settings.defaults(), backend);
            RunCheckpoints store = new RunCheckpoints(directory(), config, decoder.parameters(), opt, memberSeed, info, 2);
            long start = 0;
            if (resume && Checkpoint.latest(directory()).isPresent()) {
                LoadedCheckpoint previous = Checkpoint.load(directory());
                String recorded = previous.trainerState().info().get(PolicyTraining.OPTIONS_KEY);
                if (!options.equals(recorded)) {
                    throw new UserException("--resume: " + directory() + " was trained with '" + recorded + "'; resume "
                            + "it with the same options, not '" + options + "'");
                }
                if (!previous.hasOptimizer() && previous.trainerState().step() == steps) {
                    previous.restoreInto(decoder.parameters());
                    finished = true;
                    stderr.println("member " + directory() + " finished before; taken as it is");
                    return true;
                }
                RunDirectory.requireResumable(previous, PolicyTraining.OPTIONS_KEY, "robot train");
                start = store.restore(previous);
                stderr.println("resuming " + directory() + " from step " + start + " of " + steps);
            } else {
                decoder.initialise(memberSeed);
                Files.createDirectories(directory());
            }
            if (end < start) {
                throw new UserException("--stop-at " + end + " is before step " + start + ", where " + directory()
                        + " stands");
            }
            PolicyExamples examples = data.examples(model, batch, memberSeed);
            stderr.printf(Locale.ROOT, "model: %,d parameters, layers %s, d %d, %s codec (%d values x %d predictions); "
                    + "%s; seed %d -> %s%n", decoder.parameters().size(), config.layerMixers(), config.dModel(),
                    tokenizer, model.codec().valuesPerPrediction(), model.codec().predictionsPerChunk(),
                    examples.describe(), memberSeed, directory());
            Trainer.Settings ts = new Trainer.Settings(steps, 1, lr, lr / 10, Math.min(100, steps / 10), 1.0, 0, 0, 0,
                    100);
            // The loop checkpoints between pieces (with the optimiser, to resume); a finished member is saved
            // without it once the ensemble's replanning interval is chosen (saveFinal).
            Trainer trainer = new Trainer(new TrainableDecoder(decoder), opt, ts, examples, null, null, line -> {
                stderr.println(line);
                stderr.flush();
            });
            for (long at = start; at < end; ) {
                long stop = Math.min(end, (at / checkpointEvery + 1) * checkpointEvery);
                Trainer.Outcome outcome = trainer.run(at, stop);
                if (outcome.diverged()) {
                    stderr.println(spec.qualifiedName() + ": error: " + outcome.message());
                    return false;
                }
                double[] losses = outcome.losses();
                lastLoss = losses.length == 0 ? lastLoss : losses[losses.length - 1];
                if (stop < steps) {
                    store.save(stop);
                }
                at = stop;
            }
            return true;
        }

        /** Saves the trained member (model alone) with the chosen policy's info, unless it was finished before. */
        void saveFinal(PolicyModel chosen) throws IOException {
            if (finished) {
                return;
            }
            Map<String, String> info = new LinkedHashMap<>(chosen.info());
            info.put(PolicyTraining.OPTIONS_KEY, options);
            Checkpoint.save(directory(), decoder().config(), decoder().parameters(), null,
                    new TrainerState(steps, memberSeed, null, info), 2);
        }
    }
}
