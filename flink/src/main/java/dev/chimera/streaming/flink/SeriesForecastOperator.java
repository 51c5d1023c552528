package dev.chimera.streaming.flink;

import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * Runs {@link SeriesForecastFunction} and, when a checkpoint's barrier has arrived and before the
 * operator's state is snapshot, has it write the series it changed since the last checkpoint to
 * keyed state: no record is processed in between, so the checkpoint holds each series as of exactly
 * the records before the barrier.
 */
public final class SeriesForecastOperator extends KeyedProcessOperator<String, SeriesObservation, String> {
    private static final long serialVersionUID = 1L;

    public SeriesForecastOperator(SeriesForecastFunction function) {
        super(function);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        ((SeriesForecastFunction) getUserFunction()).saveChanged(this::setCurrentKey);
    }
}
