package dev.chimera.core.heads;

/**
 * KL(true || predicted) between categorical distributions over the same bins, the metric of the
 * Fourier Head paper's synthetic experiment (Gillman et al., ICLR 2025; toy_synthetic.py,
 * REFERENCE.md §4). The reference computes nn.KLDivLoss(reduction="batchmean") on
 * log(predicted + 1e-10) against the true pmf (the pdf at the bin centres, normalised; see
 * {@link Bins#discretize}):
 * KL = sum_m t_m (log t_m - log(p_m + 1e-10)), with t_m = 0 terms contributing 0, then the mean
 * over rows. The predicted side there is softmax(logits), which for a Fourier head is
 * (p_m + 1e-5) / (1 + B 1e-5) rather than p_m; callers pass whichever they mean to score. Double.
 */
public final class KlDivergence {
    /** Added to the prediction inside the log, as the reference does. */
    public static final double FLOOR = 1e-10;

    private KlDivergence() {
    }

    /** KL of one distribution; both of the same length, finite and >= 0. */
    public static double of(double[] truth, double[] predicted) {
        if (truth.length != predicted.length || truth.length == 0) {
            throw new IllegalArgumentException("KlDivergence: truth has " + truth.length + " values, predicted "
                    + predicted.length);
        }
        return row(truth, predicted, 0, truth.length, 0);
    }

    /** Mean KL over rows of (rows, B) arrays ("batchmean"). */
    public static double meanOverRows(double[] truth, double[] predicted, int rows) {
        if (rows < 1 || truth.length != predicted.length || truth.length % rows != 0 || truth.length == 0) {
            throw new IllegalArgumentException("KlDivergence: truth (" + truth.length + " values) and predicted ("
                    + predicted.length + ") must both be (" + rows + ", B)");
        }
        int bins = truth.length / rows;
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            sum += row(truth, predicted, r * bins, bins, r);
        }
        return sum / rows;
    }

    private static double row(double[] truth, double[] predicted, int offset, int bins, int r) {
        double kl = 0;
        for (int m = 0; m < bins; m++) {
            double t = truth[offset + m];
            double p = predicted[offset + m];
            if (!(t >= 0) || Double.isInfinite(t) || !(p >= 0) || Double.isInfinite(p)) {
                throw new IllegalArgumentException("KlDivergence: row " + r + ", bin " + m + ": truth " + t
                        + ", predicted " + p + "; both must be finite and >= 0");
            }
            if (t > 0) {
                kl += t * (Math.log(t) - Math.log(p + FLOOR));
            }
        }
        return kl;
    }
}
