package dev.chimera.genomics;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.checkpoint.Checkpoint;
import dev.chimera.core.checkpoint.LoadedCheckpoint;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DNA language model: a Chimera checkpoint whose trainer.json says {@code task = dna-lm},
 * over {@link NucleotideTokenizer} ids. Every sequence the model sees starts with
 * {@link NucleotideTokenizer#BOS}: training windows are BOS + T-1 bases, a scored record is
 * BOS + its bases (every base predicted), generation continues BOS + prompt. A model trained with
 * {@link DnaTags} reads BOS, TAG, bases instead wherever its training data was tagged.
 */
public final class DnaModel {
    /** trainer.json info key and value that mark a DNA language model. */
    public static final String TASK_KEY = "task";
    public static final String TASK = "dna-lm";
    /** info key: the tokenizer, so a model is never read with another vocabulary; tags extend it ({@link DnaTags}). */
    public static final String TOKENIZER_KEY = "tokenizer";
    public static final String TOKENIZER = "nucleotide-v1:A,C,G,T,N,PAD,BOS,SEP,MASK";
    /** info key: the training context T (positions per window, BOS included). */
    public static final String CONTEXT_KEY = "context";

    private final Path directory;
    private final LoadedCheckpoint checkpoint;
    private final int context;
    private final DnaTags tags;

    private DnaModel(Path directory, LoadedCheckpoint checkpoint, int context, DnaTags tags) {
        this.directory = directory;
        this.checkpoint = checkpoint;
        this.context = context;
        this.tags = tags;
    }

    /**
     * The architecture {@code dna pretrain} trains when no {@code --config} is given: HybriDNA's
     * Mamba2/attention pattern in miniature, layers {@code MMMA}, d_model 128, SwiGLU 256, Mamba2
     * expand 2, head width 32, d_state 32, conv 4, chunk 64, attention 4 query / 2 KV heads of 32 with
     * RoPE and a full span, a softmax head tied to the embedding (772,872 parameters). Chosen for
     * beating order 0-12 Markov models on held-out bacterial DNA within the default budget on two cores
     * (README, "Defaults that generalise"); the shipped {@code models/ecoli-hybrid} has it too.
     */
    public static ModelConfig defaultConfig() {
        return ModelConfig.builder().dModel(128).nLayers(4).mixerPattern("MMMA").mlp(ModelConfig.MlpKind.SWIGLU)
                .mlpHidden(256).attnHeads(4).kvHeads(2).ropeBase(10_000).attnSpans(java.util.List.of("full"))
                .dState(32).headdim(32).expand(2).ngroups(1).dConv(4).chunkSize(64)
                .input(CoreComponents.tokens(NucleotideTokenizer.VOCAB_SIZE))
                .head(CoreComponents.softmax(NucleotideTokenizer.VOCAB_SIZE, true)).build();
    }

    /** The info a pretraining run without tags records in every checkpoint so that {@link #open} accepts it. */
    public static Map<String, String> info(int context) {
        return info(context, DnaTags.NONE);
    }

    /** The info of a run whose vocabulary has {@code tags} (recorded in the tokenizer id). */
    public static Map<String, String> info(int context, DnaTags tags) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put(TASK_KEY, TASK);
        info.put(TOKENIZER_KEY, tags.tokenizerId());
        info.put(CONTEXT_KEY, Integer.toString(context));
        return info;
    }

    /**
     * Opens a run directory (its latest checkpoint) or a step directory, verifying checksums and
     * that it holds a DNA language model of this tokenizer; fails naming the directory otherwise.
     */
    public static DnaModel open(Path directory) throws IOException {
        LoadedCheckpoint loaded = Checkpoint.load(directory);
        Map<String, String> info = loaded.trainerState().info();
        String task = info.get(TASK_KEY);
        if (!TASK.equals(task)) {
            throw new UserException(directory + " holds a Chimera checkpoint of another kind (task "
                    + (task == null ? "not recorded" : "'" + task + "'") + "), not a DNA language model");
        }
        DnaTags tags = DnaTags.fromTokenizerId(info.get(TOKENIZER_KEY));
        if (tags == null) {
            throw new UserException(directory + " was trained with tokenizer '" + info.get(TOKENIZER_KEY)
                    + "', this build reads '" + TOKENIZER + "', optionally followed by ',tag:NAME' tags");
        }
        ModelConfig c = loaded.config();
        if (c.tokenVocab() < tags.vocabSize()) {
            throw new UserException(directory + " is not a token model with a softmax head over at least "
                    + tags.vocabSize() + " ids" + (tags.isEmpty() ? "" : " (the nucleotide tokenizer's and its tags')"));
        }
        int context;
        try {
            context = Integer.parseInt(info.getOrDefault(CONTEXT_KEY, ""));
        } catch (NumberFormatException e) {
            throw new UserException(directory + "/" + Checkpoint.TRAINER + " records no valid '" + CONTEXT_KEY
                    + "'");
        }
        return new DnaModel(directory, loaded, context, tags);
    }

    /** A decoder of this model's weights for sequences of up to {@code maxLength} positions, with the config given. */
    public Decoder decoder(ModelConfig config, int maxLength, Backend backend) throws IOException {
        Decoder d = new Decoder(config, maxLength, backend);
        checkpoint.restoreInto(d.parameters());
        return d;
    }

    /** A decoder with the config as trained. */
    public Decoder decoder(int maxLength, Backend backend) throws IOException {
        return decoder(config(), maxLength, backend);
    }

    public ModelConfig config() {
        return checkpoint.config();
    }

    /** Positions per training window, BOS included. */
    public int context() {
        return context;
    }

    /** The tag tokens of its vocabulary ({@link DnaTags#NONE} for a model trained without tags). */
    public DnaTags tags() {
        return tags;
    }

    /** Optimiser steps the model was trained for. */
    public long steps() {
        return checkpoint.trainerState().step();
    }

    public Path directory() {
        return directory;
    }

    public LoadedCheckpoint checkpoint() {
        return checkpoint;
    }
}
