package dev.chimera.streaming.flink;

import dev.chimera.streaming.consumer.StreamForecaster;
import dev.chimera.streaming.record.Observation;

/**
 * An observation on its way to its series' forecaster, with its input index (its position among the
 * input file's data lines). A Flink POJO, so Flink serialises it without Kryo.
 */
public class SeriesObservation {
    public long index;
    public String series;
    /** Epoch seconds, UTC. */
    public long timestamp;
    /** One value per channel. */
    public double[] values;

    public SeriesObservation() {
    }

    public SeriesObservation(long index, Observation o) {
        this.index = index;
        this.series = o.series();
        this.timestamp = o.timestamp();
        this.values = o.values();
    }

    /** As the stream consumer's logic takes it. */
    public StreamForecaster.Input toInput() {
        return new StreamForecaster.Input(index, new Observation(series, timestamp, values));
    }
}
