package dev.chimera.streaming.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.Checkout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once through a failure: the job, with checkpoints every 100 ms, fails once mid-stream (after
 * some forecasts were committed and others were not), restarts from its last checkpoint, and its
 * committed output is still the single-process consumer's, no record missing and none twice.
 */
class RecoveryTest {
    @TempDir
    Path dir;

    @Test
    void aRestoreFromACheckpointAfterAnInducedFailureStillWritesEachForecastOnce() throws Exception {
        List<String> lines = ObservationFiles.lines(3, 1, 672 + 2 * 96, 3, Map.of(50, "s1,not-a-time,1.0"));
        Path in = ObservationFiles.write(dir.resolve("observations.csv"), lines);
        Path out = dir.resolve("out");
        Path model = Checkout.shippedModel("etth1-point");
        String[] args = {"--model", model.toString(), "--in", in.toString(), "--out", out.toString(), "--emit", "every",
                "--parallelism", "2", "--checkpoint-interval", "100 ms"};
        JobOptions options = JobOptions.parse(args, null);

        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restarts);
        ForecastJob.configure(env, options);
        ForecastPipeline.Observations read = ForecastPipeline.read(env, options.input(),
                ForecastJob.header(options.input()));
        ForecastPipeline.Observations paced = new ForecastPipeline.Observations(
                read.observations().map(new Pace()).name("pace").setParallelism(1), read.deadLetters());
        ForecastPipeline.Outputs outputs = ForecastPipeline.forecast(paced, options.settings());
        FailOnceAfterACommit.reset();
        ForecastPipeline.write(new ForecastPipeline.Outputs(
                outputs.forecasts().map(new FailOnceAfterACommit()).name("induced failure"), outputs.deadLetters()),
                options.output());
        env.execute("forecast with an induced failure");

        assertTrue(FailOnceAfterACommit.FAILED.get(), "the failure was induced");
        assertTrue(FailOnceAfterACommit.RESTORED.get(), "the job restarted from a checkpoint");
        SingleProcessConsumer reference = SingleProcessConsumer.run(model, options.settings(), lines, 3);
        assertEquals(3 * (2 * 96 + 1), reference.forecasts.size());
        ForecastJobTest.assertSameForecasts(reference.forecasts, JobOutput.forecasts(out));
        assertEquals(ForecastJobTest.sorted(reference.deadLetters), JobOutput.deadLetters(out));
    }

    /**
     * Passes observations on at about one a millisecond. Unpaced, the source reads the whole (small) file
     * into the network buffers before the first checkpoint, whose barrier then comes after every record;
     * paced, checkpoints fall mid-stream, as they do on a long stream.
     */
    static final class Pace implements MapFunction<SeriesObservation, SeriesObservation> {
        @Override
        public SeriesObservation map(SeriesObservation o) throws InterruptedException {
            Thread.sleep(1);
            return o;
        }
    }

    /**
     * Passes forecasts on, and throws once, in the first subtask that sees a forecast after a checkpoint
     * that covered some of its forecasts completed: so some output was committed and some was not.
     */
    static final class FailOnceAfterACommit implements MapFunction<String, String>, CheckpointedFunction,
            CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicBoolean RESTORED = new AtomicBoolean();

        private final Map<Long, Long> seenAtCheckpoint = new HashMap<>();
        private long seen;
        private long committed;

        static void reset() {
            FAILED.set(false);
            RESTORED.set(false);
        }

        @Override
        public String map(String forecast) {
            seen++;
            if (committed > 0 && seen > committed && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("induced failure after " + committed + " committed forecasts");
            }
            return forecast;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            seenAtCheckpoint.put(context.getCheckpointId(), seen);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            Long s = seenAtCheckpoint.remove(checkpointId);
            if (s != null) {
                committed = Math.max(committed, s);
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
            if (context.isRestored()) {
                RESTORED.set(true);
            }
        }
    }
}
