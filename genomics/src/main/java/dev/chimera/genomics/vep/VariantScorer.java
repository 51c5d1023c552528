package dev.chimera.genomics.vep;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.genomics.HeldOutScore;
import dev.chimera.genomics.NucleotideTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The effect score of a variant under a DNA language model: the log-likelihood ratio
 *
 * <pre>
 *   LLR = 1/2 [ (ln P(ALT window) - ln P(REF window))                       forward strand
 *             + (ln P(rc ALT window) - ln P(rc REF window)) ]               reverse complement
 * </pre>
 *
 * in nats, over the {@link AlleleWindows} of the site. A causal model reads each strand in one
 * direction, so the forward windows weigh the variant's effect on the bases after it and the
 * reverse complement on the bases before it; their mean treats the two strands alike. A negative
 * LLR says the model finds the ALT sequence less likely than the reference.
 *
 * <p>ln P(window) is {@link HeldOutScore}'s: the window fed as BOS + its bases, every base
 * predicted from those before it in the window, each probability the softmax over the head's
 * A/C/G/T logits (N in a flank is not scored, in REF and ALT windows alike). All windows of a call
 * (2 for REF, 2 per scored ALT) run through the parallel forward pass in batches of {@code rows}.
 */
public final class VariantScorer {
    private final HeldOutScore scorer;
    private final int window;

    /**
     * @param decoder a decoder of a DNA model built for at least {@code window} positions
     * @param window  W, the longest window in bases ({@link AlleleWindows#of} with the same W)
     * @param rows    windows per forward pass
     */
    public VariantScorer(Decoder decoder, int window, int rows) {
        this.scorer = new HeldOutScore(decoder, window, rows);
        this.window = window;
    }

    public int window() {
        return window;
    }

    /** Windows {@link #score} runs for a site: none when no ALT is scored, else 2 + 2 per scored ALT. */
    public static int windows(AlleleWindows site) {
        int alts = site.scoredAlts();
        return alts == 0 ? 0 : 2 + 2 * alts;
    }

    /** One array per site, one LLR per ALT (NaN where the ALT is not scored), in nats. */
    public List<double[]> score(List<AlleleWindows> sites) {
        List<HeldOutScore.Region> regions = new ArrayList<>();
        for (AlleleWindows s : sites) {
            if (s.ref() == null) {
                continue;
            }
            addBothStrands(regions, s.ref());
            for (int a = 0; a < s.altCount(); a++) {
                if (s.alt(a) != null) {
                    addBothStrands(regions, s.alt(a));
                }
            }
        }
        List<HeldOutScore.Result> nats = scorer.score(regions, null);
        List<double[]> out = new ArrayList<>(sites.size());
        int next = 0;
        for (AlleleWindows s : sites) {
            double[] llr = new double[s.altCount()];
            Arrays.fill(llr, Double.NaN);
            if (s.ref() != null) {
                double refForward = nats.get(next++).nats();
                double refReverse = nats.get(next++).nats();
                for (int a = 0; a < s.altCount(); a++) {
                    if (s.alt(a) != null) {
                        // nats = -ln P, so ln P(alt) - ln P(ref) = nats(ref) - nats(alt)
                        double forward = refForward - nats.get(next++).nats();
                        double reverse = refReverse - nats.get(next++).nats();
                        llr[a] = (forward + reverse) / 2;
                    }
                }
            }
            out.add(llr);
        }
        return out;
    }

    private void addBothStrands(List<HeldOutScore.Region> regions, byte[] tokens) {
        if (tokens.length > window) {
            throw new IllegalStateException("a window of " + tokens.length + " bases exceeds W = " + window);
        }
        regions.add(new HeldOutScore.Region(tokens, 0, tokens.length));
        byte[] rc = NucleotideTokenizer.reverseComplement(tokens);
        regions.add(new HeldOutScore.Region(rc, 0, rc.length));
    }
}
