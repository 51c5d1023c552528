package dev.chimera.streaming.consumer;

import java.util.Set;

/**
 * What the consumer does with each observation, and with those it cannot use.
 *
 * @param emit               when a forecast is written
 * @param horizon            points per channel in each forecast
 * @param levels             quantile levels, increasing in (0, 1); a point model writes none whatever these are
 * @param holdMissing        a NaN value takes the channel's last value ({@code --on-missing hold}); otherwise
 *                           the observation is a dead letter ({@code --on-missing error})
 * @param maxLatenessSeconds an observation at most this far behind its series' last timestamp is late but
 *                           allowed: counted and skipped (a recurrent state cannot take a point from its
 *                           past); further behind, or on no step of the grid, it is a dead letter
 * @param maxGapSteps        a jump forward over at most this many missing grid steps is filled by linear
 *                           interpolation; a longer one restarts the series (it needs a fresh lookback)
 * @param knownSeries        with {@code --strict}, the series accepted (others are dead letters); null
 *                           accepts any series, an unknown one starting fresh
 */
public record ConsumerSettings(Emit emit, int horizon, double[] levels, boolean holdMissing,
                               long maxLatenessSeconds, int maxGapSteps, Set<String> knownSeries) {

    public ConsumerSettings {
        if (horizon < 1) {
            throw new IllegalArgumentException("--horizon " + horizon + ": expected at least 1");
        }
        if (maxLatenessSeconds < 0 || maxGapSteps < 0) {
            throw new IllegalArgumentException("--max-lateness and --max-gap must not be negative");
        }
        for (int q = 0; q < levels.length; q++) {
            if (!(levels[q] > 0 && levels[q] < 1) || (q > 0 && !(levels[q] > levels[q - 1]))) {
                throw new IllegalArgumentException("--quantiles: expected increasing levels in (0, 1)");
            }
        }
    }
}
