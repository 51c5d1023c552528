package dev.chimera.streaming.flink;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.util.OutputTag;

/**
 * The job's dataflow in three stages: {@link #read} the input file's numbered lines (one reader: a file
 * is one split) as observations, malformed lines becoming dead letters; {@link #forecast} them keyed by
 * series id in {@link SeriesForecastOperator} at the job's parallelism; {@link #write} forecasts and dead
 * letters each to a file sink that commits on checkpoints. {@link #forecast} takes any stream of
 * observations, whatever its source. The stateful operators have fixed uids, so a savepoint's state
 * maps back onto them when the job is resubmitted.
 */
public final class ForecastPipeline {
    /** Dead letters, as JSON lines, from the parser and from the forecasting function. */
    public static final OutputTag<String> DEAD_LETTERS = new OutputTag<>("dead-letters", Types.STRING);

    private ForecastPipeline() {
    }

    /** Observations, each with its input index, and the dead letters of input that made none (JSON lines). */
    public record Observations(DataStream<SeriesObservation> observations, DataStream<String> deadLetters) {
    }

    /** The job's two outputs, as JSON lines ({@link RecordLines}). */
    public record Outputs(DataStream<String> forecasts, DataStream<String> deadLetters) {
    }

    /** The observations of {@code input}, a file in {@code format}. */
    public static Observations read(StreamExecutionEnvironment env, Path input, ObservationCsv format) {
        FileSource<SourceLine> source = FileSource.forRecordStreamFormat(new NumberedLineFormat(), input).build();
        SingleOutputStreamOperator<SeriesObservation> observations = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "observations").uid("observations")
                .setParallelism(1)
                .process(new ParseObservations(format)).name("parse").uid("parse").setParallelism(1);
        return new Observations(observations, observations.getSideOutput(DEAD_LETTERS));
    }

    /** Forecasts each series of {@code in} with {@code settings}; the dead letters are the input's and the consumer's. */
    public static Outputs forecast(Observations in, ForecastSettings settings) {
        SingleOutputStreamOperator<String> forecasts = in.observations()
                .keyBy(o -> o.series, Types.STRING)
                .transform("forecast", Types.STRING, new SeriesForecastOperator(new SeriesForecastFunction(settings)))
                .uid("forecast");
        return new Outputs(forecasts, in.deadLetters().union(forecasts.getSideOutput(DEAD_LETTERS)));
    }

    /**
     * Writes forecasts to {@code out/forecasts} and dead letters to {@code out/dead-letters}, as
     * {@code .jsonl} part files. A part file is finished and becomes visible only when the checkpoint
     * after its records completes (the sink's two-phase commit): on a failure, the job restarts from
     * the last checkpoint and what it had written since is discarded, so each record is there once.
     */
    public static void write(Outputs outputs, Path out) {
        outputs.forecasts().sinkTo(jsonLines(new Path(out, "forecasts"), "forecasts"))
                .name("forecast files").uid("forecast-files");
        outputs.deadLetters().sinkTo(jsonLines(new Path(out, "dead-letters"), "dead-letters"))
                .name("dead-letter files").uid("dead-letter-files");
    }

    private static FileSink<String> jsonLines(Path dir, String prefix) {
        return FileSink.forRowFormat(dir, new SimpleStringEncoder<String>(StandardCharsets.UTF_8.name()))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix(prefix).withPartSuffix(".jsonl").build())
                .build();
    }
}
