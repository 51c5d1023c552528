package dev.chimera.core.checkpoint;

import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.train.CheckpointStore;
import dev.chimera.core.train.Optimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** The trainer's checkpoints in one run directory ({@link Checkpoint} format), for one model and optimiser. */
public final class RunCheckpoints implements CheckpointStore {
    private final Path runDir;
    private final ModelConfig config;
    private final Parameters parameters;
    private final Optimizer optimizer;
    private final long seed;
    private final Map<String, String> info;
    private final int keep;

    /** {@code info} is recorded in every checkpoint's trainer.json (schedule, data, command line). */
    public RunCheckpoints(Path runDir, ModelConfig config, Parameters parameters, Optimizer optimizer, long seed,
                          Map<String, String> info, int keep) {
        this.runDir = runDir;
        this.config = config;
        this.parameters = parameters;
        this.optimizer = optimizer;
        this.seed = seed;
        this.info = Map.copyOf(info);
        this.keep = keep;
    }

    @Override
    public void save(long completedSteps) {
        try {
            Checkpoint.save(runDir, config, parameters, optimizer,
                    new TrainerState(completedSteps, seed, optimizer.name(), info), keep);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a checkpoint into " + runDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long restoreLatest() {
        try {
            if (Checkpoint.latest(runDir).isEmpty()) {
                return -1;
            }
            return restore(Checkpoint.load(runDir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the last checkpoint of " + runDir + ": " + e.getMessage(), e);
        }
    }

    /** Loads a checkpoint of this model's config into the parameters and optimiser; returns its step. */
    public long restore(LoadedCheckpoint loaded) throws IOException {
        loaded.requireConfig(config);
        loaded.restoreInto(parameters);
        loaded.restoreOptimizer(optimizer);
        return loaded.trainerState().step();
    }
}
