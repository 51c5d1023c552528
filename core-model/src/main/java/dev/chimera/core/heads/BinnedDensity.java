package dev.chimera.core.heads;

import dev.chimera.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Continuous answers from one row of bin probabilities (a {@link FourierDensity} output, or any
 * categorical over {@link Bins}): samples, quantiles, mean and variance. The row is read as a
 * piecewise-constant density, p_m / w on bin m, so the CDF is linear inside each bin; this is how
 * the Fourier head's bins turn back into real values (Fourier Head, ICLR 2025; REFERENCE.md §4).
 *
 * <p>Probabilities must be finite and >= 0 and not all 0; they are divided by their sum (in double),
 * so float32 rows that sum to 1 only up to rounding are fine. Errors name the bin and value.
 */
public final class BinnedDensity {
    private BinnedDensity() {
    }

    /**
     * A continuous draw: a bin from the filter's loaded distribution (load it with this row's
     * probabilities first; temperature, top-k and top-p apply), then a uniform position inside it.
     */
    public static double sample(SamplingFilter loaded, Bins bins, SplittableRandom random) {
        int m = loaded.sample(random);
        return bins.lowerEdge(m) + bins.width() * random.nextDouble();
    }

    /**
     * out[i] = F^{-1}(levels[i]) for levels in [0, 1], F the piecewise-linear CDF. Bins of zero mass
     * are skipped, so level 0 is the lower edge of the first bin with mass and level 1 the upper edge
     * of the last; the result never decreases as the level grows.
     */
    public static void quantiles(double[] out, Tensor probs, Bins bins, double[] levels) {
        if (out.length != levels.length) {
            throw new IllegalArgumentException("BinnedDensity.quantiles: " + out.length + " outputs for "
                    + levels.length + " levels");
        }
        double total = total(probs, bins);
        for (int i = 0; i < levels.length; i++) {
            double q = levels[i];
            if (!(q >= 0 && q <= 1)) {
                throw new IllegalArgumentException("BinnedDensity.quantiles: level " + q + " at index " + i
                        + " is outside [0, 1]");
            }
            out[i] = inverseCdf(probs, bins, q * total);
        }
    }

    /** One level; see {@link #quantiles}. */
    public static double quantile(Tensor probs, Bins bins, double level) {
        double[] out = new double[1];
        quantiles(out, probs, bins, new double[] {level});
        return out[0];
    }

    /** The first bin whose cumulative mass reaches target, and the linear position inside it. */
    private static double inverseCdf(Tensor probs, Bins bins, double target) {
        double cumulative = 0;
        int last = 0;
        for (int m = 0; m < bins.count(); m++) {
            double p = probs.at(m);
            if (p > 0) {
                if (cumulative + p >= target) {
                    // min(1, .) only absorbs rounding: cumulative + p >= target means the fraction is <= 1.
                    return bins.lowerEdge(m) + bins.width() * Math.min(1, (target - cumulative) / p);
                }
                last = m;
            }
            cumulative += p;
        }
        return bins.upperEdge(last);
    }

    /** Mean of the piecewise-constant density: sum_m p_m x_m (each bin's mean is its centre). */
    public static double mean(Tensor probs, Bins bins) {
        double total = total(probs, bins);
        double sum = 0;
        for (int m = 0; m < bins.count(); m++) {
            sum += probs.at(m) * bins.center(m);
        }
        return sum / total;
    }

    /**
     * Variance of the piecewise-constant density: sum_m p_m ((x_m - mean)^2 + w^2/12), the spread of
     * the bin centres plus the uniform spread w^2/12 inside each bin; centred, so no cancellation.
     */
    public static double variance(Tensor probs, Bins bins) {
        double total = total(probs, bins);
        double mean = mean(probs, bins);
        double within = bins.width() * bins.width() / 12;
        double sum = 0;
        for (int m = 0; m < bins.count(); m++) {
            double d = bins.center(m) - mean;
            sum += probs.at(m) * (d * d + within);
        }
        return sum / total;
    }

    /** Checks the row against the bins and returns its sum. */
    private static double total(Tensor probs, Bins bins) {
        if (probs.rank() != 1 || probs.dim(0) != bins.count()) {
            throw new IllegalArgumentException("BinnedDensity: probabilities must be (" + bins.count() + "), got "
                    + probs.shapeString());
        }
        double total = 0;
        for (int m = 0; m < bins.count(); m++) {
            float p = probs.at(m);
            if (!(p >= 0) || Float.isInfinite(p)) {
                throw new IllegalArgumentException("BinnedDensity: probability " + p + " of bin " + m
                        + " is not finite and >= 0");
            }
            total += p;
        }
        if (total == 0) {
            throw new IllegalArgumentException("BinnedDensity: all " + bins.count() + " probabilities are 0");
        }
        return total;
    }
}
