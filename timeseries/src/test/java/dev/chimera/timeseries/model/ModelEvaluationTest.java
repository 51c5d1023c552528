package dev.chimera.timeseries.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.timeseries.data.Scaler;
import dev.chimera.timeseries.data.SeriesTable;
import dev.chimera.timeseries.data.Split;
import dev.chimera.timeseries.eval.Metrics;
import dev.chimera.timeseries.eval.Windows;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-origin losses against the aggregate metrics of the same forecasts. */
class ModelEvaluationTest {

    @Test
    void perOriginLossesAverageToTheMseOfTheSameWindows() {
        TsModel model = ForecasterTest.model("point");
        double[][] values = ForecasterTest.series(3, 200, 9);
        values[1][130] = Double.NaN; // a masked point: left out of both
        long[] t = new long[200];
        for (int i = 0; i < t.length; i++) {
            t[i] = 1_467_331_200L + 3600L * i;
        }
        SeriesTable table = new SeriesTable("toy", "toy.csv", t, Duration.ofHours(1), List.of("a", "b", "c"), values);
        Split split = new Split(120, 160, 200);
        Scaler scaler = Scaler.fit(table, split);
        ModelEvaluation evaluation = new ModelEvaluation(model, table, scaler, split, 5);
        for (int stride : new int[] {1, 3}) {
            int h = 4;
            double[] losses = evaluation.squaredErrorsByOrigin(Windows.Part.VALIDATION, h, stride);
            assertEquals(evaluation.origins(Windows.Part.VALIDATION, new int[] {h}, stride), losses.length);
            Metrics m = evaluation.evaluate(Windows.Part.VALIDATION, new int[] {h}, new double[0], stride, done -> { })
                    .get(h);
            // every origin has 3 x 4 points but the one that covers row 130 of channel b has 11
            double weighted = 0;
            double points = 0;
            for (int i = 0; i < losses.length; i++) {
                int origin = 120 + i * stride;
                int n = origin <= 130 && 130 < origin + h ? 11 : 12;
                weighted += losses[i] * n;
                points += n;
            }
            assertEquals(m.mse(), weighted / points, 1e-12, "stride " + stride);
        }
    }
}
