package dev.chimera.timeseries.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.core.train.Batch;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What the model is trained on is what it forecasts with: the head's prediction at the last
 * lookback position of a teacher-forcing sequence, plus the skip, equals the first segment a
 * {@link Rollout} forecasts from the same lookback; and the target there is that segment's
 * actual values less the same skip.
 */
class TrainingInferenceParityTest {

    @Test
    void theTrainedPositionIsTheForecastPosition() {
        int l = 8;
        int s = 4;
        TsSettings settings = new TsSettings(l, s, 5, 1, "point", true, 1.0, 3600);
        ModelConfig c = ModelConfig.tiny().toBuilder().input(CoreComponents.continuous(settings.tokenWidth(), "linear"))
                .head(CoreComponents.regression(s)).build();
        Decoder decoder = new Decoder(c, 2 * settings.context(), new ScalarBackend());
        decoder.initialise(9);
        Random r = new Random(4);
        float[] w = new float[l * s];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.1f;
        }
        LinearSkip skip = new LinearSkip(l, s, w);
        TsModel model = new TsModel(null, decoder, settings, skip);
        double[][] values = new double[1][80];
        long[] times = new long[80];
        for (int t = 0; t < 80; t++) {
            values[0][t] = 3 * Math.sin(t * 0.4) + r.nextGaussian();
            times[t] = 1_500_000_000L + 3600L * t;
        }
        SegmentSequences seq = new SegmentSequences(values, times, 0, 80, settings, skip, 1, 1, "parity");
        Batch batch = seq.evenBatch(0, 1);
        int o = SegmentSequences.reachBefore(settings, true); // the first candidate's origin
        Decoder.Training buffers = decoder.new Training(1, settings.context());
        Tensor hidden = decoder.hiddenStates(batch.inputs(), buffers);
        int k = settings.prefillSegments();
        Tensor last = Tensor.zeros(1, c.dModel());
        last.copyFrom(hidden.view(settings.context(), c.dModel()).slice(k - 1, k));
        Tensor predicted = Tensor.zeros(1, s);
        decoder.headOutput(predicted, last);

        InstanceNorm norm = InstanceNorm.of(values[0], o - l, o);
        float[] lookback = new float[l];
        for (int t = 0; t < l; t++) {
            lookback[t] = norm.normalise(values[0][o - l + t]);
        }
        float[] skipped = new float[s];
        skip.apply(lookback, 0, skipped, 0);
        Rollout rollout = model.rollout(1);
        Forecasts out = Forecasts.allocate(1, s, new double[0]);
        rollout.forecast(new DecoderState[] {rollout.newState()}, 1, new float[][] {lookback},
                new long[] {times[o - l]}, 3600, s, new float[1][c.dModel()], out);
        float[] trained = new float[s];
        float[] target = new float[s];
        float[] actual = new float[s];
        for (int j = 0; j < s; j++) {
            trained[j] = predicted.at(j) + skipped[j];
            target[j] = batch.targets().values()[(k - 1) * s + j];
            actual[j] = norm.normalise(values[0][o + j]) - skipped[j];
        }
        assertArrayEquals(trained, out.point()[0], 1e-5f);
        assertArrayEquals(actual, target, 1e-5f);
    }
}
