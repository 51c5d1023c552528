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

    /** Windows {@link #score} runs for a site: none when no ALT is scored, else 2 + 2 per scored ALT. */
    public static int windows(AlleleWindows site) {
        int alts = site.scoredAlts();
        return alts == 0 ? 0 : 2 + 2 * alts;
    }

    /** One array per site, one LLR per ALT (NaN where the ALT is not scored), in nats. */
    public List<double[]> score(List<AlleleWindows> sites) {
        List<byte[]> windows = strandWindows(sites);
        List<HeldOutScore.Region> regions = new ArrayList<>(windows.size());
        for (byte[] w : windows) {
            if (w.length > window) {
                throw new IllegalStateException("a window of " + w.length + " bases exceeds W = " + window);
            }
            regions.add(new HeldOutScore.Region(w, 0, w.length));
        }
        List<HeldOutScore.Result> results = scorer.score(regions, null);
        double[] nats = new double[results.size()];
        for (int i = 0; i < nats.length; i++) {
            nats[i] = results.get(i).nats();
        }
        return llrs(sites, nats);
    }

    /**
     * The windows every scorer of these sites reads, in order: for each site with a scored ALT its REF
     * window and reverse complement, then each scored ALT's window and reverse complement.
     */
    public static List<byte[]> strandWindows(List<AlleleWindows> sites) {
        List<byte[]> out = new ArrayList<>();
        for (AlleleWindows s : sites) {
            if (s.ref() == null) {
                continue;
            }
            addBothStrands(out, s.ref());
            for (int a = 0; a < s.altCount(); a++) {
                if (s.alt(a) != null) {
                    addBothStrands(out, s.alt(a));
                }
            }
        }
        return out;
    }

    /**
     * The LLRs from {@code nats[i]} = -ln P of window i of {@link #strandWindows}: one array per site,
     * one LLR per ALT (NaN where the ALT is not scored).
     */
    public static List<double[]> llrs(List<AlleleWindows> sites, double[] nats) {
        List<double[]> out = new ArrayList<>(sites.size());
        int next = 0;
        for (AlleleWindows s : sites) {
            double[] llr = new double[s.altCount()];
            Arrays.fill(llr, Double.NaN);
            if (s.ref() != null) {
                double refForward = nats[next++];
                double refReverse = nats[next++];
                for (int a = 0; a < s.altCount(); a++) {
                    if (s.alt(a) != null) {
                        // nats = -ln P, so ln P(alt) - ln P(ref) = nats(ref) - nats(alt)
                        double forward = refForward - nats[next++];
                        double reverse = refReverse - nats[next++];
                        llr[a] = (forward + reverse) / 2;
                    }
                }
            }
            out.add(llr);
        }
        if (next != nats.length) {
            throw new IllegalArgumentException(nats.length + " window scores for " + next + " windows");
        }
        return out;
    }

    private static void addBothStrands(List<byte[]> windows, byte[] tokens) {
        windows.add(tokens);
        windows.add(NucleotideTokenizer.reverseComplement(tokens));
    }
}
