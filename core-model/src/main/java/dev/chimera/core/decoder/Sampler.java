package dev.chimera.core.decoder;

import dev.chimera.core.heads.BinnedDensity;
import dev.chimera.core.heads.Bins;
import dev.chimera.core.heads.SamplingFilter;
import dev.chimera.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Seeded sampling from a decoder's head outputs with temperature, top-k and top-p (nucleus)
 * filtering: a token from softmax logits, or a continuous value from a Fourier head's bin
 * probabilities (a bin, then a uniform position inside it). The same seed and the same
 * outputs give the same samples.
 */
public final class Sampler {
    private final double temperature;
    private final int topK;
    private final double topP;
    private final SplittableRandom random;

    /** topK 0 keeps every candidate; topP 1 keeps the whole mass; temperature must be > 0. */
    public Sampler(double temperature, int topK, double topP, long seed) {
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0 (0 keeps every candidate), got " + topK);
        }
        // Validates temperature and top-p once, with the filter's own messages.
        new SamplingFilter(1, temperature, 1, topP);
    }

    private SamplingFilter filter(int size) {
        return new SamplingFilter(size, temperature, topK == 0 ? size : topK, topP);
    }

    /** A token id drawn from one row of logits (vocab). */
    public int sampleToken(Tensor logits) {
        return filter(logits.size()).loadLogits(logits).sample(random);
    }

    /** A value in [-1, 1] drawn from one row of bin probabilities (bins). */
    public double sampleValue(Tensor probs, Bins bins) {
        return BinnedDensity.sample(filter(probs.size()).loadProbabilities(probs), bins, random);
    }

    /** Quantiles of one row of bin probabilities at the given levels in (0, 1). */
    public static double[] quantiles(Tensor probs, Bins bins, double... levels) {
        double[] out = new double[levels.length];
        BinnedDensity.quantiles(out, probs, bins, levels);
        return out;
    }
}
