package dev.chimera.runtime;

import dev.chimera.core.checkpoint.Checkpoint;
import dev.chimera.core.checkpoint.LoadedCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Where a training run's checkpoints go ({@code --out}, {@link Checkpoint}'s run directory) and
 * what may be done with it: a new run needs a new or empty directory and never overwrites one;
 * {@code --resume} needs the directory's {@code latest} checkpoint, with optimizer state and the
 * run's recorded settings; an export goes to a directory without a checkpoint. Every refusal is a
 * {@link UserException} that says what to do instead.
 */
public final class RunDirectory {
    /** The trainer.json info key that says what kind of model a checkpoint holds. */
    public static final String TASK_KEY = "task";

    private RunDirectory() {
    }

    /**
     * The checkpoint a {@code --model} directory (a run's latest, or one step) holds, which must have
     * been trained for {@code task}; {@code kind} names such a model in the error ("a robot policy").
     */
    public static LoadedCheckpoint openModel(Path directory, String task, String kind) {
        LoadedCheckpoint loaded;
        try {
            loaded = Checkpoint.load(directory);
        } catch (IOException e) {
            throw new UserException("--model " + directory + ": not a Chimera model directory (" + e.getMessage() + ")", e);
        }
        String recorded = loaded.trainerState().info().get(TASK_KEY);
        if (!task.equals(recorded)) {
            throw new UserException("--model " + directory + " holds a Chimera model of another kind (task "
                    + (recorded == null ? "not recorded" : recorded) + "), not " + kind);
        }
        return loaded;
    }

    /**
     * Fails unless {@code out} is new or empty: a run is never written over another or over other
     * files. A run already there is named with the hint to resume it.
     */
    public static void requireFresh(Path out) throws IOException {
        if (Files.isDirectory(out) && Checkpoint.latest(out).isPresent()) {
            throw new UserException("--out " + out + " already holds a run (" + Checkpoint.latest(out).get()
                    .getFileName() + "); pass --resume to continue it, or choose another directory");
        }
        requireEmpty(out);
    }

    /** Fails unless {@code out} is new or an empty directory: for outputs that are never resumed or written over. */
    public static void requireEmpty(Path out) throws IOException {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new UserException("--out " + out + " is a file, not a directory");
        }
        if (!isEmpty(out)) {
            throw new UserException("--out " + out + " is not empty; choose a new or empty directory");
        }
    }

    /** Fails unless {@code out} holds a run to resume: a {@code latest} checkpoint. */
    public static void requireLatest(Path out) throws IOException {
        if (!Files.isDirectory(out) || Checkpoint.latest(out).isEmpty()) {
            throw new UserException("--resume: " + out + " holds no run to resume (no '" + Checkpoint.LATEST
                    + "' checkpoint); start one without --resume");
        }
    }

    /**
     * Fails unless {@code loaded}, the latest checkpoint of a run, can be resumed by {@code command}:
     * it has optimizer state and records the run's settings (info key {@code settingKey}).
     */
    public static void requireResumable(LoadedCheckpoint loaded, String settingKey, String command) {
        if (!loaded.hasOptimizer() || !loaded.trainerState().info().containsKey(settingKey)) {
            throw new UserException("--resume: " + loaded.directory() + " is not a checkpoint of a '" + command
                    + "' run with optimizer state (an exported model cannot be resumed)");
        }
    }

    /** Fails if {@code export} is a file or already holds a checkpoint: an export overwrites nothing. */
    public static void requireExportable(Path export) throws IOException {
        if (Files.exists(export) && !Files.isDirectory(export)) {
            throw new UserException("--export " + export + " is a file, not a directory");
        }
        if (Files.exists(export.resolve(Checkpoint.LATEST)) || !Checkpoint.steps(export).isEmpty()
                || Files.exists(export.resolve(Checkpoint.CONFIG))) {
            throw new UserException("--export " + export + " already holds a checkpoint; nothing is overwritten, "
                    + "choose another directory");
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
