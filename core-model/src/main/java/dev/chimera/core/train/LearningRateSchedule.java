package dev.chimera.core.train;

/**
 * Linear warmup then cosine decay (the GPT-style schedule; Loshchilov and Hutter, "SGDR", for the
 * cosine), over 0-based steps {@code 0 .. totalSteps - 1}:
 * <pre>
 *   step &lt; W:          lr = peak * (step + 1) / W               (peak / W at step 0, peak at W - 1)
 *   W &lt;= step &lt; T:     lr = min + (peak - min) * (1 + cos(pi * (step - W) / (T - 1 - W))) / 2
 * </pre>
 * with W = warmupSteps and T = totalSteps, so the cosine starts at peak at step W and ends at min
 * at step T - 1. When W = T - 1 the decay has a single step, which takes peak.
 *
 * @param peak        the largest rate, reached at the end of warmup (finite, > 0)
 * @param min         the rate at the last step (finite, 0 <= min <= peak)
 * @param warmupSteps steps of linear warmup (0 <= warmupSteps <= totalSteps)
 * @param totalSteps  steps in the whole run (>= 1)
 */
public record LearningRateSchedule(double peak, double min, long warmupSteps, long totalSteps) {

    public LearningRateSchedule {
        if (!(peak > 0) || Double.isInfinite(peak)) {
            throw new IllegalArgumentException("LearningRateSchedule peak must be finite and > 0, got " + peak);
        }
        if (!(min >= 0 && min <= peak)) {
            throw new IllegalArgumentException("LearningRateSchedule min must lie in [0, peak = " + peak + "], got "
                    + min);
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("LearningRateSchedule totalSteps must be >= 1, got " + totalSteps);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("LearningRateSchedule warmupSteps must lie in [0, totalSteps = "
                    + totalSteps + "], got " + warmupSteps);
        }
    }

    /** The learning rate of 0-based step {@code step}, which must lie in [0, totalSteps). */
    public double at(long step) {
        if (step < 0 || step >= totalSteps) {
            throw new IllegalArgumentException("LearningRateSchedule step must lie in [0, totalSteps = " + totalSteps
                    + "), got " + step);
        }
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        long decaySteps = totalSteps - 1 - warmupSteps;
        if (decaySteps == 0) {
            return peak;
        }
        double progress = (double) (step - warmupSteps) / decaySteps;
        return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
