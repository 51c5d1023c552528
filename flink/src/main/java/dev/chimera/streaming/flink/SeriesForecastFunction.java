package dev.chimera.streaming.flink;

import dev.chimera.core.backend.Backends;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.streaming.consumer.StreamForecaster;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.timeseries.model.TsModel;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The stream consumer's logic for the series of this task's key groups, one observation at a time, in
 * a {@link StreamForecaster}. A series' state lives in Flink keyed state (its
 * {@link StreamForecaster#seriesSnapshot}) as of the last checkpoint: a series this task does not hold
 * yet (the first time it is seen here, after a restore, after rescaling) starts from there, and
 * {@link SeriesForecastOperator} writes every series changed since back before each checkpoint's
 * barrier, so the checkpoint holds every series exactly as of the records before it. In between,
 * series stay live in memory, as in the single-process consumer: serialising a recurrent state costs
 * far more than a step. Forecasts go to the main output and dead letters to
 * {@link ForecastPipeline#DEAD_LETTERS}, as JSON lines. Forecasts are the same bits whatever the
 * batching, so one observation at a time gives exactly the records the single-process consumer writes.
 */
public final class SeriesForecastFunction extends KeyedProcessFunction<String, SeriesObservation, String> {
    private static final long serialVersionUID = 1L;

    private final ForecastSettings settings;
    private transient ComputePool pool;
    private transient StreamForecaster forecaster;
    private transient ValueState<byte[]> snapshot;
    private transient Set<String> changed;

    public SeriesForecastFunction(ForecastSettings settings) {
        this.settings = settings;
    }

    /** Opens the model once per task, on one compute thread (parallelism is the job's). */
    @Override
    public void open(OpenContext context) throws Exception {
        VectorModule.require("this TaskManager's JVM");
        pool = new ComputePool(1);
        TsModel model = TsModel.open(Path.of(settings.modelDir()), Backends.forDevice("cpu", pool).rowInvariant());
        forecaster = new StreamForecaster(model, settings.consumerSettings(model.settings().segment()), 1);
        snapshot = getRuntimeContext().getState(
                new ValueStateDescriptor<>("series", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        changed = new HashSet<>();
    }

    @Override
    public void processElement(SeriesObservation observation, Context ctx, Collector<String> out) throws Exception {
        String id = ctx.getCurrentKey();
        if (!forecaster.series().contains(id)) {
            byte[] saved = snapshot.value();
            if (saved != null) {
                forecaster.restoreSeries(saved);
            }
        }
        forecaster.process(List.of(observation.toInput()), new StreamForecaster.Output() {
            @Override
            public void forecast(ForecastRecord forecast) {
                out.collect(RecordLines.forecast(forecast));
            }

            @Override
            public void deadLetter(DeadLetter letter) {
                ctx.output(ForecastPipeline.DEAD_LETTERS, RecordLines.deadLetter(letter));
            }
        });
        if (forecaster.series().contains(id)) {
            changed.add(id);
        }
    }

    /**
     * Writes each series changed since the last call to its keyed state; {@code setCurrentKey} points the
     * state at a series (the operator's, as a function cannot).
     */
    void saveChanged(Consumer<String> setCurrentKey) throws Exception {
        for (String id : changed) {
            setCurrentKey.accept(id);
            snapshot.update(forecaster.seriesSnapshot(id));
        }
        changed.clear();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }
}
