package dev.chimera.genomics;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Bits per base of a DNA language model on stretches of sequence, the number set beside the
 * Markov and compressor baselines of {@code chimera dna baseline}.
 *
 * <p>A region is cut into consecutive windows of T bases (T = the training context); each window
 * is fed as BOS followed by its first T-1 bases, and each of its T bases is scored by the
 * position before it: the same view of the sequence the model had in training, so every base sees
 * between 0 and T-1 bases of context (the Markov models of order k see k). Windows of a batch run
 * through the parallel forward pass together; the last, shorter window of a region is padded at
 * the end, which a causal model does not see. A tagged region's windows hold T-1 bases, fed as BOS,
 * the tag and T-2 bases, as the model was trained ({@link DnaWindows}).
 *
 * <p>A base's probability is the softmax of the head's logits taken over A, C, G and T only
 * (the other ids, N and the specials, are never the answer where a base is scored; the Markov
 * models' distributions are over the same four bases). N is not scored, as in the Markov
 * baseline. Bits per base = mean nats / ln 2 over the scored bases.
 */
public final class HeldOutScore {
    private static final double LN2 = Math.log(2);

    /** Nats summed over {@code bases} scored bases; {@code skipped} N positions were not scored. */
    public record Result(double nats, long bases, long skipped) {
        public double bitsPerBase() {
            return bases == 0 ? Double.NaN : nats / bases / LN2;
        }

        public Result plus(Result o) {
            return new Result(nats + o.nats, bases + o.bases, skipped + o.skipped);
        }
    }

    /**
     * One stretch to score: tokens [from, to) of {@code tokens}, each window read after BOS and
     * {@code tag} unless that is {@link TrainEvalSplit#NO_TAG} (then a window holds T-1 bases).
     */
    public record Region(byte[] tokens, int from, int to, int tag) {
        public Region {
            if (from < 0 || to < from || to > tokens.length) {
                throw new IllegalArgumentException("region [" + from + ", " + to + ") outside 0.." + tokens.length);
            }
        }

        /** An untagged region. */
        public Region(byte[] tokens, int from, int to) {
            this(tokens, from, to, TrainEvalSplit.NO_TAG);
        }
    }

    private final Decoder model;
    private final int context;
    private final int rows;
    private final Decoder.Training buffers;
    private final Tensor logits;  // (rows * T, vocab)

    /**
     * @param model   a decoder built for at least {@code context} positions
     * @param context T, positions per window (BOS included)
     * @param rows    windows per forward pass
     */
    public HeldOutScore(Decoder model, int context, int rows) {
        if (context < 2 || context > model.maxLength()) {
            throw new IllegalArgumentException("context " + context + " must be in 2.." + model.maxLength());
        }
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        this.model = model;
        this.context = context;
        this.rows = rows;
        this.buffers = model.new Training(rows, context);
        this.logits = Tensor.zeros(rows * context, model.head().outputShape()[0]);
    }

    /** The held-out suffix of every part of the split, as one result. */
    public Result heldOut(TrainEvalSplit split, LongConsumer progress) {
        List<Region> regions = new ArrayList<>();
        for (TrainEvalSplit.Part p : split.parts()) {
            regions.add(new Region(p.tokens(), p.trainEnd(), p.tokens().length, p.tag()));
        }
        Result total = new Result(0, 0, 0);
        for (Result r : score(regions, progress)) {
            total = total.plus(r);
        }
        return total;
    }

    /** One result per region; {@code progress} receives the bases done so far (may be null). */
    public List<Result> score(List<Region> regions, LongConsumer progress) {
        double[] nats = new double[regions.size()];
        long[] bases = new long[regions.size()];
        long[] skipped = new long[regions.size()];
        int[] inputs = new int[rows * context];
        int[] targets = new int[rows * context];
        int[] owner = new int[rows];
        int filled = 0;
        long done = 0;
        for (int r = 0; r < regions.size(); r++) {
            Region region = regions.get(r);
            int perWindow = DnaWindows.basesPerWindow(context, region.tag());
            for (int a = region.from(); a < region.to(); a += perWindow) {
                int length = Math.min(perWindow, region.to() - a);
                byte[] window = java.util.Arrays.copyOfRange(region.tokens(), a, a + length);
                DnaWindows.fill(inputs, targets, filled * context, context, region.tag(), window, length);
                for (int i = 0; i < length; i++) {
                    skipped[r] += window[i] > NucleotideTokenizer.T ? 1 : 0;
                }
                owner[filled++] = r;
                done += length;
                if (filled == rows) {
                    run(inputs, targets, owner, filled, nats, bases);
                    filled = 0;
                    if (progress != null) {
                        progress.accept(done);
                    }
                }
            }
        }
        if (filled > 0) {
            run(inputs, targets, owner, filled, nats, bases);
            if (progress != null) {
                progress.accept(done);
            }
        }
        List<Result> out = new ArrayList<>();
        for (int r = 0; r < regions.size(); r++) {
            out.add(new Result(nats[r], bases[r], skipped[r]));
        }
        return out;
    }

    /** Forward over the first {@code filled} rows (the rest padded as ignored) and adds up their nats. */
    private void run(int[] inputs, int[] targets, int[] owner, int filled, double[] nats, long[] bases) {
        for (int i = filled * context; i < inputs.length; i++) {
            inputs[i] = NucleotideTokenizer.PAD;
            targets[i] = Backend.IGNORE_TARGET;
        }
        Tensor hidden = model.hiddenStates(Inputs.tokens(inputs, rows, context), buffers);  // (rows, T, d)
        model.headOutput(logits, hidden.view(rows * context, hidden.dim(2)));
        float[] l = logits.data();
        int vocab = logits.dim(1);
        for (int row = 0; row < filled * context; row++) {
            int t = targets[row];
            if (t == Backend.IGNORE_TARGET) {
                continue;
            }
            nats[owner[row / context]] += baseNats(l, logits.offset() + row * vocab, t);
            bases[owner[row / context]]++;
        }
    }

    /**
     * -log softmax over the four base logits l[o .. o + 4) at base {@code target}, in double
     * ({@link Scorer#logSoftmax}): exact where a float probability would underflow.
     */
    static double baseNats(float[] l, int o, int target) {
        return -Scorer.logSoftmax(l, o, 4, target);
    }
}
