package dev.chimera.genomics.classify;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.checkpoint.Checkpoint;
import dev.chimera.core.checkpoint.LoadedCheckpoint;
import dev.chimera.core.checkpoint.TrainerState;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.Embedder;
import dev.chimera.runtime.RunDirectory;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A trained DNA classifier as {@code classify train} writes it and {@code classify eval} and
 * {@code classify predict} read it: a Chimera run directory whose checkpoint holds the decoder
 * (fine-tuned by {@code finetune}; the pretrained weights as they were for {@code echo-probe}) and
 * whose trainer.json says {@code task = dna-classify}, with the task's name, the labels, the main
 * method and every method kept; beside the checkpoint, one safetensors file per method
 * ({@link Method#file()}) with its parameters.
 *
 * <pre>
 *   DIR/latest, DIR/step-N/        the decoder (config.json, model.safetensors, trainer.json, SHA256SUMS)
 *   DIR/finetune.safetensors       the head over pooled states (or echo-probe.safetensors)
 *   DIR/kmer-logreg.safetensors    the baselines
 *   DIR/cnn.safetensors
 * </pre>
 *
 * The method files are written first and the checkpoint last, so a directory with a {@code latest}
 * checkpoint is complete.
 */
public final class ClassifyModel {
    public static final String TASK = "dna-classify";
    public static final String PREFIX = "classify.";
    static final String TASK_NAME = PREFIX + "task";
    static final String LABELS = PREFIX + "labels";
    static final String MAIN = PREFIX + "method";
    static final String METHODS = PREFIX + "methods";
    static final String MAX_BASES = PREFIX + "max_bases";
    /** Positions per prefill window of the echo embeddings. */
    static final int EMBED_WINDOW = 4096;

    private final Path directory;
    private final String task;
    private final List<String> labels;
    private final List<Classifier> methods;
    private final int maxBases;

    public ClassifyModel(Path directory, String task, List<String> labels, List<Classifier> methods, int maxBases) {
        this.directory = directory;
        this.task = task;
        this.labels = List.copyOf(labels);
        this.methods = List.copyOf(methods);
        this.maxBases = maxBases;
    }

    /** The info of a classifier's checkpoint: the task, tokenizer, context, and what {@link #open} reads. */
    public static Map<String, String> info(String task, List<String> labels, List<Classifier> methods, int context,
                                           int maxBases) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put(RunDirectory.TASK_KEY, TASK);
        info.put(DnaModel.TOKENIZER_KEY, DnaModel.TOKENIZER);
        info.put(DnaModel.CONTEXT_KEY, Integer.toString(context));
        info.put(TASK_NAME, task);
        info.put(LABELS, String.join(",", labels));
        info.put(MAIN, methods.get(0).method().id());
        info.put(METHODS, methods.stream().map(m -> m.method().id()).collect(Collectors.joining(",")));
        info.put(MAX_BASES, Integer.toString(maxBases));
        return info;
    }

    /**
     * Writes every method's file, then the decoder's checkpoint with {@code info} ({@link #info}
     * and the run's settings) into {@code dir}, which must be new or empty.
     */
    public static void save(Path dir, ModelConfig config, Decoder decoder, List<Classifier> methods,
                            Map<String, String> info, long steps, long seed) throws IOException {
        RunDirectory.requireEmpty(dir); // a classifier is never written over anything
        Files.createDirectories(dir);
        for (Classifier m : methods) {
            m.save(dir);
        }
        Checkpoint.save(dir, config, decoder.parameters(), null, new TrainerState(steps, seed, null, info), 1);
    }

    /** Opens a directory written by {@link #save}; every problem is one line naming it. */
    public static ClassifyModel open(Path dir, Backend backend) {
        LoadedCheckpoint loaded = RunDirectory.openModel(dir, TASK, "a DNA classifier ('dna classify train')");
        Map<String, String> info = loaded.trainerState().info();
        if (!DnaModel.TOKENIZER.equals(info.get(DnaModel.TOKENIZER_KEY))) {
            throw new UserException("--model " + dir + " was trained with tokenizer '"
                    + info.get(DnaModel.TOKENIZER_KEY) + "', this build reads '" + DnaModel.TOKENIZER + "'");
        }
        List<String> labels = Arrays.asList(required(info, LABELS, dir).split(","));
        int maxBases = integer(info, MAX_BASES, dir);
        List<Method> kept = new ArrayList<>();
        for (String name : required(info, METHODS, dir).split(",")) {
            try {
                kept.add(Method.parse(name));
            } catch (IllegalArgumentException e) {
                throw new UserException("--model " + dir + ": " + e.getMessage(), e);
            }
        }
        Path runDir = loaded.directory().getParent();
        Decoder decoder = null;
        if (kept.stream().anyMatch(Method::usesModel)) {
            decoder = new Decoder(loaded.config(), 2 * maxBases + 1, backend);
            try {
                loaded.restoreInto(decoder.parameters());
            } catch (IOException | IllegalArgumentException e) {
                throw new UserException("--model " + dir + ": " + e.getMessage(), e);
            }
        }
        List<Classifier> methods = new ArrayList<>();
        int classes = labels.size();
        for (Method m : kept) {
            methods.add(switch (m) {
                case FINETUNE -> FineTunedClassifier.load(runDir, decoder, classes, maxBases);
                case ECHO_PROBE -> EchoProbe.load(runDir, new Embedder(decoder, EMBED_WINDOW, Embedder.Pooling.ECHO,
                        null), maxBases, classes);
                case KMER_LOGREG -> KmerLogReg.load(runDir, classes);
                case CNN -> CnnBaseline.load(runDir, classes);
            });
        }
        return new ClassifyModel(dir, required(info, TASK_NAME, dir), labels, methods, maxBases);
    }

    private static String required(Map<String, String> info, String key, Path dir) {
        String v = info.get(key);
        if (v == null || v.isEmpty()) {
            throw new UserException("--model " + dir + ": trainer.json records no '" + key + "'");
        }
        return v;
    }

    private static int integer(Map<String, String> info, String key, Path dir) {
        try {
            return Integer.parseInt(required(info, key, dir));
        } catch (NumberFormatException e) {
            throw new UserException("--model " + dir + ": trainer.json '" + key + "' is not an integer", e);
        }
    }

    public Path directory() {
        return directory;
    }

    /** The task's name ({@code --task} at training). */
    public String task() {
        return task;
    }

    public List<String> labels() {
        return labels;
    }

    /** The most bases the methods over the model read: longer records are read by their central ones. */
    public int maxBases() {
        return maxBases;
    }

    /** Every method kept, the main one first. */
    public List<Classifier> methods() {
        return methods;
    }

    public Classifier main() {
        return methods.get(0);
    }

    public Classifier method(Method m) {
        return methods.stream().filter(c -> c.method() == m).findFirst().orElseThrow(() -> new UserException(
                "--model " + directory + " keeps no '" + m.id() + "' (it keeps " + methods.stream()
                        .map(c -> c.method().id()).collect(Collectors.joining(", ")) + ")"));
    }
}
