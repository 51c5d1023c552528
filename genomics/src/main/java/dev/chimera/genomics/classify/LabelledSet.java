package dev.chimera.genomics.classify;

import dev.chimera.genomics.FastaSource;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.SequenceRecord;
import dev.chimera.runtime.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A labelled set of DNA records as the {@code classify} commands take it, in one of two forms:
 * <ul>
 *   <li>one FASTA/FASTQ file whose headers carry the label as a token {@code label=NAME} anywhere
 *       in the description ({@code >r1 label=promoter len=300}); the labels, sorted, are the
 *       classes;</li>
 *   <li>one file per class, {@code NAME=FILE,NAME=FILE,...}: every record of FILE is of class NAME
 *       (header labels are not read); the classes in the order given.</li>
 * </ul>
 * Records are read through {@link FastaSource} and tokenized by {@link NucleotideTokenizer} (an
 * invalid character is an error naming the record). A label is a non-empty name without ',' '='
 * or whitespace. Read against the labels of a trained model, a label the model does not know is an
 * error naming the file and record.
 */
public final class LabelledSet {
    /** The header token that carries a record's label. */
    public static final String LABEL_TOKEN = "label=";

    private final List<String> labels;
    private final List<Example> examples;

    private LabelledSet(List<String> labels, List<Example> examples) {
        this.labels = List.copyOf(labels);
        this.examples = List.copyOf(examples);
    }

    /**
     * Reads a training set: at least two classes. {@code option} names the option in messages
     * ({@code --train}).
     */
    public static LabelledSet forTraining(String spec, String option) {
        LabelledSet set = read(spec, option, null);
        if (set.labels.size() < 2) {
            throw new UserException(option + " " + spec + ": all " + set.examples.size() + " records are of class '"
                    + set.labels.get(0) + "'; a classifier needs at least two classes");
        }
        return set;
    }

    /** Reads a set against the classes of a trained model: every label must be one of {@code labels}. */
    public static LabelledSet against(String spec, String option, List<String> labels) {
        return read(spec, option, labels);
    }

    private static LabelledSet read(String spec, String option, List<String> known) {
        if (spec == null || spec.isBlank()) {
            throw new UserException(option + ": expected a FASTA file with 'label=NAME' in its headers, or "
                    + "NAME=FILE,NAME=FILE");
        }
        NucleotideTokenizer tokenizer = new NucleotideTokenizer();
        Path single = Path.of(spec);
        if (Files.exists(single) || !spec.contains("=")) {
            return fromHeaders(spec, single, known, tokenizer);
        }
        return fromFilesPerClass(spec, option, known, tokenizer);
    }

    private static LabelledSet fromHeaders(String spec, Path file, List<String> known, NucleotideTokenizer tokenizer) {
        List<SequenceRecord> records = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (FastaSource source = FastaSource.open(file)) {
            while (source.hasNext()) {
                SequenceRecord r = source.next();
                records.add(r);
                names.add(labelOf(r));
            }
        }
        List<String> labels = known != null ? known : new ArrayList<>(new TreeSet<>(names));
        List<Example> examples = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            SequenceRecord r = records.get(i);
            examples.add(new Example(r.id(), r.where(), tokenizer.encode(r), indexOf(labels, names.get(i), r.where())));
        }
        return new LabelledSet(labels, examples);
    }

    private static LabelledSet fromFilesPerClass(String spec, String option, List<String> known,
                                                 NucleotideTokenizer tokenizer) {
        Map<String, Path> files = new LinkedHashMap<>();
        for (String part : spec.split(",", -1)) {
            int eq = part.indexOf('=');
            String name = eq < 0 ? "" : part.substring(0, eq).strip();
            String path = eq < 0 ? "" : part.substring(eq + 1).strip();
            if (eq < 0 || path.isEmpty()) {
                throw new UserException(option + " " + spec + ": '" + part + "' is not NAME=FILE (expected "
                        + "NAME=FILE,NAME=FILE, or one FASTA file with 'label=NAME' in its headers)");
            }
            requireValidLabel(name, option + " " + spec);
            if (files.put(name, Path.of(path)) != null) {
                throw new UserException(option + " " + spec + ": class '" + name + "' is given twice");
            }
        }
        List<String> labels = known != null ? known : new ArrayList<>(files.keySet());
        List<Example> examples = new ArrayList<>();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            try (FastaSource source = FastaSource.open(e.getValue())) {
                while (source.hasNext()) {
                    SequenceRecord r = source.next();
                    examples.add(new Example(r.id(), r.where(), tokenizer.encode(r), indexOf(labels, e.getKey(),
                            r.where())));
                }
            }
        }
        return new LabelledSet(labels, examples);
    }

    /** The label a header's description carries as {@code label=NAME}; a missing or repeated one is an error. */
    static String labelOf(SequenceRecord r) {
        String found = null;
        for (String token : r.description().split("\\s+")) {
            if (token.startsWith(LABEL_TOKEN)) {
                String name = token.substring(LABEL_TOKEN.length());
                if (found != null && !found.equals(name)) {
                    throw new UserException(r.where() + ": two labels in the header, '" + found + "' and '" + name
                            + "'");
                }
                requireValidLabel(name, r.where());
                found = name;
            }
        }
        if (found == null) {
            throw new UserException(r.where() + ": no label (expected a token 'label=NAME' in the header, or one "
                    + "file per class: NAME=FILE,NAME=FILE)");
        }
        return found;
    }

    private static void requireValidLabel(String name, String where) {
        if (name.isEmpty() || name.contains(",") || name.contains("=") || !name.equals(name.strip())) {
            throw new UserException(where + ": label '" + name + "' is not a name (non-empty, without ',' '=' or "
                    + "spaces)");
        }
    }

    private static int indexOf(List<String> labels, String name, String where) {
        int i = labels.indexOf(name);
        if (i < 0) {
            throw new UserException(where + ": label '" + name + "' is not one of the model's classes ("
                    + String.join(", ", labels) + ")");
        }
        return i;
    }

    /** The classes: label i is class i. */
    public List<String> labels() {
        return labels;
    }

    public List<Example> examples() {
        return examples;
    }

    /** Records of each class, by class index. */
    public int[] classCounts() {
        int[] counts = new int[labels.size()];
        for (Example e : examples) {
            counts[e.label()]++;
        }
        return counts;
    }
}
