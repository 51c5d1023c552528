package dev.chimera.genomics.vep;

import java.util.Arrays;

/** Summaries of two score distributions and how well the scores tell them apart. */
public final class ScoreStats {
    private ScoreStats() {
    }

    /** Count, mean and quartiles (q1, median, q3) of some scores. */
    public record Summary(int count, double mean, double q1, double median, double q3) {
    }

    /**
     * The summary of {@code scores} (NaN ones left out). Quartiles interpolate linearly between order
     * statistics: quantile p of sorted x[0..n) is x[h] + (h - floor h)(x[floor h + 1] - x[floor h]),
     * h = p (n - 1) (Hyndman and Fan's type 7, R's and numpy's default).
     */
    public static Summary summary(double[] scores) {
        double[] x = finite(scores);
        Arrays.sort(x);
        if (x.length == 0) {
            return new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        return new Summary(x.length, sum / x.length, quantile(x, 0.25), quantile(x, 0.5), quantile(x, 0.75));
    }

    static double quantile(double[] sorted, double p) {
        double h = p * (sorted.length - 1);
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /**
     * The area under the ROC curve of "{@code higher} scores above {@code lower}": the Mann-Whitney
     * U of {@code higher} over n_higher n_lower, P(X > Y) + P(X = Y) / 2 for X from {@code higher}
     * and Y from {@code lower}. Computed from mid-ranks of the pooled scores (ties share the mean of
     * their ranks): U = R_higher - n_higher (n_higher + 1) / 2. NaN scores are left out; NaN when a
     * side is empty.
     */
    public static double auroc(double[] higher, double[] lower) {
        double[] h = finite(higher);
        double[] l = finite(lower);
        if (h.length == 0 || l.length == 0) {
            return Double.NaN;
        }
        int n = h.length + l.length;
        double[] pooled = new double[n];
        boolean[] fromHigher = new boolean[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            pooled[i] = i < h.length ? h[i] : l[i - h.length];
            fromHigher[i] = i < h.length;
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(pooled[a], pooled[b]));
        double rankSum = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && pooled[order[j + 1]] == pooled[order[i]]) {
                j++;
            }
            double midRank = (i + j) / 2.0 + 1;  // ranks are 1-based
            for (int t = i; t <= j; t++) {
                if (fromHigher[order[t]]) {
                    rankSum += midRank;
                }
            }
            i = j + 1;
        }
        double u = rankSum - h.length * (h.length + 1.0) / 2;
        return u / ((double) h.length * l.length);
    }

    /**
     * The standard error of an AUROC {@code a} from {@code n1} and {@code n2} scores (Hanley and McNeil
     * 1982, Radiology 143:29): sqrt((a(1-a) + (n1-1)(q1-a^2) + (n2-1)(q2-a^2)) / (n1 n2)), with
     * q1 = a/(2-a) and q2 = 2a^2/(1+a) (exponential score distributions; close for others).
     */
    public static double aurocStandardError(double a, int n1, int n2) {
        double q1 = a / (2 - a);
        double q2 = 2 * a * a / (1 + a);
        return Math.sqrt((a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n2 - 1) * (q2 - a * a)) / ((double) n1 * n2));
    }

    private static double[] finite(double[] x) {
        return Arrays.stream(x).filter(v -> !Double.isNaN(v)).toArray();
    }
}
