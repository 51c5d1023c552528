package dev.chimera.genomics.cli;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.NucleotideTokenizer.OnInvalid;
import dev.chimera.runtime.BatchOptions;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options {@code dna score} and {@code dna embed} share: the DNA model, the FASTA/FASTQ input
 * and how it is read, and every batch run's own ({@link BatchOptions}: spans, chunks, threads,
 * resume); with what they resolve to, the model, its decoder and the journal's settings.
 */
final class DnaBatchOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A DNA language model: a run directory (its latest checkpoint) or a step directory.")
    Path model;

    @Option(names = "--fasta", required = true, paramLabel = "FILE",
            description = "Records to process: FASTA or FASTQ, plain, gzip or bgzip.")
    Path fasta;

    @Mixin
    BatchOptions batch;

    @Option(names = "--on-invalid", paramLabel = "error|mask|skip", defaultValue = "error",
            converter = BaselineCommand.OnInvalidConverter.class,
            description = "A character that is not a base, N, U or IUPAC code: fail (error), read it as N (mask), "
                    + "or drop it (skip) (default: ${DEFAULT-VALUE}).")
    OnInvalid onInvalid;

    /** The records of --fasta, read with --on-invalid. */
    FastaInput input() {
        return new FastaInput(fasta, onInvalid);
    }

    /** Opens --model, every failure one line naming the directory. */
    DnaModel openModel() {
        try {
            return DnaModel.open(model);
        } catch (IOException e) {
            throw new UserException("--model " + model + ": " + e.getMessage(), e);
        }
    }

    /** The config the model runs with: spans chosen by --span from those it was trained with and its context. */
    ModelConfig inferenceConfig(DnaModel dna) {
        return batch.span().apply(dna.config(), dna.context());
    }

    /** A decoder of the model's weights with the config given. */
    Decoder decoder(DnaModel dna, ModelConfig config, ComputePool pool) {
        try {
            return dna.decoder(config, batch.maxLength(), batch.backend(pool));
        } catch (IOException e) {
            throw new UserException("--model " + dna.directory() + ": " + e.getMessage(), e);
        }
    }

    /** The settings every batch run records in its journal; a resume must match them all. */
    Map<String, String> settings(String command, DnaModel dna, ModelConfig config) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("command", command);
        s.put("model", dna.checkpoint().directory().toAbsolutePath().normalize() + " step " + dna.steps());
        s.put("spans", InferenceSpan.describe(config));
        s.put("chunk", Integer.toString(batch.chunk()));
        s.put("on_invalid", onInvalid.name().toLowerCase(Locale.ROOT));
        Path input = fasta.toAbsolutePath().normalize();
        s.put("input", input.toString());
        try {
            s.put("input_bytes", Long.toString(Files.size(input)));
            s.put("input_modified", Files.getLastModifiedTime(input).toString());
        } catch (IOException e) {
            // FastaSource reports a missing or unreadable input in its own words.
        }
        return s;
    }
}
