package dev.chimera.genomics.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.checkpoint.AtomicFiles;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.genomics.FastaSource;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.SequenceRecord;
import dev.chimera.genomics.classify.Classifier;
import dev.chimera.genomics.classify.ClassifierTraining;
import dev.chimera.genomics.classify.ClassifyModel;
import dev.chimera.genomics.classify.Example;
import dev.chimera.genomics.classify.Method;
import dev.chimera.runtime.ArrowTables;
import dev.chimera.runtime.BatchRun;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code chimera dna classify predict}: the class of each record of a FASTA file, with every class's probability. */
@Command(name = "predict",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Predicts the class of every record of a FASTA/FASTQ file with a classifier's main method (or --method): "
                    + "one row per record, in input order, with the id, the predicted label and each class's "
                    + "probability (columns p_LABEL). Labels in the headers are not read.",
            "--out: a .tsv file (tab-separated, a header line) or an .arrow file (Arrow IPC: id and label utf8, "
                    + "p_LABEL float64), written under a temporary name and renamed into place."})
public final class ClassifyPredictCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A classifier ('classify train --out').")
    Path model;

    @Option(names = "--fasta", required = true, paramLabel = "F", description = "Records to classify (FASTA/FASTQ).")
    Path fasta;

    @Option(names = "--out", required = true, paramLabel = "F.tsv|F.arrow", description = "The predictions.")
    Path out;

    @Option(names = "--method", paramLabel = "NAME", description = "A method kept in --model (default: its main one).")
    String method;

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        String name = out.getFileName().toString();
        boolean arrow = name.endsWith(".arrow");
        if (!arrow && !name.endsWith(".tsv")) {
            throw new CommandLine.ParameterException(cl, "--out " + out + ": expected a .tsv or .arrow file name");
        }
        BatchRun.requireWritable(out, "--out");
        try (ComputePool pool = new ComputePool(compute.threads())) {
            ClassifyModel classifier = ClassifyModel.open(model, compute.backend(pool));
            Classifier chosen = chosen(cl, classifier);
            List<Example> records = read(fasta);
            if (chosen.method().usesModel()) {
                String cropped = ClassifierTraining.cropNote("--fasta", records, classifier.maxBases(),
                        chosen.method(), false);
                if (cropped != null) {
                    cl.getErr().println(cropped);
                    cl.getErr().flush();
                }
            }
            long t0 = System.nanoTime();
            double[][] p = chosen.probabilities(records);
            double seconds = (System.nanoTime() - t0) / 1e9;
            int[] predicted = Classifier.argmax(p);
            if (arrow) {
                writeArrow(records, predicted, p, classifier, chosen);
            } else {
                writeTsv(records, predicted, p, classifier.labels());
            }
            if (json.enabled()) {
                cl.getOut().println(new JsonLine().put("op", "dna-classify-predict").put("task", classifier.task())
                        .put("method", chosen.method().id()).put("records", records.size())
                        .put("seconds", seconds, 2).put("out", out.toString()));
            } else {
                cl.getOut().printf(Locale.ROOT, "predicted %,d records with %s in %.1f s -> %s%n", records.size(),
                        chosen.method().id(), seconds, out);
            }
            cl.getOut().flush();
        }
        return 0;
    }

    private Classifier chosen(CommandLine cl, ClassifyModel classifier) {
        if (method == null) {
            return classifier.main();
        }
        try {
            return classifier.method(Method.parse(method));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--method: " + e.getMessage());
        }
    }

    private static List<Example> read(Path file) {
        NucleotideTokenizer tokenizer = new NucleotideTokenizer();
        List<Example> records = new ArrayList<>();
        try (FastaSource source = FastaSource.open(file)) {
            while (source.hasNext()) {
                SequenceRecord r = source.next();
                records.add(new Example(r.id(), r.where(), tokenizer.encode(r), -1));
            }
        }
        return records;
    }

    private void writeTsv(List<Example> records, int[] predicted, double[][] p, List<String> labels)
            throws IOException {
        StringBuilder sb = new StringBuilder("id\tlabel");
        for (String label : labels) {
            sb.append("\tp_").append(label);
        }
        sb.append('\n');
        for (int i = 0; i < records.size(); i++) {
            sb.append(records.get(i).id()).append('\t').append(labels.get(predicted[i]));
            for (double v : p[i]) {
                sb.append('\t').append(String.format(Locale.ROOT, "%.6g", v));
            }
            sb.append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(out, channel -> AtomicFiles.writeFully(channel, ByteBuffer.wrap(bytes)));
    }

    private void writeArrow(List<Example> records, int[] predicted, double[][] p, ClassifyModel classifier,
                            Classifier chosen) {
        List<String> labels = classifier.labels();
        List<ArrowTables.Column> columns = new ArrayList<>(List.of(ArrowTables.Column.utf8("id"),
                ArrowTables.Column.utf8("label")));
        for (String label : labels) {
            columns.add(ArrowTables.Column.float64("p_" + label));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("command", "chimera dna classify predict");
        metadata.put("model", classifier.directory().toAbsolutePath().normalize().toString());
        metadata.put("task", classifier.task());
        metadata.put("method", chosen.method().id());
        try (ArrowTables.Writer w = ArrowTables.create(out, columns, 4096, metadata)) {
            for (int i = 0; i < records.size(); i++) {
                w.set(0, records.get(i).id()).set(1, labels.get(predicted[i]));
                for (int k = 0; k < labels.size(); k++) {
                    w.set(2 + k, p[i][k]);
                }
                w.endRow();
            }
            w.commit();
        } catch (java.io.UncheckedIOException e) {
            throw new UserException("--out " + out + ": " + e.getMessage(), e);
        }
    }
}
