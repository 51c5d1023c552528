package dev.chimera.genomics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tag tokens of a conditionally trained DNA model (HybriDNA's tagged pretraining, REFERENCE §3):
 * names such as a species or a class, each one token id after the {@link NucleotideTokenizer}'s nine
 * fixed ids, in the order given:
 *
 * <pre>
 *   0..8   A C G T N PAD BOS SEP MASK     (always)
 *   9      the first tag, e.g. ecoli
 *   10     the second tag, e.g. saureus   ...
 * </pre>
 *
 * A tagged sequence is read as BOS, TAG, its bases. The tags are part of the tokenizer id recorded
 * in a model's trainer.json ({@link #tokenizerId}): a model without tags records exactly
 * {@link DnaModel#TOKENIZER}, as models did before tags existed; a tagged one appends
 * {@code ,tag:NAME} for each tag in id order, e.g.
 * {@code nucleotide-v1:A,C,G,T,N,PAD,BOS,SEP,MASK,tag:ecoli,tag:saureus}.
 *
 * <p>A name is a letter or digit followed by letters, digits, '_', '.' or '-' (so it never contains
 * the '=', ',', ';' or '/' that command lines and the tokenizer id use around it).
 */
public final class DnaTags {
    /** No tags: the plain nucleotide vocabulary. */
    public static final DnaTags NONE = new DnaTags(List.of());

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final String TAG = ",tag:";

    private final List<String> names;

    private DnaTags(List<String> names) {
        this.names = Collections.unmodifiableList(new ArrayList<>(names));
    }

    /** Tags with ids 9, 10, ... in the order of {@code names}, which must be valid and distinct. */
    public static DnaTags of(List<String> names) {
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            if (!isValidName(name)) {
                throw new IllegalArgumentException("tag '" + name + "' is not a valid name (a letter or digit, then "
                        + "letters, digits, '_', '.' or '-')");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("tag '" + name + "' is given twice");
            }
        }
        return names.isEmpty() ? NONE : new DnaTags(names);
    }

    /** Whether {@code name} can be a tag. */
    public static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }

    /**
     * The tags of a recorded tokenizer id: {@link #NONE} for {@link DnaModel#TOKENIZER} itself,
     * null if {@code id} is not the nucleotide tokenizer with valid, distinct tags.
     */
    public static DnaTags fromTokenizerId(String id) {
        if (id == null || !id.startsWith(DnaModel.TOKENIZER)) {
            return null;
        }
        String rest = id.substring(DnaModel.TOKENIZER.length());
        List<String> names = new ArrayList<>();
        while (!rest.isEmpty()) {
            if (!rest.startsWith(TAG)) {
                return null;
            }
            int end = rest.indexOf(',', TAG.length());
            end = end < 0 ? rest.length() : end;
            names.add(rest.substring(TAG.length(), end));
            rest = rest.substring(end);
        }
        try {
            return of(names);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The tokenizer id a model trained with these tags records. */
    public String tokenizerId() {
        StringBuilder sb = new StringBuilder(DnaModel.TOKENIZER);
        for (String name : names) {
            sb.append(TAG).append(name);
        }
        return sb.toString();
    }

    /** The names, in id order. */
    public List<String> names() {
        return names;
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }

    /** Ids in the vocabulary: the nine fixed ones and one per tag. */
    public int vocabSize() {
        return NucleotideTokenizer.VOCAB_SIZE + names.size();
    }

    /** The token id of tag {@code name}, or -1 if there is no such tag. */
    public int token(String name) {
        int i = names.indexOf(name);
        return i < 0 ? -1 : NucleotideTokenizer.VOCAB_SIZE + i;
    }

    /** The names joined by ", ", or "none" when there are none (for messages). */
    public String describe() {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DnaTags t && t.names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    @Override
    public String toString() {
        return "DnaTags" + names;
    }
}
