package dev.chimera.genomics.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.checkpoint.AtomicFiles;
import dev.chimera.genomics.annotation.Gff3Annotation;
import dev.chimera.genomics.classify.CodingWindows;
import dev.chimera.genomics.classify.LabelledSet;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code chimera dna classify dataset}: labelled coding / intergenic windows from an annotated genome. */
@Command(name = "dataset",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Cuts a labelled data set from a GFF3 annotation and its sequences: windows of --window bases labelled "
                    + "'coding' (inside one CDS, on the CDS's strand, overlapping no feature on the other strand) or "
                    + "'intergenic' (overlapping no feature; on a random strand), starting every --stride bases.",
            "Test windows come from the last --test-fraction of every sequence, training windows from the rest; a "
                    + "window across the boundary is in neither file. Each class is sampled (seeded) to at most "
                    + "--max-per-class training windows and max * f / (1 - f) test windows. Windows holding an N are "
                    + "left out (counted). Only sequences with at least one feature are used.",
            "Writes FASTA with headers '>SEQ:START-END(STRAND) label=coding', 1-based inclusive coordinates."})
public final class ClassifyDatasetCommand implements Callable<Integer> {
    private static final int LINE = 80;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--gff", required = true, paramLabel = "G.gff3[.gz]",
            description = "GFF3 annotation, plain, gzip or bgzip; its sequences after ##FASTA unless --fasta is "
                    + "given.")
    Path gff;

    @Option(names = "--fasta", paramLabel = "F", description = "The annotated sequences (FASTA, plain, gzip or bgzip).")
    Path fasta;

    @Option(names = "--window", paramLabel = "W", defaultValue = "200",
            description = "Bases per window (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--stride", paramLabel = "S", description = "Bases between window starts (default: window/4).")
    Integer stride;

    @Option(names = "--out-train", required = true, paramLabel = "train.fa", description = "Training windows (FASTA).")
    Path outTrain;

    @Option(names = "--out-test", required = true, paramLabel = "test.fa", description = "Test windows (FASTA).")
    Path outTest;

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2",
            description = "The last fraction of every sequence, where test windows come from (default: "
                    + "${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--max-per-class", paramLabel = "N", defaultValue = "2000",
            description = "At most N training windows of each class (default: ${DEFAULT-VALUE}).")
    int maxPerClass;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the sampling (default: 1).")
    long seed;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        int s = stride != null ? stride : Math.max(1, window / 4);
        if (window < 1 || s < 1 || maxPerClass < 1 || !(testFraction > 0 && testFraction < 1)) {
            throw new CommandLine.ParameterException(cl, "--window, --stride and --max-per-class must be >= 1 and "
                    + "--test-fraction in (0, 1)");
        }
        if (outTrain.toAbsolutePath().normalize().equals(outTest.toAbsolutePath().normalize())) {
            throw new CommandLine.ParameterException(cl, "--out-train and --out-test must differ");
        }
        Gff3Annotation annotation = Gff3Annotation.read(gff);
        Map<String, byte[]> sequences = annotation.genome(fasta);
        if (sequences.isEmpty()) {
            throw new UserException(gff + ": no ##FASTA line, so no sequences in the file; give them with --fasta");
        }
        CodingWindows.Split split = CodingWindows.cut(annotation, sequences,
                new CodingWindows.Settings(window, s, testFraction, maxPerClass, seed));
        for (String label : List.of(CodingWindows.CODING, CodingWindows.INTERGENIC)) {
            if (count(split.train(), label) == 0 || count(split.test(), label) == 0) {
                throw new UserException(gff + ": no " + label + " windows of " + window + " bases in the "
                        + (count(split.train(), label) == 0 ? "training" : "test") + " part; try a smaller --window");
            }
        }
        write(outTrain, split.train());
        write(outTest, split.test());
        report(cl.getOut(), split);
        return 0;
    }

    private static long count(List<CodingWindows.Window> windows, String label) {
        return windows.stream().filter(w -> w.label().equals(label)).count();
    }

    private static void write(Path file, List<CodingWindows.Window> windows) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (CodingWindows.Window w : windows) {
            sb.append('>').append(w.id()).append(' ').append(LabelledSet.LABEL_TOKEN).append(w.label()).append('\n');
            String bases = new String(w.bases(), StandardCharsets.US_ASCII);
            for (int i = 0; i < bases.length(); i += LINE) {
                sb.append(bases, i, Math.min(bases.length(), i + LINE)).append('\n');
            }
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
        AtomicFiles.write(file, out -> AtomicFiles.writeFully(out, ByteBuffer.wrap(bytes)));
    }

    private void report(PrintWriter w, CodingWindows.Split split) {
        int[] coding = split.candidates().get(CodingWindows.CODING);
        int[] intergenic = split.candidates().get(CodingWindows.INTERGENIC);
        if (json.enabled()) {
            w.println(new JsonLine().put("op", "dna-classify-dataset")
                    .put("train_coding", count(split.train(), CodingWindows.CODING))
                    .put("train_intergenic", count(split.train(), CodingWindows.INTERGENIC))
                    .put("test_coding", count(split.test(), CodingWindows.CODING))
                    .put("test_intergenic", count(split.test(), CodingWindows.INTERGENIC))
                    .put("candidates_train_coding", coding[0]).put("candidates_train_intergenic", intergenic[0])
                    .put("candidates_test_coding", coding[1]).put("candidates_test_intergenic", intergenic[1])
                    .put("windows_with_n", split.withN()).put("out_train", outTrain.toString())
                    .put("out_test", outTest.toString()));
        } else {
            w.printf(Locale.ROOT, "%-10s %10s %12s   (candidates: coding, intergenic)%n", "", "coding", "intergenic");
            String row = "%-10s %10d %12d   (%,d, %,d)  -> %s%n";
            w.printf(Locale.ROOT, row, "train", count(split.train(), CodingWindows.CODING),
                    count(split.train(), CodingWindows.INTERGENIC), coding[0], intergenic[0], outTrain);
            w.printf(Locale.ROOT, row, "test", count(split.test(), CodingWindows.CODING),
                    count(split.test(), CodingWindows.INTERGENIC), coding[1], intergenic[1], outTest);
            if (split.withN() > 0) {
                w.printf(Locale.ROOT, "left out %,d windows holding an N%n", split.withN());
            }
        }
        w.flush();
    }
}
