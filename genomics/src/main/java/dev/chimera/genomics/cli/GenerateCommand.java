package dev.chimera.genomics.cli;

import dev.chimera.core.checkpoint.AtomicFiles;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.DnaSampler;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chimera dna generate}: samples new sequences from a DNA language model ({@link DnaSampler}),
 * continuing {@code BOS + prompt} or {@code BOS, TAG + prompt}, written as FASTA.
 */
@Command(name = "generate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Generates DNA from a model trained by 'chimera dna pretrain': each sequence continues BOS + --prompt by "
                    + "--length bases, each drawn from the model's distribution over A, C, G, T (other ids never "
                    + "drawn) after temperature and top-k filtering.",
            "--tag TAG: for a model trained with tags ('dna pretrain --fasta TAG=FILE'), the sequences continue BOS, "
                    + "TAG, --prompt, as that tag's training windows started.",
            "Output: FASTA, 60 bases a line, records generated_1 .. generated_n whose header lines give the settings; "
                    + "the prompt is not repeated in the records. The same model, settings and --seed give the same "
                    + "output."})
public final class GenerateCommand implements Callable<Integer> {
    private static final int COLUMNS = 60;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A DNA model: a 'dna pretrain' run or --export directory, or one of its step directories.")
    Path model;

    @Option(names = "--length", required = true, paramLabel = "N", description = "Bases to generate per sequence.")
    int length;

    @Option(names = "--prompt", paramLabel = "SEQ", defaultValue = "",
            description = "Bases the sequences continue (A C G T N, IUPAC codes read as N; default: none).")
    String prompt;

    @Option(names = "--tag", paramLabel = "TAG",
            description = "Condition on one of the model's tags: sequences continue BOS, TAG, --prompt (default: no tag).")
    String tag;

    @Option(names = "--num", paramLabel = "n", defaultValue = "1", description = "Sequences (default: ${DEFAULT-VALUE}).")
    int num;

    @Option(names = "--temperature", paramLabel = "t", defaultValue = "1.0",
            description = "Softmax temperature, > 0 (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", paramLabel = "k", defaultValue = "0",
            description = "Draw among the k most likely bases, 1..4; 0 keeps all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--seed", paramLabel = "s", defaultValue = "1", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the FASTA here (atomically) instead of stdout.")
    Path out;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() throws IOException {
        if (length < 1 || num < 1) {
            throw usage("--length and --num must be >= 1, got " + length + ", " + num);
        }
        if (length > Integer.MAX_VALUE - 2 - prompt.length()) {
            throw usage("--length " + length + " with a prompt of " + prompt.length() + " bases is more than the 2^31 - 1 "
                    + "positions a sequence can have");
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw usage("--temperature must be finite and > 0, got " + temperature);
        }
        if (topK < 0 || topK > 4) {
            throw usage("--top-k must be in 0..4 (0 keeps all four bases), got " + topK);
        }
        int threadCount = compute.threads();
        byte[] promptTokens = encodePrompt();
        DnaModel dna = DnaModel.open(model);
        int[] ids = start(dna, promptTokens);
        StringBuilder fasta = new StringBuilder();
        try (ComputePool pool = new ComputePool(threadCount)) {
            Decoder decoder = dna.decoder(ids.length + length, compute.backend(pool));
            int positions = ids.length + length;
            if (positions > dna.context()) {
                spec.commandLine().getErr().printf(Locale.ROOT, "note: %d positions (BOS, %sprompt, generated bases) "
                        + "exceed the model's training context of %d%n", positions, tag == null ? "" : "tag, ",
                        dna.context());
            }
            byte[][] bases = new DnaSampler(decoder, ids, length, temperature, topK, seed).sample(num);
            for (int i = 0; i < num; i++) {
                appendRecord(fasta, i + 1, dna.steps(), bases[i]);
            }
        }
        if (out == null) {
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.print(fasta);
            stdout.flush();
        } else {
            AtomicFiles.writeString(out, fasta.toString());
        }
        return 0;
    }

    /** BOS, the tag's token if --tag, the prompt: what the sequences continue. */
    private int[] start(DnaModel dna, byte[] promptTokens) {
        int lead = tag == null ? 1 : 2;
        int[] ids = new int[lead + promptTokens.length];
        ids[0] = NucleotideTokenizer.BOS;
        if (tag != null) {
            ids[1] = dna.tags().token(tag);
            if (ids[1] < 0) {
                throw new UserException("--tag " + tag + ": " + model + (dna.tags().isEmpty()
                        ? " was trained without tags" : " has no such tag; its tags: " + dna.tags().describe()));
            }
        } else if (!dna.tags().isEmpty()) {
            spec.commandLine().getErr().println("note: " + model + " was trained with tags (" + dna.tags().describe()
                    + ") and every training window started with one; without --tag the sequences continue BOS + prompt");
        }
        for (int i = 0; i < promptTokens.length; i++) {
            ids[lead + i] = promptTokens[i];
        }
        return ids;
    }

    /** The prompt's tokens; a character that is not a base, N, U or an IUPAC code is a one-line error. */
    private byte[] encodePrompt() {
        byte[] out = new byte[prompt.length()];
        for (int i = 0; i < prompt.length(); i++) {
            char c = prompt.charAt(i);
            int code = c < 128 ? NucleotideTokenizer.code((byte) c) : -1;
            if (code < 0) {
                throw new UserException("--prompt: invalid character '" + c + "' at position " + (i + 1)
                        + " (expected A C G T U N or an IUPAC code)");
            }
            out[i] = (byte) code;
        }
        return out;
    }

    private void appendRecord(StringBuilder fasta, int number, long modelStep, byte[] bases) {
        String shownPrompt = prompt.isEmpty() || prompt.length() > COLUMNS ? ""
                : " prompt=" + prompt.toUpperCase(Locale.ROOT);
        fasta.append(String.format(Locale.ROOT, ">generated_%d model=%s step=%d%s length=%d prompt_length=%d%s"
                + " temperature=%s top_k=%d seed=%d\n", number, model, modelStep, tag == null ? "" : " tag=" + tag, length,
                prompt.length(), shownPrompt, temperature, topK, seed));
        byte[] letters = NucleotideTokenizer.letters(bases, 0, bases.length);
        for (int a = 0; a < letters.length; a += COLUMNS) {
            fasta.append(new String(letters, a, Math.min(COLUMNS, letters.length - a), StandardCharsets.US_ASCII))
                    .append('\n');
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
