package dev.chimera.timeseries.model;

import dev.chimera.core.decoder.DecoderState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Incremental forecasting of many series, for a stream consumer: {@link #observe} one timestamped
 * observation (one value per channel) at a time, {@link #forecast} from what was observed. Each
 * channel of a series has a decoder state: once L points have arrived it is prefilled with the
 * lookback's K = L/S segments (normalised by that lookback's statistics); each later completed
 * segment is one decoder step, so an update's cost does not grow with the history. Every
 * {@code refresh} segments the state is rebuilt from the last L points with fresh statistics,
 * which bounds the state and follows a drifting level. An observation that completes no segment
 * costs a ring-buffer write.
 *
 * <p>A forecast is the one a batch forecast of the same history makes: prefill the L points before
 * the last rebuild boundary, step the segments since, roll (the {@link Rollout}) from the last
 * completed segment; points already observed after that boundary are dropped from its front.
 * {@link #observeAll} steps the series that complete a segment in the same call together, in one
 * batched decoder step. A series' state serialises to bytes ({@link #snapshot}) and restores
 * exactly ({@link #restore}).
 */
public final class Forecaster {
    private final TsModel model;
    private final TsSettings settings;
    private final int channels;
    private final long stepSeconds;
    private final Rollout rollout;
    private final byte[] snapshotScratch;  // (L + (refresh + 1) S) doubles: one channel's ring as bytes
    private final Map<String, SeriesState> series = new HashMap<>();
    private final Map<String, SeriesState> replays = new java.util.LinkedHashMap<>(); // restored, states not replayed yet

    /** One timestamped observation of a series: {@code values} has one value per channel. */
    public record Observation(String seriesId, long timestamp, double[] values) {
    }

    /**
     * A forecast in the series' own units: point (channels, H), quantiles (channels, levels, H), the
     * timestamp of its first point.
     */
    public record Forecast(String seriesId, long firstTimestamp, double[][] point, double[][][] quantiles,
                           double[] levels) {
    }

    /** {@code maxBatch}: the most channel sequences stepped or rolled in one batched call. */
    public Forecaster(TsModel model, int channels, int maxBatch) {
        this.model = model;
        this.settings = model.settings();
        this.channels = channels;
        this.stepSeconds = settings.stepSeconds();
        this.rollout = model.rollout(Math.max(channels, maxBatch));
        this.snapshotScratch = new byte[SeriesState.ringLength(settings) * Double.BYTES];
    }

    public int channels() {
        return channels;
    }

    /** Observes one point of a series; the series starts fresh when it is new. */
    public void observe(String seriesId, long timestamp, double[] values) {
        observeAll(List.of(new Observation(seriesId, timestamp, values)));
    }

    /**
     * Observes each point in order; the series that complete a segment are stepped (or prefilled,
     * or rebuilt) together. A timestamp that is not the series' previous one plus the model's step
     * is an error, as is a wrong number of values.
     */
    public void observeAll(List<Observation> observations) {
        completeRestores();
        List<SeriesState> completed = new ArrayList<>();
        for (Observation o : observations) {
            if (o.values().length != channels) {
                throw new IllegalArgumentException("series " + o.seriesId() + ": " + o.values().length
                        + " values, this forecaster takes " + channels);
            }
            SeriesState s = series.computeIfAbsent(o.seriesId(), id -> new SeriesState(id, channels, settings, rollout, dModel()));
            if (completed.contains(s) && s.pending > 0) {
                flush(completed);
                completed.clear();
            }
            if (s.observed > 0 && o.timestamp() != s.lastTimestamp + stepSeconds) {
                throw new IllegalArgumentException("series " + o.seriesId() + ": timestamp " + o.timestamp()
                        + " does not follow " + s.lastTimestamp + " by the model's step of " + stepSeconds + " s");
            }
            s.append(o.timestamp(), o.values());
            if (s.pending == settings.segment()) {
                if (s.observed >= settings.lookback()) {
                    completed.add(s);
                } else {
                    s.pending = 0; // a boundary before the first lookback is complete: nothing to feed yet
                }
            }
        }
        flush(completed);
    }

    /** The forecast of {@code horizon} points after the series' last observation, with the quantiles asked for. */
    public Forecast forecast(String seriesId, int horizon, double[] levels) {
        return forecastAll(List.of(seriesId), horizon, levels).get(0);
    }

    /** Forecasts of several series, rolled together in batches. */
    public List<Forecast> forecastAll(List<String> seriesIds, int horizon, double[] levels) {
        List<Forecast> result = new ArrayList<>();
        int perCall = rollout.maxBatch() / channels;
        for (int from = 0; from < seriesIds.size(); from += perCall) {
            List<String> part = seriesIds.subList(from, Math.min(seriesIds.size(), from + perCall));
            result.addAll(forecastBatch(part, horizon, levels));
        }
        return result;
    }

    private List<Forecast> forecastBatch(List<String> ids, int horizon, double[] levels) {
        int n = ids.size() * channels;
        int s = settings.segment();
        DecoderState[] states = new DecoderState[n];
        float[][] hidden = new float[n][];
        float[][] lookbacks = new float[n][];
        long[] next = new long[n];
        int longest = 0;
        List<SeriesState> picked = new ArrayList<>();
        for (String id : ids) {
            SeriesState st = ready(id);
            picked.add(st);
            longest = Math.max(longest, st.pending + horizon);
        }
        for (int k = 0; k < picked.size(); k++) {
            SeriesState st = picked.get(k);
            for (int c = 0; c < channels; c++) {
                int i = k * channels + c;
                states[i] = st.states[c];
                hidden[i] = st.hidden[c];
                lookbacks[i] = st.boundaryLookback(c);
                next[i] = st.boundaryTime();
            }
        }
        Forecasts out = Forecasts.allocate(n, longest, settings.fourier() ? levels : new double[0]);
        rollout.roll(states, n, hidden, lookbacks, next, stepSeconds, longest, out);
        List<Forecast> result = new ArrayList<>();
        for (int k = 0; k < picked.size(); k++) {
            SeriesState st = picked.get(k);
            int skipFront = st.pending;
            double[][] point = new double[channels][horizon];
            double[][][] quantiles = new double[channels][out.levels().length][horizon];
            for (int c = 0; c < channels; c++) {
                int i = k * channels + c;
                InstanceNorm norm = st.norms[c];
                for (int t = 0; t < horizon; t++) {
                    point[c][t] = norm.restore(out.point()[i][skipFront + t]);
                    for (int q = 0; q < out.levels().length; q++) {
                        quantiles[c][q][t] = norm.restore(out.quantiles()[i][q][skipFront + t]);
                    }
                }
            }
            result.add(new Forecast(st.id, st.lastTimestamp + stepSeconds, point, quantiles, out.levels()));
        }
        return result;
    }

    /**
     * {@code count} seeded sample paths of the series' next {@code horizon} points, (count,
     * channels, horizon) in the series' units: a Fourier-head model's values drawn from their
     * densities, each path continuing from its own draws ({@link Rollout#sample}). Path p of
     * channel c depends only on the seed, p and c, not on how the paths are batched.
     */
    public double[][][] samples(String seriesId, int horizon, int count, long seed) {
        SeriesState st = ready(seriesId);
        int longest = st.pending + horizon;
        float[][] lookbacks = new float[channels][];
        for (int c = 0; c < channels; c++) {
            lookbacks[c] = st.boundaryLookback(c);
        }
        double[][][] paths = new double[count][channels][horizon];
        int total = count * channels;
        for (int from = 0; from < total; from += rollout.maxBatch()) {
            int n = Math.min(rollout.maxBatch(), total - from);
            DecoderState[] states = new DecoderState[n];
            float[][] hidden = new float[n][];
            float[][] contexts = new float[n][];
            long[] next = new long[n];
            long[] seeds = new long[n];
            for (int i = 0; i < n; i++) {
                int c = (from + i) % channels;
                states[i] = st.states[c];
                hidden[i] = st.hidden[c];
                contexts[i] = lookbacks[c];
                next[i] = st.boundaryTime();
                seeds[i] = seed * 0x9E3779B97F4A7C15L + from + i;
            }
            Forecasts out = Forecasts.allocate(n, longest, new double[0]);
            rollout.sample(states, n, hidden, contexts, next, stepSeconds, longest, seeds, out);
            for (int i = 0; i < n; i++) {
                int p = (from + i) / channels;
                int c = (from + i) % channels;
                for (int t = 0; t < horizon; t++) {
                    paths[p][c][t] = st.norms[c].restore(out.point()[i][st.pending + t]);
                }
            }
        }
        return paths;
    }

    private SeriesState ready(String id) {
        completeRestores();
        SeriesState st = series.get(id);
        if (st == null || st.states == null) {
            throw new IllegalStateException("series " + id + " has " + (st == null ? 0 : st.observed)
                    + " observations; a forecast needs the lookback of " + settings.lookback());
        }
        return st;
    }

    /** Prefills, rebuilds or steps the series that completed a segment, batched. */
    private void flush(List<SeriesState> completed) {
        List<SeriesState> prefill = new ArrayList<>();
        List<SeriesState> step = new ArrayList<>();
        for (SeriesState s : completed) {
            s.pending = 0;
            s.segmentsSinceBuild++;
            if (s.states == null || s.segmentsSinceBuild > settings.refresh()) {
                prefill.add(s);
            } else {
                step.add(s);
            }
        }
        prefillAll(prefill);
        stepAll(step);
    }

    private void prefillAll(List<SeriesState> list) {
        int perCall = rollout.maxBatch() / channels;
        for (int from = 0; from < list.size(); from += perCall) {
            List<SeriesState> part = list.subList(from, Math.min(list.size(), from + perCall));
            int n = part.size() * channels;
            DecoderState[] states = new DecoderState[n];
            float[][] lookbacks = new float[n][];
            float[][] hidden = new float[n][];
            long[] first = new long[n];
            for (int k = 0; k < part.size(); k++) {
                SeriesState s = part.get(k);
                s.build();
                for (int c = 0; c < channels; c++) {
                    int i = k * channels + c;
                    states[i] = s.states[c];
                    states[i].copyFrom(s.freshTemplate);
                    lookbacks[i] = s.boundaryLookback(c);
                    hidden[i] = s.hidden[c];
                    first[i] = s.boundaryTime() - (long) settings.lookback() * stepSeconds;
                }
            }
            rollout.prefill(states, n, lookbacks, first, stepSeconds, hidden);
        }
    }

    private void stepAll(List<SeriesState> list) {
        int perCall = rollout.maxBatch() / channels;
        int s = settings.segment();
        for (int from = 0; from < list.size(); from += perCall) {
            List<SeriesState> part = list.subList(from, Math.min(list.size(), from + perCall));
            int n = part.size() * channels;
            DecoderState[] states = new DecoderState[n];
            float[][] segments = new float[n][s];
            float[][] hidden = new float[n][];
            long[] times = new long[n];
            for (int k = 0; k < part.size(); k++) {
                SeriesState st = part.get(k);
                for (int c = 0; c < channels; c++) {
                    int i = k * channels + c;
                    states[i] = st.states[c];
                    hidden[i] = st.hidden[c];
                    float[] lb = st.boundaryLookback(c);
                    System.arraycopy(lb, settings.lookback() - s, segments[i], 0, s);
                    times[i] = st.boundaryTime() - (long) s * stepSeconds;
                }
            }
            rollout.step(states, n, segments, times, hidden);
        }
    }

    /** The series' state as bytes: ring of raw values, counters, statistics, decoder states and hidden rows. */
    public byte[] snapshot(String seriesId) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeSnapshot(seriesId, out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes {@link #snapshot}'s bytes to {@code out} (a consumer snapshotting many series at once). */
    public void writeSnapshot(String seriesId, DataOutputStream out) throws IOException {
        SeriesState s = series.get(seriesId);
        if (s == null) {
            throw new IllegalArgumentException("no series " + seriesId);
        }
        s.write(out, snapshotScratch);
    }

    /**
     * Restores a series from {@link #snapshot} bytes (of a forecaster of the same model and
     * channels). Its decoder states are replayed from its values (the prefill of its last build and
     * the steps since: the same bits), for all series restored together, on their next use.
     */
    public void restore(String seriesId, byte[] snapshot) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            readSnapshot(seriesId, in);
        } catch (IOException e) {
            throw new IllegalArgumentException("series " + seriesId + ": snapshot is truncated or corrupt: "
                    + e.getMessage(), e);
        }
    }

    /** Restores a series as {@link #restore} does, reading its bytes from {@code in}. */
    public void readSnapshot(String seriesId, DataInputStream in) throws IOException {
        SeriesState s = new SeriesState(seriesId, channels, settings, rollout, dModel());
        s.read(in, snapshotScratch);
        series.put(seriesId, s);
        replays.remove(seriesId);
        if (s.needsReplay) {
            replays.put(seriesId, s);
        }
    }

    /** Replays the decoder states of the series restored since the last call, batched: prefill, then step by step. */
    private void completeRestores() {
        if (replays.isEmpty()) {
            return;
        }
        List<SeriesState> list = new ArrayList<>(replays.values());
        replays.clear();
        Map<SeriesState, SeriesState.Position> real = new HashMap<>();
        int most = 0;
        for (SeriesState s : list) {
            real.put(s, s.position());
            most = Math.max(most, s.segmentsSinceBuild);
            s.moveToBoundary(s.buildBoundary, real.get(s));
            s.needsReplay = false;
        }
        prefillAll(list);
        int segment = settings.segment();
        for (int k = 1; k <= most; k++) {
            List<SeriesState> stepping = new ArrayList<>();
            for (SeriesState s : list) {
                if (real.get(s).segmentsSinceBuild() >= k) {
                    s.moveToBoundary(s.buildBoundary + (long) k * segment, real.get(s));
                    stepping.add(s);
                }
            }
            stepAll(stepping);
        }
        for (SeriesState s : list) {
            s.moveBack(real.get(s));
        }
    }

    private int dModel() {
        return model.decoder().config().dModel();
    }

    public boolean knows(String seriesId) {
        return series.containsKey(seriesId);
    }

    /** Points observed of the series since it started (0 for a series not known). */
    public long observed(String seriesId) {
        SeriesState s = series.get(seriesId);
        return s == null ? 0 : s.observed;
    }

    /** Whether the series has a decoder state, so {@link #forecast} can answer for it. */
    public boolean canForecast(String seriesId) {
        SeriesState s = series.get(seriesId);
        return s != null && (s.states != null || s.needsReplay);
    }

    /** Drops a series; its next observation starts it afresh. */
    public void forget(String seriesId) {
        series.remove(seriesId);
        replays.remove(seriesId);
    }
}
