package dev.chimera.timeseries.model;

/**
 * Reads a distribution over B equal bins of [-1, 1] (a Fourier head's output) as a continuous one,
 * the probability of a bin spread uniformly over it: its mean, any quantile (the inverse of the
 * piecewise-linear CDF) and seeded draws.
 */
final class BinnedQuantiles {
    private BinnedQuantiles() {
    }

    /** The mean of probs[from, from + bins). */
    static double mean(float[] probs, int from, int bins) {
        double width = 2.0 / bins;
        double sum = 0;
        double total = 0;
        for (int m = 0; m < bins; m++) {
            double p = probs[from + m];
            sum += p * (-1 + (m + 0.5) * width);
            total += p;
        }
        return total > 0 ? sum / total : 0;
    }

    /**
     * out[k] = the levels[k]-quantile of probs[from, from + bins) for increasing levels, in one pass
     * over the bins (a forecast asks for several levels of every value). // out: (levels)
     */
    static void quantiles(float[] probs, int from, int bins, double[] levels, double[] out) {
        double total = 0;
        for (int m = 0; m < bins; m++) {
            total += probs[from + m];
        }
        double width = 2.0 / bins;
        double below = 0;
        int m = 0;
        for (int k = 0; k < levels.length; k++) {
            if (!(total > 0)) {
                out[k] = 0;
                continue;
            }
            double target = levels[k] * total;
            while (m < bins && (below + probs[from + m] < target || probs[from + m] <= 0)) {
                below += probs[from + m];
                m++;
            }
            out[k] = m == bins ? 1 : -1 + (m + (target - below) / probs[from + m]) * width;
        }
    }

    /** The q-quantile (0 < q < 1) of probs[from, from + bins). */
    static double quantile(float[] probs, int from, int bins, double q) {
        double total = 0;
        for (int m = 0; m < bins; m++) {
            total += probs[from + m];
        }
        if (!(total > 0)) {
            return 0;
        }
        double width = 2.0 / bins;
        double target = q * total;
        double below = 0;
        for (int m = 0; m < bins; m++) {
            double p = probs[from + m];
            if (below + p >= target && p > 0) {
                return -1 + (m + (target - below) / p) * width;
            }
            below += p;
        }
        return 1;
    }
}
