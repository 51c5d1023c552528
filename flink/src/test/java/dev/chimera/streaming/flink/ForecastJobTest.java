package dev.chimera.streaming.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.Checkout;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job, from its main method, on Flink's MiniCluster (a local environment) at parallelism 2: its
 * committed output is, record for record and bit for bit, what the single-process consumer writes for
 * the same file, dead letters included.
 */
class ForecastJobTest {
    @TempDir
    Path dir;

    @Test
    void pointForecastsPerSegmentAreTheSingleProcessConsumersBitForBit() throws Exception {
        List<String> lines = ObservationFiles.lines(4, 1, 672 + 3 * 96, 1, Map.of(
                100, "s1,1483228800",                          // a value short
                2000, "s2,2017-01-01T00:00:00.5Z,1.0",          // a fraction of a second
                2600, "s0,1483236000,abc",                      // not a number
                3000, "s3," + (ObservationFiles.T0 + 750 * ObservationFiles.HOUR + 60) + ",1.0")); // off the grid
        Path in = ObservationFiles.write(dir.resolve("observations.csv"), lines);
        Path out = dir.resolve("out");
        Path model = Checkout.shippedModel("etth1-point");

        String[] args = {"--model", model.toString(), "--in", in.toString(), "--out", out.toString(),
                "--parallelism", "2", "--checkpoint-interval", "200 ms"};

        ForecastJob.main(args);

        SingleProcessConsumer reference = SingleProcessConsumer.run(model, JobOptions.parse(args, null).settings(),
                lines, 1);
        assertEquals(4 * 4, reference.forecasts.size(), "a forecast per series at the lookback and each of 3 segments");
        assertSameForecasts(reference.forecasts, JobOutput.forecasts(out));
        List<DeadLetter> deadLetters = JobOutput.deadLetters(out);
        assertEquals(sorted(reference.deadLetters), deadLetters);
        assertEquals(4, deadLetters.size());
        assertTrue(deadLetters.get(0).reason().startsWith("line 102: 2 fields; expected series,timestamp,value"),
                deadLetters.get(0).reason());
        assertTrue(deadLetters.get(3).reason().contains("not a whole number of the model's 3600 s steps"),
                deadLetters.get(3).reason());
    }

    @Test
    void twoChannelFourierForecastsAfterEveryObservationAreTheSingleProcessConsumersBitForBit() throws Exception {
        List<String> lines = ObservationFiles.lines(2, 2, 672 + 12, 2, Map.of());
        Path in = ObservationFiles.write(dir.resolve("observations.csv"), lines);
        Path out = dir.resolve("out");
        Path model = Checkout.shippedModel("etth1-fourier");
        String[] args = {"--model", model.toString(), "--in", in.toString(), "--out", out.toString(), "--emit", "every",
                "--horizon", "48", "--quantiles", "0.1,0.5,0.9", "--parallelism", "2", "--checkpoint-interval", "200 ms"};

        ForecastJob.main(args);

        SingleProcessConsumer reference = SingleProcessConsumer.run(model, JobOptions.parse(args, null).settings(),
                lines, 2);
        assertEquals(2 * 13, reference.forecasts.size(), "a forecast per series after each observation from the lookback on");
        List<ForecastRecord> forecasts = JobOutput.forecasts(out);
        assertSameForecasts(reference.forecasts, forecasts);
        assertEquals(2, forecasts.get(0).channels());
        assertEquals(3, forecasts.get(0).levels().length);
        assertTrue(JobOutput.deadLetters(out).isEmpty());
    }

    /** Equal records in input-index order, bit for bit; a difference names the record and the largest gap. */
    static void assertSameForecasts(List<ForecastRecord> reference, List<ForecastRecord> job) {
        List<ForecastRecord> expected = reference.stream()
                .sorted(Comparator.comparingLong(ForecastRecord::inputIndex)).toList();
        assertEquals(expected.size(), job.size(), "forecasts");
        for (int i = 0; i < expected.size(); i++) {
            ForecastRecord e = expected.get(i);
            ForecastRecord a = job.get(i);
            if (!e.equals(a)) {
                double gap = 0;
                for (int k = 0; k < Math.min(e.point().length, a.point().length); k++) {
                    gap = Math.max(gap, Math.abs(e.point()[k] - a.point()[k]));
                }
                throw new AssertionError("forecast " + i + " (series " + e.series() + ", input " + e.inputIndex()
                        + "; the job's: series " + a.series() + ", input " + a.inputIndex() + ") differs; point values "
                        + "by up to " + gap);
            }
        }
    }

    static List<DeadLetter> sorted(List<DeadLetter> letters) {
        return letters.stream().sorted(Comparator.comparingLong(DeadLetter::inputIndex)).toList();
    }
}
