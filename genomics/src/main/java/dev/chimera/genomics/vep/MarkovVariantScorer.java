package dev.chimera.genomics.vep;

import dev.chimera.genomics.MarkovBaseline;
import java.util.List;

/**
 * {@link VariantScorer}'s LLR with an order-k {@link MarkovBaseline} in place of the DNA model: the
 * same {@link VariantScorer#strandWindows} (REF and ALT windows, both strands), each scored from its
 * first base with the context inside the window only (as the model reads it after BOS), ln P in nats.
 */
public final class MarkovVariantScorer {
    private final MarkovBaseline markov;
    private final int order;

    /** @param order the order of {@code markov} that scores, 0..{@link MarkovBaseline#maxOrder} */
    public MarkovVariantScorer(MarkovBaseline markov, int order) {
        if (order < 0 || order > markov.maxOrder()) {
            throw new IllegalArgumentException("order must be in 0.." + markov.maxOrder() + ", got " + order);
        }
        this.markov = markov;
        this.order = order;
    }

    public int order() {
        return order;
    }

    /** One array per site, one LLR per ALT (NaN where the ALT is not scored), in nats. */
    public List<double[]> score(List<AlleleWindows> sites) {
        List<byte[]> windows = VariantScorer.strandWindows(sites);
        double[] nats = new double[windows.size()];
        for (int i = 0; i < nats.length; i++) {
            nats[i] = nats(windows.get(i));
        }
        return VariantScorer.llrs(sites, nats);
    }

    /** -ln P(window) under the order-k model, in nats. */
    public double nats(byte[] window) {
        return markov.score(window, 0, window.length, markov.newScore()).bits(order) * Math.log(2);
    }
}
