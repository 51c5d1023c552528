package dev.chimera.core.heads;

import dev.chimera.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Temperature, top-k and top-p (nucleus) filtering of one categorical distribution, then seeded
 * draws from what is left. Shared by softmax-head token sampling (from logits) and Fourier-head bin
 * sampling (from probabilities, see {@link BinnedDensity}); top-p as in Holtzman et al.,
 * "The Curious Case of Neural Text Degeneration", ICLR 2020.
 *
 * <p>Order of operations, as in common LM samplers: weights w_i = softmax(l / T)_i from logits, or
 * w_i proportional to p_i^(1/T) from probabilities (the same thing when l = log p); keep the k
 * largest; of those, keep the smallest prefix (largest first) whose mass is >= topP times their
 * mass; renormalise. Ties are broken by the lower index, so results are deterministic. Filtering
 * sorts, O(V log V); each draw after it is O(kept).
 *
 * <p>An instance owns its buffers, sized once for a vocabulary of {@code size}; it holds the last
 * loaded distribution and is not thread-safe.
 */
public final class SamplingFilter {
    private final int size;
    private final double temperature;
    private final int topK;
    private final double topP;
    /** (size): filtered weights, unnormalised; 0 for every index not kept. */
    private final double[] weights;
    /** (size): indices by descending weight, ties by ascending index. */
    private final int[] order;
    /** (size): merge-sort buffer. */
    private final int[] buffer;
    /** order[0..kept) are the surviving indices with weight > 0; their weights sum to keptMass. */
    private int kept;
    private double keptMass;

    /**
     * @param temperature T > 0 (1 leaves the distribution as it is)
     * @param topK in [1, size] (size keeps everything)
     * @param topP in (0, 1] (1 keeps everything)
     */
    public SamplingFilter(int size, double temperature, int topK, double topP) {
        if (size < 1) {
            throw new IllegalArgumentException("SamplingFilter: size must be >= 1, got " + size);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("SamplingFilter: temperature must be finite and > 0, got " + temperature);
        }
        if (topK < 1 || topK > size) {
            throw new IllegalArgumentException("SamplingFilter: topK must be in [1, " + size + "], got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("SamplingFilter: topP must be in (0, 1], got " + topP);
        }
        this.size = size;
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.weights = new double[size];
        this.order = new int[size];
        this.buffer = new int[size];
    }

    /** Temperature 1, no top-k, no top-p: draws follow the distribution as given. */
    public static SamplingFilter unfiltered(int size) {
        return new SamplingFilter(size, 1, size, 1);
    }

    /** Loads probabilities (size): finite, >= 0, not all 0; they need not sum to 1. */
    public SamplingFilter loadProbabilities(Tensor probs) {
        requireSize(probs);
        kept = 0;
        double max = 0;
        for (int i = 0; i < size; i++) {
            float p = probs.at(i);
            if (!(p >= 0) || Float.isInfinite(p)) {
                throw new IllegalArgumentException("SamplingFilter: probability " + p + " at index " + i
                        + " is not finite and >= 0");
            }
            max = Math.max(max, p);
        }
        if (max == 0) {
            throw new IllegalArgumentException("SamplingFilter: all " + size + " probabilities are 0");
        }
        // (p / max)^(1/T): dividing by the maximum first keeps small T from underflowing everything.
        for (int i = 0; i < size; i++) {
            double r = probs.at(i) / max;
            weights[i] = temperature == 1 ? r : Math.pow(r, 1 / temperature);
        }
        return filter();
    }

    /** Loads logits (size): no NaN or +infinity; -infinity marks an impossible index. */
    public SamplingFilter loadLogits(Tensor logits) {
        requireSize(logits);
        kept = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            float l = logits.at(i);
            if (Float.isNaN(l) || l == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("SamplingFilter: logit " + l + " at index " + i + " is NaN or +inf");
            }
            max = Math.max(max, l);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("SamplingFilter: all " + size + " logits are -infinity");
        }
        for (int i = 0; i < size; i++) {
            weights[i] = Math.exp((logits.at(i) - max) / temperature);
        }
        return filter();
    }

    /** Number of indices that survive filtering with nonzero probability. */
    public int kept() {
        return kept;
    }

    /** Probability of index i after filtering and renormalising (0 if filtered out). */
    public double probability(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + " of " + size);
        }
        requireLoaded();
        return weights[i] / keptMass;
    }

    /** One index drawn from the filtered distribution. */
    public int sample(SplittableRandom random) {
        requireLoaded();
        double u = random.nextDouble() * keptMass;
        double cumulative = 0;
        for (int j = 0; j < kept; j++) {
            cumulative += weights[order[j]];
            if (u < cumulative) {
                return order[j];
            }
        }
        return order[kept - 1];
    }

    /** Sorts, keeps the top-k, then the top-p prefix of those, and zeroes the rest. */
    private SamplingFilter filter() {
        sortByWeight();
        double massK = 0;
        for (int j = 0; j < topK; j++) {
            massK += weights[order[j]];
        }
        // Smallest prefix with mass >= topP * massK; summing in the same order makes topP = 1 keep all k.
        double threshold = topP * massK;
        double mass = 0;
        int count = 0;
        while (count < topK && (count == 0 || mass < threshold)) {
            mass += weights[order[count++]];
        }
        while (weights[order[count - 1]] == 0) {
            count--;
        }
        for (int j = count; j < size; j++) {
            weights[order[j]] = 0;
        }
        kept = count;
        keptMass = mass;
        return this;
    }

    /** Stable bottom-up merge sort of the indices by descending weight; ties keep index order. */
    private void sortByWeight() {
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        int[] src = order;
        int[] dst = buffer;
        for (int run = 1; run < size; run *= 2) {
            for (int lo = 0; lo < size; lo += 2 * run) {
                int mid = Math.min(lo + run, size);
                int hi = Math.min(lo + 2 * run, size);
                int i = lo;
                int j = mid;
                for (int k = lo; k < hi; k++) {
                    dst[k] = j >= hi || (i < mid && weights[src[i]] >= weights[src[j]]) ? src[i++] : src[j++];
                }
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        if (src != order) {
            System.arraycopy(src, 0, order, 0, size);
        }
    }

    private void requireSize(Tensor t) {
        if (t.rank() != 1 || t.dim(0) != size) {
            throw new IllegalArgumentException("SamplingFilter: expected (" + size + "), got " + t.shapeString());
        }
    }

    private void requireLoaded() {
        if (kept == 0) {
            throw new IllegalStateException("SamplingFilter: no distribution loaded");
        }
    }
}
