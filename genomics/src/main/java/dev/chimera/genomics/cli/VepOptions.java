package dev.chimera.genomics.cli;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.vep.LlrInfo;
import dev.chimera.genomics.vep.VariantScorer;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options {@code dna vep} and {@code dna vep-eval} share, so that both score a variant the same
 * way: the model, the window, the INFO key and the compute options; with the scorer they make.
 */
final class VepOptions {
    /** Window W unless --window says otherwise (or the model's context, when shorter). */
    static final int DEFAULT_WINDOW = 512;
    /** Positions per forward pass: rows = max(1, this / W) windows. */
    private static final int POSITIONS_PER_PASS = 8192;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A DNA language model: a run directory (its latest checkpoint) or a step directory.")
    Path model;

    @Option(names = "--window", paramLabel = "W",
            description = "Longest window in bases, centred on the variant: REF or ALT between the same reference "
                    + "flanks of (W - longest allele) / 2 bases each; at most the model's context (default: "
                    + DEFAULT_WINDOW + ", or the context when shorter).")
    Integer window;

    @Option(names = "--info-key", paramLabel = "KEY", defaultValue = LlrInfo.DEFAULT_KEY,
            description = "INFO field of the score (default: ${DEFAULT-VALUE}).")
    String infoKey;

    @Mixin
    ComputeOptions compute;

    /** Fails with a usage error (exit 2) on an INFO key VCF does not allow. */
    void validate(CommandLine cl) {
        if (!LlrInfo.validKey(infoKey)) {
            throw new CommandLine.ParameterException(cl, "--info-key must be a VCF INFO key ([A-Za-z_][0-9A-Za-z_.]*), "
                    + "got '" + infoKey + "'");
        }
    }

    /** Opens --model, every failure one line naming the directory. */
    DnaModel openModel() {
        try {
            return DnaModel.open(model);
        } catch (IOException e) {
            throw new UserException("--model " + model + ": " + e.getMessage(), e);
        }
    }

    /** --window checked against the model's context (a usage error outside 1..context), or the default. */
    int window(CommandLine cl, DnaModel dna) {
        int w = window == null ? Math.min(DEFAULT_WINDOW, dna.context()) : window;
        if (w < 1 || w > dna.context()) {
            throw new CommandLine.ParameterException(cl, "--window must be in 1.." + dna.context() + " (the model's "
                    + "context), got " + w);
        }
        return w;
    }

    /** The scorer over a decoder of the model's weights as trained, for windows of up to {@code window} bases. */
    VariantScorer scorer(DnaModel dna, int window, ComputePool pool) {
        try {
            return new VariantScorer(dna.decoder(window, compute.backend(pool)), window,
                    Math.max(1, POSITIONS_PER_PASS / window));
        } catch (IOException e) {
            throw new UserException("--model " + dna.directory() + ": " + e.getMessage(), e);
        }
    }

    /** What the model is, for headers and summaries: its directory and step. */
    static String describe(DnaModel dna) {
        return dna.checkpoint().directory().toAbsolutePath().normalize() + " step " + dna.steps();
    }
}
