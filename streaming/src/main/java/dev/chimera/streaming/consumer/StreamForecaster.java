package dev.chimera.streaming.consumer;

import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.streaming.record.Observation;
import dev.chimera.timeseries.model.Forecaster;
import dev.chimera.timeseries.model.TsModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The stream consumer's logic without its transport: observations in (each with the input index it
 * was read at), forecasts and dead letters out, one recurrent state per series. A tick of inputs is
 * processed in order; the series that complete a step in it are stepped and forecast together in
 * batches (a series seen twice in a tick splits it, so each forecast reflects exactly the inputs up to
 * its own). Series of C channels share one {@link Forecaster} of C channels. The whole state, counters
 * included, writes to bytes and reads back exactly ({@link #write}, {@link #read}), and so does each
 * series' alone ({@link #seriesSnapshot}), for a keyed state store.
 */
public final class StreamForecaster {
    private final TsModel model;
    private final ConsumerSettings settings;
    private final int maxBatch;
    private final long step;
    private final int segment;
    private final Map<Integer, Forecaster> byChannels = new TreeMap<>();
    private final Map<String, SeriesGate> gates = new HashMap<>();
    private final Counts counts = new Counts();
    private final List<Admitted> batch = new ArrayList<>();   // the tick's inputs since the last flush
    private final Set<String> inBatch = new HashSet<>();       // their series

    /** An observation and the input index (queue index or record position) it was read at. */
    public record Input(long index, Observation observation) {
    }

    /** Where forecasts and dead letters go, in input order each. */
    public interface Output {
        void forecast(ForecastRecord forecast);

        void deadLetter(DeadLetter letter);

        /**
         * Whether the forecast answering the input at {@code inputIndex} is wanted; one that is not (a
         * restarted consumer's output has it already) is counted but not computed.
         */
        default boolean wants(long inputIndex) {
            return true;
        }
    }

    /** {@code maxBatch}: the most channel sequences stepped or rolled in one batched decoder call. */
    public StreamForecaster(TsModel model, ConsumerSettings settings, int maxBatch) {
        this.model = model;
        this.settings = settings;
        this.maxBatch = maxBatch;
        this.step = model.settings().stepSeconds();
        this.segment = model.settings().segment();
    }

    public Counts counts() {
        return counts;
    }

    /** The series seen so far. */
    public Set<String> series() {
        return gates.keySet();
    }

    /** Processes a tick of inputs in order. */
    public void process(List<Input> tick, Output out) {
        if (tick.isEmpty()) {
            return; // the consumer's loop calls with empty ticks while it waits: nothing to allocate then
        }
        for (Input in : tick) {
            if (inBatch.contains(in.observation().series())) {
                flush(out);
            }
            counts.inputs++;
            Admitted a = admit(in, out);
            if (a != null) {
                batch.add(a);
                inBatch.add(in.observation().series());
            }
        }
        flush(out);
    }

    /** An input the reader could not make an observation of: a dead letter, counted as an input. */
    public void refuse(long index, String reason, String raw, Output out) {
        counts.inputs++;
        deadLetter(index, reason, raw, out);
    }

    /** An observation admitted: the points to observe for it (interpolated ones first, itself last). */
    private record Admitted(Input input, int channels, long observedBefore, List<Forecaster.Observation> points) {
    }

    private Admitted admit(Input in, Output out) {
        Observation o = in.observation();
        String id = o.series();
        SeriesGate gate = gates.get(id);
        List<double[]> points;
        long first;
        if (gate == null) {
            String problem = settings.knownSeries() != null && !settings.knownSeries().contains(id)
                    ? "series " + id + " is not one of --series (--strict refuses series it was not given)"
                    : SeriesGate.firstProblem(id, o.values(), settings.holdMissing());
            if (problem != null) {
                deadLetter(in.index(), problem, o.toString(), out);
                return null;
            }
            gate = new SeriesGate(id, o.values().length);
            gate.start(o.timestamp(), o.values());
            gates.put(id, gate);
            points = List.of(o.values());
            first = o.timestamp();
        } else {
            SeriesGate.Admission a = gate.admit(o.timestamp(), o.values(), step, settings);
            switch (a.kind()) {
                case DEAD -> {
                    deadLetter(in.index(), a.reason(), o.toString(), out);
                    return null;
                }
                case LATE -> {
                    counts.late++;
                    counts.noStep++;
                    return null;
                }
                case RESTART -> {
                    counts.restarts++;
                    forecaster(gate.channels).forget(id);
                }
                case OBSERVE -> counts.filledPoints += a.points().size() - 1;
                default -> throw new IllegalStateException();
            }
            points = a.points();
            first = a.firstTimestamp();
        }
        List<Forecaster.Observation> observations = new ArrayList<>(points.size());
        for (int p = 0; p < points.size(); p++) {
            observations.add(new Forecaster.Observation(id, first + p * step, points.get(p)));
        }
        return new Admitted(in, gate.channels, forecaster(gate.channels).observed(id), observations);
    }

    private void deadLetter(long index, String reason, String raw, Output out) {
        counts.deadLetters++;
        out.deadLetter(new DeadLetter(index, reason, raw));
    }

    /**
     * Observes the batch (no series twice), then forecasts the series that completed a step, in input
     * order; the batch is then empty.
     */
    private void flush(Output out) {
        if (batch.isEmpty()) {
            return;
        }
        Map<Integer, List<Forecaster.Observation>> points = new TreeMap<>();
        for (Admitted a : batch) {
            points.computeIfAbsent(a.channels(), c -> new ArrayList<>()).addAll(a.points());
        }
        points.forEach((channels, list) -> forecaster(channels).observeAll(list));
        Map<Integer, List<String>> emitting = new TreeMap<>();
        List<Admitted> answered = new ArrayList<>();
        for (Admitted a : batch) {
            if (!emits(a)) {
                counts.noStep++;
            } else if (!out.wants(a.input().index())) {
                counts.forecasts++;
            } else {
                emitting.computeIfAbsent(a.channels(), c -> new ArrayList<>()).add(a.input().observation().series());
                answered.add(a);
            }
        }
        Map<String, Forecaster.Forecast> forecasts = new HashMap<>();
        emitting.forEach((channels, ids) -> {
            for (Forecaster.Forecast f : forecaster(channels).forecastAll(ids, settings.horizon(), settings.levels())) {
                forecasts.put(f.seriesId(), f);
            }
        });
        for (Admitted a : answered) {
            counts.forecasts++;
            out.forecast(record(a.input().index(), forecasts.get(a.input().observation().series())));
        }
        batch.clear();
        inBatch.clear();
    }

    private boolean emits(Admitted a) {
        String id = a.input().observation().series();
        Forecaster f = forecaster(a.channels());
        if (!f.canForecast(id)) {
            return false;
        }
        return settings.emit() == Emit.EVERY || f.observed(id) / segment > a.observedBefore() / segment;
    }

    private static ForecastRecord record(long inputIndex, Forecaster.Forecast f) {
        int channels = f.point().length;
        int horizon = f.point()[0].length;
        double[] point = new double[channels * horizon];
        double[][] quantiles = new double[f.levels().length][channels * horizon];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(f.point()[c], 0, point, c * horizon, horizon);
            for (int q = 0; q < f.levels().length; q++) {
                System.arraycopy(f.quantiles()[c][q], 0, quantiles[q], c * horizon, horizon);
            }
        }
        return new ForecastRecord(f.seriesId(), inputIndex, f.firstTimestamp(), horizon, channels, point,
                f.levels().clone(), quantiles);
    }

    private Forecaster forecaster(int channels) {
        return byChannels.computeIfAbsent(channels, c -> new Forecaster(model, c, Math.max(c, maxBatch)));
    }

    /** One series' whole state: what the gate knows and its forecaster state, if it has one yet. */
    public byte[] seriesSnapshot(String id) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeSeries(gates.get(id), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Restores a series from {@link #seriesSnapshot} bytes, replacing what this consumer had of it. */
    public void restoreSeries(byte[] snapshot) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            readSeries(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("a series snapshot that is truncated or corrupt: " + e.getMessage(), e);
        }
    }

    /** Writes the counters and every series, in id order. */
    public void write(DataOutputStream out) throws IOException {
        counts.write(out);
        List<String> ids = new ArrayList<>(gates.keySet());
        ids.sort(null);
        out.writeInt(ids.size());
        for (String id : ids) {
            writeSeries(gates.get(id), out);
        }
    }

    /** Replaces everything with what {@link #write} wrote. */
    public void read(DataInputStream in) throws IOException {
        byChannels.clear();
        gates.clear();
        counts.read(in);
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            readSeries(in);
        }
    }

    private void writeSeries(SeriesGate gate, DataOutputStream out) throws IOException {
        gate.write(out);
        Forecaster f = forecaster(gate.channels);
        boolean known = f.knows(gate.id);
        out.writeBoolean(known);
        if (known) {
            f.writeSnapshot(gate.id, out);
        }
    }

    private void readSeries(DataInputStream in) throws IOException {
        SeriesGate gate = SeriesGate.read(in);
        gates.put(gate.id, gate);
        Forecaster f = forecaster(gate.channels);
        f.forget(gate.id);
        if (in.readBoolean()) {
            f.readSnapshot(gate.id, in);
        }
    }
}
