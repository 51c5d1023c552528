package dev.chimera.genomics;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Tokenized records with, for each, where training ends and evaluation starts: either one file split
 * by a {@link Holdout} (eval = the suffix of every record, whose context may reach back into the
 * train prefix) or a train file and an eval file (train records have no eval part, eval records no
 * train part). Baselines and models read the same object, so they train and score the same bases.
 */
public final class TrainEvalSplit {

    /** {@link Part#tag} of a record read without a tag. */
    public static final int NO_TAG = -1;

    /**
     * One record: tokens [0, trainEnd) are for training, [trainEnd, length) for evaluation.
     *
     * @param where the record for messages (file, number and id)
     * @param tag   the token of the {@link DnaTags tag} its windows start with after BOS, or {@link #NO_TAG}
     */
    public record Part(String where, String id, byte[] tokens, int trainEnd, int tag) {
        /** A record without a tag. */
        public Part(String where, String id, byte[] tokens, int trainEnd) {
            this(where, id, tokens, trainEnd, NO_TAG);
        }

        public int trainLength() {
            return trainEnd;
        }

        public int evalLength() {
            return tokens.length - trainEnd;
        }
    }

    private final List<Part> parts;
    private final String description;

    private TrainEvalSplit(List<Part> parts, String description) {
        this.parts = Collections.unmodifiableList(parts);
        this.description = description;
    }

    /** Every record of {@code file}, tokenized, with its last {@code holdout} fraction held out. */
    public static TrainEvalSplit holdout(Path file, Holdout holdout, NucleotideTokenizer tokenizer) {
        List<Part> parts = read(file, tokenizer, (r, tokens) -> holdout.trainEnd(tokens.length));
        return new TrainEvalSplit(parts, file + ", last " + holdout.fraction() + " of each record held out");
    }

    /** As {@link #holdout(Path, Holdout, NucleotideTokenizer)}, every record tagged with token {@code tag}. */
    public static TrainEvalSplit holdout(Path file, Holdout holdout, NucleotideTokenizer tokenizer, String tagName,
            int tag) {
        List<Part> parts = new ArrayList<>();
        for (Part p : holdout(file, holdout, tokenizer).parts) {
            parts.add(new Part(p.where(), p.id(), p.tokens(), p.trainEnd(), tag));
        }
        return new TrainEvalSplit(parts, tagName + "=" + file + ", last " + holdout.fraction()
                + " of each record held out");
    }

    /** The parts of every split, in order, as one split (e.g. several tagged genomes). */
    public static TrainEvalSplit concat(List<TrainEvalSplit> splits) {
        List<Part> parts = new ArrayList<>();
        List<String> descriptions = new ArrayList<>();
        for (TrainEvalSplit s : splits) {
            parts.addAll(s.parts);
            descriptions.add(s.description);
        }
        return new TrainEvalSplit(parts, String.join("; ", descriptions));
    }

    /** The records of {@code train} for training and those of {@code eval} for evaluation. */
    public static TrainEvalSplit separate(Path train, Path eval, NucleotideTokenizer tokenizer) {
        List<Part> parts = read(train, tokenizer, (r, tokens) -> tokens.length);
        parts.addAll(read(eval, tokenizer, (r, tokens) -> 0));
        return new TrainEvalSplit(parts, "train " + train + ", eval " + eval);
    }

    private static List<Part> read(Path file, NucleotideTokenizer tokenizer,
            BiFunction<SequenceRecord, byte[], Integer> trainEnd) {
        List<Part> parts = new ArrayList<>();
        try (FastaSource source = FastaSource.open(file)) {
            while (source.hasNext()) {
                SequenceRecord r = source.next();
                byte[] tokens = tokenizer.encode(r);
                parts.add(new Part(r.where(), r.id(), tokens, trainEnd.apply(r, tokens)));
            }
        }
        return parts;
    }

    public List<Part> parts() {
        return parts;
    }

    /** Where the data came from and how it was split, for the report. */
    public String description() {
        return description;
    }

    public long trainBases() {
        long n = 0;
        for (Part p : parts) {
            n += p.trainLength();
        }
        return n;
    }

    /** Eval positions, N included. */
    public long evalBases() {
        long n = 0;
        for (Part p : parts) {
            n += p.evalLength();
        }
        return n;
    }

    /** Total tokens, train and eval. */
    public long totalBases() {
        return trainBases() + evalBases();
    }

    /** The train parts as letters (A C G T N), records separated by '\n', for the compressors. */
    public byte[] trainLetters() {
        return letters(true);
    }

    /** The eval parts as letters, records separated by '\n'. */
    public byte[] evalLetters() {
        return letters(false);
    }

    private byte[] letters(boolean train) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean first = true;
        for (Part p : parts) {
            int from = train ? 0 : p.trainEnd();
            int to = train ? p.trainEnd() : p.tokens().length;
            if (from == to) {
                continue;
            }
            if (!first) {
                out.write('\n');
            }
            first = false;
            out.writeBytes(NucleotideTokenizer.letters(p.tokens(), from, to));
        }
        return out.toByteArray();
    }
}
