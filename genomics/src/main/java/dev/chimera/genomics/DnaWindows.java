package dev.chimera.genomics;

import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.train.Batch;
import dev.chimera.core.train.DataSource;
import dev.chimera.core.train.Seeds;
import dev.chimera.runtime.UserException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Next-nucleotide batches drawn from one side of a {@link TrainEvalSplit}: each row is a window
 * of T consecutive bases at a seeded random offset inside the training prefix (or the held-out
 * suffix) of one record, fed as {@code BOS + its first T-1 bases} with every one of its T bases
 * as the target of the position before it (HybriDNA-style single-nucleotide causal LM).
 *
 * <p>A training source reverse-complements each window with probability 1/2 (both strands are
 * DNA the model should know). Only A, C, G and T are targets: an N is read as input but its own
 * prediction carries no loss. A record part shorter than T gives shorter windows, padded at the
 * end with PAD inputs and ignored targets (the model is causal, so padding after a position
 * does not change it).
 *
 * <p>A tagged record ({@link TrainEvalSplit.Part#tag}, {@link DnaTags}) gives windows of T-1 bases
 * fed as {@code BOS, TAG + its first T-2 bases}: the tag is read, never predicted (BOS's position
 * carries no loss), and each of the T-1 bases is the target of the position before it, the first
 * one of the tag's. A reverse-complemented window keeps its tag.
 *
 * <p>Batch {@code i} depends only on i, the seed and the split ({@link Seeds#stream}), so a
 * resumed run sees exactly the batches of the uninterrupted one. A record is chosen with
 * probability proportional to its number of possible window starts, so every start in every
 * record is equally likely; windows never cross the train/eval boundary or a record end.
 */
public final class DnaWindows implements DataSource {
    private final List<TrainEvalSplit.Part> parts;
    private final boolean training;
    private final int context;
    private final int batch;
    private final long seed;
    private final boolean reverseComplement;
    /** (parts + 1): cumulative window starts; part p owns [starts[p], starts[p+1]). */
    private final long[] starts;

    private DnaWindows(TrainEvalSplit split, boolean training, int context, int batch, long seed,
                       boolean reverseComplement) {
        if (context < 2) {
            throw new IllegalArgumentException("context must be >= 2 (BOS and at least one base), got " + context);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        this.parts = split.parts();
        this.training = training;
        this.context = context;
        this.batch = batch;
        this.seed = seed;
        this.reverseComplement = reverseComplement;
        this.starts = new long[parts.size() + 1];
        for (int p = 0; p < parts.size(); p++) {
            int length = regionLength(parts.get(p));
            int bases = basesPerWindow(context, parts.get(p).tag());
            starts[p + 1] = starts[p] + (length == 0 ? 0 : Math.max(1, length - bases + 1));
        }
        if (starts[parts.size()] == 0) {
            throw new UserException(split.description() + ": no " + (training ? "training" : "held-out")
                    + " bases to draw windows from");
        }
    }

    /** Windows from the training prefixes, each reverse-complemented with probability 1/2. */
    public static DnaWindows training(TrainEvalSplit split, int context, int batch, long seed) {
        return new DnaWindows(split, true, context, batch, seed, true);
    }

    /** Windows from the held-out suffixes, as they are (no augmentation), for a fixed evaluation set. */
    public static DnaWindows heldOut(TrainEvalSplit split, int context, int batch, long seed) {
        return new DnaWindows(split, false, context, batch, seed, false);
    }

    private int regionStart(TrainEvalSplit.Part p) {
        return training ? 0 : p.trainEnd();
    }

    private int regionLength(TrainEvalSplit.Part p) {
        return training ? p.trainEnd() : p.evalLength();
    }

    /** Bases a window of {@code context} positions holds: all but BOS's, and the tag's if {@code tag} is one. */
    static int basesPerWindow(int context, int tag) {
        return tag == TrainEvalSplit.NO_TAG ? context : context - 1;
    }

    /** Positions per row, BOS included. */
    public int context() {
        return context;
    }

    public int batchSize() {
        return batch;
    }

    @Override
    public Batch batch(long index) {
        SplittableRandom random = Seeds.stream(seed, index);
        int[] inputs = new int[batch * context];
        int[] targets = new int[batch * context];
        byte[] window = new byte[context];
        for (int row = 0; row < batch; row++) {
            long pick = random.nextLong(starts[parts.size()]);
            int p = partOf(pick);
            TrainEvalSplit.Part part = parts.get(p);
            int from = regionStart(part) + (int) (pick - starts[p]);
            int length = Math.min(basesPerWindow(context, part.tag()), regionLength(part));
            System.arraycopy(part.tokens(), from, window, 0, length);
            boolean flip = reverseComplement && random.nextBoolean();
            if (flip) {
                reverseComplementInPlace(window, length);
            }
            fill(inputs, targets, row * context, context, part.tag(), window, length);
        }
        return Batch.of(Inputs.tokens(inputs, batch, context), Targets.tokens(targets), describe());
    }

    /**
     * Row {@code [at, at+context)}: BOS (then {@code tag} unless it is {@link TrainEvalSplit#NO_TAG}),
     * then bases[0..length-1) as inputs; bases[0..length) as the targets of the positions from the
     * last of BOS/tag on, the positions before it ignored; padded at the end.
     */
    static void fill(int[] inputs, int[] targets, int at, int context, int tag, byte[] bases, int length) {
        int lead = tag == TrainEvalSplit.NO_TAG ? 1 : 2;  // positions before the first base
        inputs[at] = NucleotideTokenizer.BOS;
        if (lead == 2) {
            inputs[at + 1] = tag;
            targets[at] = Backend.IGNORE_TARGET;
        }
        for (int p = lead - 1; p < context; p++) {
            int base = p - lead + 1;  // the base position p predicts; the input at p + 1 is this base
            if (p + 1 < context) {
                inputs[at + p + 1] = base + 1 < length ? bases[base] : NucleotideTokenizer.PAD;
            }
            targets[at + p] = base < length && bases[base] <= NucleotideTokenizer.T ? bases[base] : Backend.IGNORE_TARGET;
        }
    }

    private int partOf(long pick) {
        int i = Arrays.binarySearch(starts, pick);
        if (i >= 0) {
            while (starts[i + 1] == pick) {
                i++;  // skip parts that own no window start
            }
            return i;
        }
        return -i - 2;
    }

    private static void reverseComplementInPlace(byte[] w, int length) {
        for (int i = 0, j = length - 1; i <= j; i++, j--) {
            byte a = NucleotideTokenizer.complement(w[i]);
            w[i] = NucleotideTokenizer.complement(w[j]);
            w[j] = a;
        }
    }

    @Override
    public String describe() {
        boolean tagged = parts.stream().anyMatch(p -> p.tag() != TrainEvalSplit.NO_TAG);
        String shape = tagged
                ? String.format(Locale.ROOT, "of %d positions (BOS, tag + %d bases in, %d predicted)", context,
                        context - 2, context - 1)
                : String.format(Locale.ROOT, "of %d bases (BOS + %d in, %d predicted)", context, context - 1, context);
        return String.format(Locale.ROOT, "%s windows %s, batch %d, seed %d%s", training ? "training" : "held-out",
                shape, batch, seed, reverseComplement ? ", reverse complement with probability 1/2" : "");
    }
}
