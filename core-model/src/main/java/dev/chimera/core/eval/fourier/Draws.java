package dev.chimera.core.eval.fourier;

import java.util.SplittableRandom;

/**
 * The random draws the synthetic datasets need, over a seeded {@link SplittableRandom}: uniform,
 * normal (Box-Muller), gamma (Marsaglia and Tsang, "A simple method for generating gamma
 * variables", ACM TOMS 2000) and beta (as a ratio of gammas). The reference draws with numpy's
 * generator, so our datasets have the same distributions, not the same numbers.
 */
final class Draws {
    private Draws() {
    }

    /** Uniform on [lo, hi). */
    static double uniform(SplittableRandom random, double lo, double hi) {
        return lo + (hi - lo) * random.nextDouble();
    }

    /** N(mean, sd^2); one Box-Muller value per call (the sine partner is not kept, so draws stay independent of call order). */
    static double normal(SplittableRandom random, double mean, double sd) {
        double u = 1 - random.nextDouble();  // (0, 1], so log(u) is finite
        return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /**
     * log of a Gamma(shape, 1) draw. Marsaglia-Tsang for shape >= 1; below 1 the boost
     * G(a) = G(a + 1) U^(1/a), kept in logs because U^(1/a) underflows to 0 for the tiny shapes
     * (100|x| with x near 0) the beta dataset produces.
     */
    static double logGamma(SplittableRandom random, double shape) {
        if (!(shape > 0) || Double.isInfinite(shape)) {
            throw new IllegalArgumentException("gamma shape must be finite and > 0, got " + shape);
        }
        if (shape < 1) {
            double u = 1 - random.nextDouble();
            return logGamma(random, shape + 1) + Math.log(u) / shape;
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = normal(random, 0, 1);
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = 1 - random.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return Math.log(d * v);
            }
        }
    }

    /** Beta(a, b) = Ga / (Ga + Gb) = 1 / (1 + exp(log Gb - log Ga)), in [0, 1]. */
    static double beta(SplittableRandom random, double a, double b) {
        double la = logGamma(random, a);
        double lb = logGamma(random, b);
        return 1 / (1 + Math.exp(lb - la));
    }
}
