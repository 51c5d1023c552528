package dev.chimera.genomics;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.runtime.WindowedPrefill;
import java.util.function.LongConsumer;

/**
 * Bits per base of held-out DNA read as one stream per region, the model's state carried from
 * chunk to chunk as {@code chimera dna score} reads a record: no BOS restart every T bases.
 *
 * <p>A region [from, to) of a record is fed as BOS (and its tag, for a tagged model: {@link DnaTags}),
 * then the up to T - 1 (T - 2 after a tag) bases before {@code from} (context only, not scored: the
 * Markov baselines also see the bases before the held-out part), then the region's bases, {@code chunk} positions per prefill. Every base of the region is
 * predicted by the position before it, so it sees at least T - 1 bases of context; attention layers
 * must run with bounded spans (a full span trained on windows of T becomes window:T, see
 * {@code InferenceSpan}), Mamba2 layers carry their state over the whole region. A base's probability
 * and N's handling are those of {@link HeldOutScore}: softmax over A, C, G, T; N read but not scored.
 */
public final class CarriedHeldOutScore {
    private final Decoder decoder;
    private final int context;
    private final int chunk;
    private final int vocab;

    /**
     * @param decoder a decoder of the model's weights with bounded attention spans (or spans holding the longest region)
     * @param context T, the training context: how many bases before a region are read as its context (T - 1)
     * @param chunk   positions per prefill
     */
    public CarriedHeldOutScore(Decoder decoder, int context, int chunk) {
        if (context < 1 || chunk < 1) {
            throw new IllegalArgumentException("context and chunk must be >= 1, got " + context + ", " + chunk);
        }
        this.decoder = decoder;
        this.context = context;
        this.chunk = chunk;
        this.vocab = decoder.head().outputShape()[0];
    }

    /** The held-out suffix of every part of the split, as one result; {@code progress} gets the bases done (may be null). */
    public HeldOutScore.Result heldOut(TrainEvalSplit split, LongConsumer progress) {
        HeldOutScore.Result total = new HeldOutScore.Result(0, 0, 0);
        long[] done = {0};
        for (TrainEvalSplit.Part p : split.parts()) {
            long before = done[0];
            total = total.plus(score(new HeldOutScore.Region(p.tokens(), p.trainEnd(), p.tokens().length, p.tag()), bases -> {
                done[0] = before + bases;
                if (progress != null) {
                    progress.accept(done[0]);
                }
            }));
        }
        return total;
    }

    /** One region, its context read first; {@code progress} gets the region's bases done so far (may be null). */
    public HeldOutScore.Result score(HeldOutScore.Region region, LongConsumer progress) {
        byte[] tokens = region.tokens();
        int from = region.from();
        if (region.to() == from) {
            return new HeldOutScore.Result(0, 0, 0);
        }
        boolean tagged = region.tag() != TrainEvalSplit.NO_TAG;
        int lead = tagged ? 1 : 0;  // positions before the first base's prediction: BOS (and the tag)
        int start = Math.max(0, from - DnaWindows.basesPerWindow(context, region.tag()) + 1);  // first context base
        // Position p reads BOS (p = 0), the tag (p = 1, if tagged) or tokens[start + p - 1 - lead], and
        // positions p >= lead predict tokens[start + p - lead].
        long positions = lead + region.to() - start;
        double[] nats = {0};
        long[] bases = {0};
        long[] skipped = {0};
        Tensor logits = Tensor.zeros((int) Math.min(chunk, positions), vocab);
        WindowedPrefill.run(decoder, positions, p -> p == 0 ? NucleotideTokenizer.BOS
                        : p == lead ? region.tag() : tokens[(int) (start + p - 1 - lead)],
                chunk, (first, hidden) -> {
                    int rows = hidden.dim(0);
                    Tensor out = rows == logits.dim(0) ? logits : Tensor.zeros(rows, vocab);
                    decoder.headOutput(out, hidden);
                    for (int r = 0; r < rows; r++) {
                        long i = start + first + r - lead;
                        if (i < from) {
                            continue;
                        }
                        int target = tokens[(int) i];
                        if (target > NucleotideTokenizer.T) {
                            skipped[0]++;
                            continue;
                        }
                        nats[0] += HeldOutScore.baseNats(out.data(), out.offset() + r * vocab, target);
                        bases[0]++;
                    }
                    if (progress != null) {
                        progress.accept(Math.max(0, start + first + rows - lead - from));
                    }
                });
        return new HeldOutScore.Result(nats[0], bases[0], skipped[0]);
    }
}
