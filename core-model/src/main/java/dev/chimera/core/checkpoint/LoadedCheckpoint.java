package dev.chimera.core.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.train.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A verified checkpoint step directory ({@link Checkpoint} describes the format): its config and
 * trainer state parsed, every file checked against {@code SHA256SUMS}, the safetensors headers
 * validated. Weights and optimiser moments are read only by {@link #restoreInto} and
 * {@link #restoreOptimizer}, straight into the caller's arrays, after checking that every
 * tensor name and shape matches.
 */
public final class LoadedCheckpoint {

    private static final Pattern SUM_LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");
    private static final List<String> REQUIRED = List.of(Checkpoint.CONFIG, Checkpoint.MODEL, Checkpoint.TRAINER);

    private final Path directory;
    private final ModelConfig config;
    private final TrainerState trainer;
    private final List<SafeTensors.Info> model;
    private final List<SafeTensors.Info> optimizer;
    private final long optimizerSteps;

    private LoadedCheckpoint(Path directory, ModelConfig config, TrainerState trainer, List<SafeTensors.Info> model,
                             List<SafeTensors.Info> optimizer, long optimizerSteps) {
        this.directory = directory;
        this.config = config;
        this.trainer = trainer;
        this.model = model;
        this.optimizer = optimizer;
        this.optimizerSteps = optimizerSteps;
    }

    static LoadedCheckpoint read(Path dir) throws IOException {
        for (String name : List.of(Checkpoint.CONFIG, Checkpoint.MODEL, Checkpoint.TRAINER, Checkpoint.SUMS)) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new CheckpointException("checkpoint " + dir + " is missing " + name);
            }
        }
        Map<String, String> sums = readSums(dir);
        for (String name : REQUIRED) {
            if (!sums.containsKey(name)) {
                throw new CheckpointException("checkpoint " + dir + ": " + Checkpoint.SUMS + " does not list " + name);
            }
        }
        for (Map.Entry<String, String> e : sums.entrySet()) {
            Path file = dir.resolve(e.getKey());
            if (!Files.isRegularFile(file)) {
                throw new CheckpointException("checkpoint " + dir + " is missing " + e.getKey());
            }
            if (!AtomicFiles.sha256(file).equals(e.getValue())) {
                throw new CheckpointException("checksum mismatch in " + file
                        + ": the file is corrupted or was changed");
            }
        }
        ModelConfig config;
        try {
            config = ModelConfig.read(dir.resolve(Checkpoint.CONFIG));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
        Path trainerFile = dir.resolve(Checkpoint.TRAINER);
        TrainerState trainer = TrainerState.fromJson(Files.readString(trainerFile), trainerFile.toString());

        Path modelFile = dir.resolve(Checkpoint.MODEL);
        List<SafeTensors.Info> model;
        try (SafeTensors.Reader r = SafeTensors.open(modelFile)) {
            requireMeta(r, "format", Checkpoint.FORMAT);
            requireMeta(r, "step", Long.toString(trainer.step()));
            model = r.tensors();
        }

        List<SafeTensors.Info> moments = null;
        long steps = 0;
        Path optimizerFile = dir.resolve(Checkpoint.OPTIMIZER);
        if (trainer.optimizer() != null) {
            if (!sums.containsKey(Checkpoint.OPTIMIZER)) {
                throw new CheckpointException("checkpoint " + dir + " is missing " + Checkpoint.OPTIMIZER + " ("
                        + trainerFile + " names optimizer " + trainer.optimizer() + ")");
            }
            try (SafeTensors.Reader r = SafeTensors.open(optimizerFile)) {
                requireMeta(r, "format", Checkpoint.FORMAT);
                requireMeta(r, "optimizer", trainer.optimizer());
                requireMeta(r, "step", Long.toString(trainer.step()));
                String text = r.metadata().get("steps");
                try {
                    steps = Long.parseLong(text == null ? "" : text);
                } catch (NumberFormatException e) {
                    throw new CheckpointException(optimizerFile + ": metadata 'steps' is '" + text
                            + "', not an integer");
                }
                moments = r.tensors();
            }
        } else if (sums.containsKey(Checkpoint.OPTIMIZER)) {
            throw new CheckpointException("checkpoint " + dir + " has " + Checkpoint.OPTIMIZER + " but " + trainerFile
                    + " names no optimizer");
        }
        return new LoadedCheckpoint(dir, config, trainer, model, moments, steps);
    }

    /** SHA256SUMS as file name -> lower-case hex, in file order. */
    private static Map<String, String> readSums(Path dir) throws IOException {
        Path file = dir.resolve(Checkpoint.SUMS);
        Map<String, String> sums = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) {
                continue;
            }
            Matcher m = SUM_LINE.matcher(line);
            String name = m.matches() ? m.group(2) : null;
            if (name == null || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
                throw new CheckpointException(file + " line " + (i + 1) + ": expected '<64 hex digits>  <file name>',"
                        + " found '" + line + "'");
            }
            if (sums.put(name, m.group(1).toLowerCase(Locale.ROOT)) != null) {
                throw new CheckpointException(file + " line " + (i + 1) + ": " + name + " is listed twice");
            }
        }
        return sums;
    }

    private static void requireMeta(SafeTensors.Reader r, String key, String expected) throws CheckpointException {
        String actual = r.metadata().get(key);
        if (!expected.equals(actual)) {
            throw new CheckpointException(r.file() + ": metadata '" + key + "' is "
                    + (actual == null ? "absent" : "'" + actual + "'") + ", expected '" + expected + "'");
        }
    }

    /** The step directory that was loaded. */
    public Path directory() {
        return directory;
    }

    public ModelConfig config() {
        return config;
    }

    public TrainerState trainerState() {
        return trainer;
    }

    /** Whether the checkpoint holds optimiser state. */
    public boolean hasOptimizer() {
        return optimizer != null;
    }

    /** The model tensors as the file's header lists them. */
    public List<SafeTensors.Info> modelTensors() {
        return model;
    }

    /** Fails unless the checkpoint's config equals {@code expected}, listing every differing field. */
    public void requireConfig(ModelConfig expected) {
        if (config.equals(expected)) {
            return;
        }
        ObjectMapper json = new ObjectMapper();
        List<String> differences = new ArrayList<>();
        try {
            diff("", json.readTree(config.toJson()), json.readTree(expected.toJson()), differences);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot re-read a config's own JSON", e);
        }
        throw new IllegalArgumentException("checkpoint " + directory + " was saved with a different model config: "
                + String.join("; ", differences));
    }

    private static void diff(String path, JsonNode saved, JsonNode expected, List<String> out) {
        if (saved.equals(expected)) {
            return;
        }
        if (saved.isObject() && expected.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            saved.properties().forEach(e -> names.add(e.getKey()));
            expected.properties().forEach(e -> names.add(e.getKey()));
            for (String name : names) {
                JsonNode a = saved.has(name) ? saved.get(name) : MissingNode.getInstance();
                JsonNode b = expected.has(name) ? expected.get(name) : MissingNode.getInstance();
                diff(path.isEmpty() ? name : path + "." + name, a, b, out);
            }
            return;
        }
        out.add(path + " is " + saved + " in the checkpoint, " + expected + " expected");
    }

    /**
     * Reads the weights into {@code params} after checking that the checkpoint has exactly its
     * tensors with the same shapes; on a mismatch nothing is written and the message names the
     * first differing tensor.
     */
    public void restoreInto(Parameters params) throws IOException {
        Path file = directory.resolve(Checkpoint.MODEL);
        Map<String, int[]> needed = new LinkedHashMap<>();
        for (Parameters.Entry e : params.entries()) {
            needed.put(e.name(), e.shape());
        }
        requireSameTensors(file, model, needed, "the config");
        try (SafeTensors.Reader r = SafeTensors.open(file)) {
            for (Parameters.Entry e : params.entries()) {
                r.readInto(e.name(), params.values(), e.offset());
            }
        }
    }

    /**
     * Restores the optimiser's step count and state arrays, after checking that it is the
     * optimiser the checkpoint was saved with and that every array name and length matches.
     */
    public void restoreOptimizer(Optimizer target) throws IOException {
        if (optimizer == null) {
            throw new IllegalArgumentException("checkpoint " + directory + " was saved without optimizer state;"
                    + " cannot restore " + target.name());
        }
        if (!target.name().equals(trainer.optimizer())) {
            throw new IllegalArgumentException("checkpoint " + directory + " holds " + trainer.optimizer()
                    + " optimizer state, the optimizer to restore is " + target.name());
        }
        Path file = directory.resolve(Checkpoint.OPTIMIZER);
        Map<String, int[]> needed = new LinkedHashMap<>();
        target.state().forEach((k, v) -> needed.put(k, new int[] {v.length}));
        requireSameTensors(file, optimizer, needed, target.name());
        Map<String, float[]> saved = new LinkedHashMap<>();
        try (SafeTensors.Reader r = SafeTensors.open(file)) {
            for (String name : needed.keySet()) {
                saved.put(name, r.read(name));
            }
        }
        target.restore(optimizerSteps, saved);
    }

    private static void requireSameTensors(Path file, List<SafeTensors.Info> present, Map<String, int[]> needed,
                                           String owner) {
        Map<String, int[]> have = new HashMap<>();
        for (SafeTensors.Info info : present) {
            have.put(info.name(), info.shape());
        }
        List<String> problems = new ArrayList<>();
        needed.forEach((name, shape) -> {
            int[] got = have.get(name);
            if (got == null) {
                problems.add(file + " has no tensor " + name + ", " + owner + " needs it with shape "
                        + Arrays.toString(shape));
            } else if (!Arrays.equals(got, shape)) {
                problems.add(file + " has " + name + " of shape " + Arrays.toString(got) + ", " + owner + " needs "
                        + Arrays.toString(shape));
            }
        });
        for (SafeTensors.Info info : present) {
            if (!needed.containsKey(info.name())) {
                problems.add(file + " has " + info.name() + " of shape " + Arrays.toString(info.shape()) + ", which "
                        + owner + " does not have");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.get(0) + (problems.size() == 1 ? ""
                    : " (and " + (problems.size() - 1) + " more mismatched tensors)"));
        }
    }
}
