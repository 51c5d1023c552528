package dev.chimera.genomics.classify;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The classification methods, by the name the commands and the JSON lines use. */
public enum Method {
    /** Full fine-tuning of the pretrained hybrid decoder with a linear head over mean-pooled states. */
    FINETUNE("finetune"),
    /** The frozen pretrained model's echo embeddings, a logistic regression on them. */
    ECHO_PROBE("echo-probe"),
    /** Baseline: logistic regression on 6-mer profiles. */
    KMER_LOGREG("kmer-logreg"),
    /** Baseline: a one-layer CNN over one-hot bases. */
    CNN("cnn");

    private final String id;

    Method(String id) {
        this.id = id;
    }

    /** The name: finetune, echo-probe, kmer-logreg, cnn. */
    public String id() {
        return id;
    }

    /** The file of its parameters in a model directory. */
    public String file() {
        return id + ".safetensors";
    }

    /** Whether it uses the pretrained model (the others are the baselines). */
    public boolean usesModel() {
        return this == FINETUNE || this == ECHO_PROBE;
    }

    public static Method parse(String name) {
        for (Method m : values()) {
            if (m.id.equals(name.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a method (" + names() + ")");
    }

    public static String names() {
        return Arrays.stream(values()).map(Method::id).collect(Collectors.joining(", "));
    }
}
