package dev.chimera.genomics.cli;

import dev.chimera.genomics.DnaTags;
import dev.chimera.genomics.Holdout;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.TrainEvalSplit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The training inputs of {@code dna pretrain}: one untagged FASTA file, or one or more tagged ones
 * given as {@code --fasta TAG=FILE} (several files may share a tag; the tags become token ids 9, 10,
 * ... in the order they first appear, {@link DnaTags}).
 *
 * <p>A value is {@code TAG=FILE} when the text before its first '=' is a valid tag name, otherwise
 * a plain file name ({@code ./a=b.fa} names a file {@code a=b.fa}).
 *
 * <p>Recorded form (trainer.json's {@code pretrain.fasta}): the absolute path of an untagged file,
 * as before tags existed; {@code TAG=PATH;TAG=PATH...} with absolute paths for tagged inputs. An
 * absolute path starts with '/' (or a drive letter and ':'), never with a tag name and '=', so the
 * two forms cannot be confused.
 */
record PretrainInputs(List<Input> inputs) {
    private static final char SEPARATOR = ';';

    /** One file and its tag (null when untagged). */
    record Input(String tag, Path file) {
        String recorded() {
            String path = file.toAbsolutePath().normalize().toString();
            return tag == null ? path : tag + "=" + path;
        }
    }

    /** The {@code --fasta} values; fails with a message for the user when they mix or repeat inputs. */
    static PretrainInputs fromOptions(List<String> values) {
        List<Input> inputs = new ArrayList<>();
        for (String v : values) {
            inputs.add(parse(v));
        }
        long untagged = inputs.stream().filter(i -> i.tag() == null).count();
        if (untagged > 0 && inputs.size() > 1) {
            throw new IllegalArgumentException("--fasta: give one untagged file, or a tag to every file (--fasta "
                    + "TAG=FILE, e.g. --fasta ecoli=a.fa --fasta saureus=b.fa); got " + String.join(", ", values));
        }
        Set<String> seen = new HashSet<>();
        for (Input i : inputs) {
            String recorded = i.recorded();
            if (i.tag() != null && recorded.indexOf(SEPARATOR) >= 0) {
                throw new IllegalArgumentException("--fasta " + i.tag() + "=" + i.file() + ": a tagged file's path "
                        + "cannot contain '" + SEPARATOR + "' (rename or link it)");
            }
            if (!seen.add(recorded)) {
                throw new IllegalArgumentException("--fasta " + recorded + " is given twice");
            }
        }
        return new PretrainInputs(List.copyOf(inputs));
    }

    /** The inputs of a recorded {@code pretrain.fasta}. */
    static PretrainInputs fromRecorded(String recorded) {
        Input first = parse(recorded);
        if (first.tag() == null) {
            return new PretrainInputs(List.of(first));
        }
        List<Input> inputs = new ArrayList<>();
        for (String entry : recorded.split(String.valueOf(SEPARATOR), -1)) {
            inputs.add(parse(entry));
        }
        return new PretrainInputs(List.copyOf(inputs));
    }

    private static Input parse(String value) {
        int eq = value.indexOf('=');
        if (eq > 0 && DnaTags.isValidName(value.substring(0, eq))) {
            if (eq == value.length() - 1) {
                throw new IllegalArgumentException("--fasta " + value + ": no file after '='");
            }
            return new Input(value.substring(0, eq), Path.of(value.substring(eq + 1)));
        }
        return new Input(null, Path.of(value));
    }

    /** What trainer.json records. */
    String recorded() {
        List<String> entries = new ArrayList<>();
        inputs.forEach(i -> entries.add(i.recorded()));
        return String.join(String.valueOf(SEPARATOR), entries);
    }

    /** The tags in the order they first appear; {@link DnaTags#NONE} for an untagged file. */
    DnaTags tags() {
        Set<String> names = new LinkedHashSet<>();
        for (Input i : inputs) {
            if (i.tag() != null) {
                names.add(i.tag());
            }
        }
        return DnaTags.of(List.copyOf(names));
    }

    /** Every input's records with the last {@code holdout} fraction of each held out, tagged as given. */
    TrainEvalSplit read(Holdout holdout, NucleotideTokenizer tokenizer) {
        if (inputs.size() == 1 && inputs.get(0).tag() == null) {
            return TrainEvalSplit.holdout(inputs.get(0).file(), holdout, tokenizer);
        }
        DnaTags tags = tags();
        List<TrainEvalSplit> splits = new ArrayList<>();
        for (Input i : inputs) {
            splits.add(TrainEvalSplit.holdout(i.file(), holdout, tokenizer, i.tag(), tags.token(i.tag())));
        }
        return TrainEvalSplit.concat(splits);
    }
}
