package dev.chimera.streaming.flink;

import dev.chimera.streaming.consumer.ConsumerSettings;
import dev.chimera.streaming.consumer.Emit;
import java.io.Serializable;

/**
 * What every forecasting task needs to know, shipped with the job: where the model is and the
 * consumer's settings (checked when made: a bad value fails with the option's name).
 *
 * @param modelDir           the model directory, at this path on every TaskManager
 * @param emit               when a forecast is written
 * @param horizon            points per channel in each forecast; 0 for the model's segment
 * @param levels             quantile levels (a point model writes none)
 * @param holdMissing        a missing value takes the channel's last one, else the line is a dead letter
 * @param maxLatenessSeconds how far behind its series' last timestamp an observation may be and be skipped
 * @param maxGapSteps        missing grid steps filled by interpolation before a gap restarts the series
 */
public record ForecastSettings(String modelDir, Emit emit, int horizon, double[] levels, boolean holdMissing,
                               long maxLatenessSeconds, int maxGapSteps) implements Serializable {

    public ForecastSettings {
        levels = levels.clone();
        consumerSettings(emit, Math.max(1, horizon), levels, holdMissing, maxLatenessSeconds, maxGapSteps);
    }

    /** The stream consumer's settings these stand for (every series accepted), for a model of segment {@code segment}. */
    public ConsumerSettings consumerSettings(int segment) {
        return consumerSettings(emit, horizon == 0 ? segment : horizon, levels, holdMissing, maxLatenessSeconds,
                maxGapSteps);
    }

    private static ConsumerSettings consumerSettings(Emit emit, int horizon, double[] levels, boolean holdMissing,
                                                     long maxLatenessSeconds, int maxGapSteps) {
        return new ConsumerSettings(emit, horizon, levels.clone(), holdMissing, maxLatenessSeconds, maxGapSteps, null);
    }
}
