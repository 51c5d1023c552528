package dev.chimera.timeseries.cli;

import dev.chimera.timeseries.eval.LossComparison;
import dev.chimera.timeseries.eval.Windows;
import dev.chimera.timeseries.model.ModelEvaluation;

/**
 * The linear skip's own validation losses, one per origin (every {@link #stride}-th validation
 * origin, one segment ahead, squared errors averaged over the channels), and the test that tells
 * whether another model's losses on the same origins are lower beyond the noise: Diebold-Mariano,
 * one-sided at 5% over all the run's checks (Bonferroni: 5% / checks for each), the lag covering the
 * overlap of the windows ({@link LossComparison}). The decoder learns the skip's residual; this is
 * how {@code ts train} decides that it has learnt something the validation months confirm rather than
 * something the luckiest of a dozen checks happens to show.
 */
final class SkipVerdict {
    /** A check forecasts every 4th validation origin at least ... */
    private static final int MIN_STRIDE = 4;
    /** ... and no more sequences (channels x origins) than this, so that a check on a wide file stays short. */
    static final int MAX_SEQUENCES = 8192;

    /** The chance, over a whole run, of keeping trained weights that are no better than the skip. */
    static final double LEVEL = 0.05;

    private final int horizon;
    private final int stride;
    private final int lag;
    private final double critical;
    private final double[] skip;

    /**
     * @param skipOnly the untrained model (the skip alone) on the validation part
     * @param stride   every stride-th validation origin ({@link #stride(int, int)})
     * @param checks   how many trained weights the run will test against it
     */
    SkipVerdict(ModelEvaluation skipOnly, int segment, int stride, int checks) {
        this.horizon = segment;
        this.stride = stride;
        this.lag = LossComparison.overlapLag(segment, stride);
        this.critical = LossComparison.critical(LEVEL / Math.max(1, checks));
        this.skip = losses(skipOnly);
    }

    /** A model's per-origin losses on the same validation origins. */
    double[] losses(ModelEvaluation model) {
        return model.squaredErrorsByOrigin(Windows.Part.VALIDATION, horizon, stride);
    }

    /**
     * The origins a validation check forecasts: every 4th, or fewer where the channels times the
     * windows would make more than {@value #MAX_SEQUENCES} sequences (321 channels of 2,600 windows:
     * every 102nd).
     */
    static int stride(int windows, int channels) {
        long sequences = (long) windows * channels;
        return (int) Math.max(MIN_STRIDE, (sequences + MAX_SEQUENCES - 1) / MAX_SEQUENCES);
    }

    /** The statistic a model's losses must exceed to count as below the skip's beyond the noise. */
    double critical() {
        return critical;
    }

    /** The test statistic of the skip's losses minus these (positive: these are lower). */
    double statistic(double[] losses) {
        return LossComparison.statistic(skip, losses, lag);
    }

    /** The skip's validation MSE. */
    double skipMse() {
        return mean(skip);
    }

    /** The mean over the origins that have a loss: the validation MSE of equal-length windows. */
    static double mean(double[] losses) {
        double sum = 0;
        int n = 0;
        for (double loss : losses) {
            if (!Double.isNaN(loss)) {
                sum += loss;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
