package dev.chimera.core.checkpoint;

import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.train.Optimizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Saving and loading training checkpoints (DESIGN convention 9: writes that matter are atomic).
 *
 * <h2>On-disk format</h2>
 *
 * <pre>
 * RUN/                              a run directory
 *   latest                          one line, the name of the newest complete step directory
 *   step-000000100/                 one complete checkpoint; the number is the trainer step, 9+ digits
 *     config.json                   the {@link ModelConfig} as JSON ({@link ModelConfig#toJson()})
 *     model.safetensors             one F32 tensor per {@link Parameters} entry, named and shaped as
 *                                   the entry, in declaration order; metadata
 *                                   {"format": "chimera", "step": "100"}
 *     optimizer.safetensors         each array of {@link Optimizer#state()} as a 1-D F32 tensor named by
 *                                   its key; metadata {"format": "chimera", "optimizer": name,
 *                                   "steps": optimiser updates, "step": "100"}; absent when saved
 *                                   without an optimiser
 *     trainer.json                  {@link TrainerState}: {"step", "seed", "optimizer", "info": {..}}
 *     SHA256SUMS                    "&lt;64 hex digits&gt;  &lt;file&gt;" per line for each file above, as
 *                                   {@code sha256sum} prints them ({@code sha256sum -c} verifies a step
 *                                   directory); written last
 *   .step-000000200.tmp-&lt;random&gt;/   a save in progress, or the leftover of one that crashed
 *   .step-000000050.old-&lt;random&gt;/   a pruned checkpoint being deleted
 * </pre>
 *
 * <h2>Save</h2>
 * Everything is written into {@code .step-N.tmp-<random>/}, each file forced to the device, the
 * directory fsynced and then renamed to {@code step-N} in one atomic step, so a {@code step-N}
 * directory is always complete. Then {@code latest} is replaced atomically ({@link AtomicFiles}).
 * Only after that, complete step directories beyond the newest {@code keep} are renamed to
 * {@code .step-N.old-<random>} and deleted: the one just written is always kept, plus the
 * {@code keep - 1} others with the highest steps. A crash at any point leaves {@code latest}
 * naming a complete checkpoint (the old or the new one); hidden leftovers are ignored by
 * {@link #load} and removed by the next save. An existing {@code step-N} is never overwritten.
 * One process saves into a run directory at a time.
 *
 * <h2>Load</h2>
 * {@link #load} takes a run directory (and follows {@code latest}) or a step directory, checks
 * that the files exist and match {@code SHA256SUMS}, parses the config, trainer state and the
 * safetensors headers, and returns a {@link LoadedCheckpoint}; tensor data is read when restored into a
 * model or optimiser of matching names and shapes. Problems with the files are
 * {@link CheckpointException}s; a checkpoint that does not fit the caller's model or optimiser is
 * an {@link IllegalArgumentException}. Either message names the file and what differs.
 */
public final class Checkpoint {

    public static final String CONFIG = "config.json";
    public static final String MODEL = "model.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String TRAINER = "trainer.json";
    public static final String SUMS = "SHA256SUMS";
    public static final String LATEST = "latest";
    /** The value of {@code format} in both safetensors files' metadata. */
    public static final String FORMAT = "chimera";
    /** Complete checkpoints kept by {@link #save(Path, ModelConfig, Parameters, Optimizer, TrainerState)}. */
    public static final int DEFAULT_KEEP = 2;

    static final Pattern STEP_DIR = Pattern.compile("step-(\\d{9,})");
    private static final Pattern LEFTOVER = Pattern.compile("\\.step-\\d{9,}\\.(tmp|old)-.*|\\.latest\\..*\\.tmp");

    private Checkpoint() {
    }

    /** The directory name for a step: {@code step-} and the step in at least 9 digits. */
    public static String stepName(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("checkpoint step must be >= 0, got " + step);
        }
        return String.format(Locale.ROOT, "step-%09d", step);
    }

    /** {@link #save(Path, ModelConfig, Parameters, Optimizer, TrainerState, int)} keeping {@link #DEFAULT_KEEP}. */
    public static Path save(Path runDir, ModelConfig config, Parameters params, Optimizer optimizer,
                            TrainerState state) throws IOException {
        return save(runDir, config, params, optimizer, state, DEFAULT_KEEP);
    }

    /**
     * Saves a checkpoint as {@code runDir/step-N} (N = {@code state.step()}), points {@code latest}
     * at it and keeps the newest {@code keep} complete checkpoints. {@code optimizer} may be null;
     * {@code state.optimizer()} must be its name (or null). Returns the step directory.
     */
    public static Path save(Path runDir, ModelConfig config, Parameters params, Optimizer optimizer,
                            TrainerState state, int keep) throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(state, "state");
        if (keep < 1) {
            throw new IllegalArgumentException("checkpoints to keep must be >= 1, got " + keep);
        }
        String optimizerName = optimizer == null ? null : optimizer.name();
        if (!Objects.equals(state.optimizer(), optimizerName)) {
            throw new IllegalArgumentException("trainer state names optimizer " + state.optimizer()
                    + " but the optimizer given is " + optimizerName);
        }
        Files.createDirectories(runDir);
        String name = stepName(state.step());
        Path target = runDir.resolve(name);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null,
                    "checkpoint already exists; refusing to overwrite it");
        }
        removeLeftovers(runDir);
        Path tmp = AtomicFiles.createUnique(runDir, "." + name + ".tmp-", "", true);
        try {
            writeStepFiles(tmp, config, params, optimizer, state);
            AtomicFiles.fsyncDirectory(tmp);
            AtomicFiles.move(tmp, target);
        } catch (IOException | RuntimeException | Error e) {
            try {
                AtomicFiles.deleteRecursively(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        AtomicFiles.writeString(runDir.resolve(LATEST), name + "\n");
        prune(runDir, target, keep);
        return target;
    }

    private static void writeStepFiles(Path dir, ModelConfig config, Parameters params, Optimizer optimizer,
                                       TrainerState state) throws IOException {
        List<String> files = new ArrayList<>();
        writeText(dir.resolve(CONFIG), config.toJson() + "\n");
        files.add(CONFIG);

        List<SafeTensors.Slice> model = new ArrayList<>();
        for (Parameters.Entry e : params.entries()) {
            model.add(new SafeTensors.Slice(e.name(), e.shape(), params.values(), e.offset()));
        }
        Map<String, String> modelMeta = new LinkedHashMap<>();
        modelMeta.put("format", FORMAT);
        modelMeta.put("step", Long.toString(state.step()));
        AtomicFiles.writeNew(dir.resolve(MODEL), out -> SafeTensors.write(out, model, modelMeta));
        files.add(MODEL);

        if (optimizer != null) {
            List<SafeTensors.Slice> moments = new ArrayList<>();
            optimizer.state().forEach((key, values) -> moments.add(SafeTensors.Slice.of(key, values)));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", FORMAT);
            meta.put("optimizer", optimizer.name());
            meta.put("steps", Long.toString(optimizer.steps()));
            meta.put("step", Long.toString(state.step()));
            AtomicFiles.writeNew(dir.resolve(OPTIMIZER), out -> SafeTensors.write(out, moments, meta));
            files.add(OPTIMIZER);
        }

        writeText(dir.resolve(TRAINER), state.toJson());
        files.add(TRAINER);

        StringBuilder sums = new StringBuilder();
        for (String f : files) {
            sums.append(AtomicFiles.sha256(dir.resolve(f))).append("  ").append(f).append('\n');
        }
        writeText(dir.resolve(SUMS), sums.toString());
    }

    private static void writeText(Path file, String text) throws IOException {
        AtomicFiles.writeNew(file, out -> AtomicFiles.writeFully(out,
                ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
    }

    /** Removes the hidden leftovers of crashed saves and prunes (single writer per run directory). */
    private static void removeLeftovers(Path runDir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(runDir)) {
            for (Path p : entries) {
                if (LEFTOVER.matcher(p.getFileName().toString()).matches()) {
                    AtomicFiles.deleteRecursively(p);
                }
            }
        }
    }

    private static void prune(Path runDir, Path justSaved, int keep) throws IOException {
        List<Path> others = new ArrayList<>(steps(runDir));
        others.remove(justSaved);
        others.sort(Comparator.comparingLong(Checkpoint::stepOf).reversed());
        for (Path old : others.subList(Math.min(keep - 1, others.size()), others.size())) {
            String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            Path doomed = runDir.resolve("." + old.getFileName() + ".old-" + random);
            try {
                AtomicFiles.move(old, doomed);
                AtomicFiles.deleteRecursively(doomed);
            } catch (IOException e) {
                throw new IOException("saved " + justSaved + " but could not remove the old checkpoint " + old + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /** The complete step directories of a run (those with a SHA256SUMS file), in increasing step order. */
    public static List<Path> steps(Path runDir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(runDir)) {
            return out;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(runDir)) {
            for (Path p : entries) {
                if (STEP_DIR.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p)
                        && Files.isRegularFile(p.resolve(SUMS))) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparingLong(Checkpoint::stepOf));
        return out;
    }

    private static long stepOf(Path stepDir) {
        Matcher m = STEP_DIR.matcher(stepDir.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(stepDir + " is not a step directory");
        }
        return Long.parseLong(m.group(1));
    }

    /** The step directory that {@code runDir/latest} names, or empty when the run has no {@code latest} yet. */
    public static Optional<Path> latest(Path runDir) throws IOException {
        Path file = runDir.resolve(LATEST);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String name = Files.readString(file).strip();
        if (!STEP_DIR.matcher(name).matches()) {
            throw new CheckpointException(file + " should name a step directory such as step-000000100, found '"
                    + name + "'");
        }
        Path dir = runDir.resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(file + " names " + name + ", which does not exist in " + runDir);
        }
        return Optional.of(dir);
    }

    /**
     * Loads a checkpoint from a run directory (following {@code latest}) or a step directory,
     * verifying every file against {@code SHA256SUMS}. Tensor data is read by
     * {@link LoadedCheckpoint#restoreInto} and {@link LoadedCheckpoint#restoreOptimizer}.
     */
    public static LoadedCheckpoint load(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new CheckpointException("checkpoint " + path + " does not exist");
        }
        if (!Files.isDirectory(path)) {
            throw new CheckpointException(path + " is not a Chimera checkpoint directory: it is a file (give a run"
                    + " directory or one of its step-NNNNNNNNN directories)");
        }
        if (Files.exists(path.resolve(CONFIG)) || Files.exists(path.resolve(SUMS))) {
            return LoadedCheckpoint.read(path);
        }
        Optional<Path> latest = latest(path);
        if (latest.isPresent()) {
            return LoadedCheckpoint.read(latest.get());
        }
        List<Path> steps = steps(path);
        throw new CheckpointException(path + " is not a Chimera checkpoint directory: it has neither " + CONFIG
                + " (a step directory) nor a '" + LATEST + "' file (a run directory)"
                + (steps.isEmpty() ? "" : "; it holds " + steps.get(steps.size() - 1).getFileName()
                + ", give that directory to load it"));
    }
}
