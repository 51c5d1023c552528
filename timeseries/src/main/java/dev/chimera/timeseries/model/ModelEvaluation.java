package dev.chimera.timeseries.model;

import dev.chimera.core.decoder.DecoderState;
import dev.chimera.timeseries.data.Scaler;
import dev.chimera.timeseries.data.SeriesTable;
import dev.chimera.timeseries.data.Split;
import dev.chimera.timeseries.eval.Metrics;
import dev.chimera.timeseries.eval.Windows;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A model's forecasts scored by the standard protocol: every window of a part (or every
 * {@code stride}-th origin, for a quick validation check), each channel its own sequence, the
 * lookback normalised per instance, one roll to the longest horizon whose prefixes are the
 * shorter horizons' forecasts, errors on the values z-scored by the train part's {@link Scaler}.
 */
public final class ModelEvaluation {
    private final TsModel model;
    private final SeriesTable table;
    private final Scaler scaler;
    private final Split split;
    private final int batch;
    private final double[][] scaled;   // (channels)(rows) the table z-scored by the train part, for every call

    public ModelEvaluation(TsModel model, SeriesTable table, Scaler scaler, Split split, int batch) {
        this.model = model;
        this.table = table;
        this.scaler = scaler;
        this.split = split;
        this.batch = batch;
        this.scaled = scaler.scale(table.values());
    }

    /** Windows of this part and the shortest horizon: the origins every horizon draws from. */
    public int origins(Windows.Part part, int[] horizons, int stride) {
        Windows w = Windows.of(part, split, model.settings().lookback(), min(horizons));
        return (w.count() + stride - 1) / stride;
    }

    /**
     * Metrics per horizon (in the order given) over the part's windows at the given stride;
     * {@code levels} may be empty (no quantile metrics); progress receives sequences done.
     */
    public Map<Integer, Metrics> evaluate(Windows.Part part, int[] horizons, double[] levels, int stride,
                                          LongConsumer progress) {
        boolean quantiles = levels.length > 0 && model.settings().fourier();
        Map<Integer, Metrics> metrics = new LinkedHashMap<>();
        Map<Integer, Windows> windows = new LinkedHashMap<>();
        for (int h : horizons) {
            metrics.put(h, quantiles ? new Metrics(levels) : new Metrics());
            windows.put(h, Windows.of(part, split, model.settings().lookback(), h));
        }
        forEachForecast(part, min(horizons), max(horizons), quantiles ? levels : new double[0], stride, progress,
                (c, origin, index, forecastZ, quantileZ) -> {
                    for (Map.Entry<Integer, Windows> e : windows.entrySet()) {
                        int h = e.getKey();
                        if (origin > e.getValue().lastOrigin()) {
                            continue;
                        }
                        Metrics m = metrics.get(h);
                        m.addPoints(scaled[c], origin, forecastZ, h);
                        if (quantiles) {
                            m.addQuantiles(scaled[c], origin, quantileZ, h);
                        }
                    }
                });
        return metrics;
    }

    /**
     * The squared error of the forecast from each evaluated origin (every {@code stride}-th window of
     * the part, in time order), averaged over the channels and the horizon's known points, on the
     * values z-scored by the train part: the loss series by which {@link dev.chimera.timeseries.eval.LossComparison} tells whether
     * one model forecasts better than another beyond the noise. NaN where an origin has no known point.
     */
    public double[] squaredErrorsByOrigin(Windows.Part part, int horizon, int stride) {
        int origins = origins(part, new int[] {horizon}, stride);
        double[] sums = new double[origins];
        long[] points = new long[origins];
        forEachForecast(part, horizon, horizon, new double[0], stride, done -> { },
                (c, origin, index, forecastZ, quantileZ) -> {
                    for (int t = 0; t < horizon; t++) {
                        double y = scaled[c][origin + t];
                        if (!Double.isNaN(y)) {
                            double e = y - forecastZ[t];
                            sums[index] += e * e;
                            points[index]++;
                        }
                    }
                });
        for (int i = 0; i < origins; i++) {
            sums[i] = points[i] == 0 ? Double.NaN : sums[i] / points[i];
        }
        return sums;
    }

    /** One forecast, back on the train part's z-scale: rows {@code [origin, origin + H)} of channel c. */
    private interface ForecastSink {
        void accept(int channel, int origin, int originIndex, double[] forecastZ, double[][] quantileZ);
    }

    /**
     * Forecasts every {@code stride}-th window of the part for the shortest horizon's origins, each
     * channel its own sequence, rolled to the longest horizon in batches, and hands each forecast to
     * the sink in the order channel, then origin.
     */
    private void forEachForecast(Windows.Part part, int minHorizon, int maxH, double[] levels, int stride,
                                 LongConsumer progress, ForecastSink sink) {
        int l = model.settings().lookback();
        Windows widest = Windows.of(part, split, l, minHorizon);
        int n = Math.min(batch, widest.count() * table.seriesCount());
        Rollout rollout = model.rollout(Math.max(1, n));
        DecoderState[] states = new DecoderState[rollout.maxBatch()];
        for (int i = 0; i < states.length; i++) {
            states[i] = rollout.newState();
        }
        float[][] lookbacks = new float[rollout.maxBatch()][l];
        float[][] hidden = new float[rollout.maxBatch()][model.decoder().config().dModel()];
        long[] firstTimes = new long[rollout.maxBatch()];
        int[] seqChannel = new int[rollout.maxBatch()];
        int[] seqOrigin = new int[rollout.maxBatch()];
        int[] seqIndex = new int[rollout.maxBatch()];
        InstanceNorm[] norms = new InstanceNorm[rollout.maxBatch()];
        Forecasts out = Forecasts.allocate(rollout.maxBatch(), maxH, levels);
        long step = table.step().getSeconds();
        double[] forecastZ = new double[maxH];
        double[][] quantileZ = new double[levels.length][maxH];
        long done = 0;
        int filled = 0;
        for (int c = 0; c < table.seriesCount(); c++) {
            double[] raw = table.values()[c];
            for (int i = 0; i < widest.count(); i += stride) {
                int o = widest.origin(i);
                InstanceNorm norm = InstanceNorm.of(raw, o - l, o);
                for (int t = 0; t < l; t++) {
                    lookbacks[filled][t] = Double.isNaN(raw[o - l + t]) ? 0f : norm.normalise(raw[o - l + t]);
                }
                norms[filled] = norm;
                firstTimes[filled] = table.timestamps()[o - l];
                seqChannel[filled] = c;
                seqOrigin[filled] = o;
                seqIndex[filled] = i / stride;
                filled++;
                if (filled == rollout.maxBatch()) {
                    rollout.forecast(states, filled, lookbacks, firstTimes, step, maxH, hidden, out);
                    hand(filled, seqChannel, seqOrigin, seqIndex, norms, out, forecastZ, quantileZ, sink);
                    done += filled;
                    progress.accept(done);
                    filled = 0;
                }
            }
        }
        if (filled > 0) {
            rollout.forecast(states, filled, lookbacks, firstTimes, step, maxH, hidden, out);
            hand(filled, seqChannel, seqOrigin, seqIndex, norms, out, forecastZ, quantileZ, sink);
            progress.accept(done + filled);
        }
    }

    /** The batch's forecasts restored from instance normalisation, z-scored, and handed to the sink. */
    private void hand(int n, int[] channel, int[] origin, int[] index, InstanceNorm[] norms, Forecasts out,
                      double[] forecastZ, double[][] quantileZ, ForecastSink sink) {
        int maxH = out.horizon();
        for (int i = 0; i < n; i++) {
            int c = channel[i];
            for (int t = 0; t < maxH; t++) {
                forecastZ[t] = scaler.scale(c, norms[i].restore(out.point()[i][t]));
                for (int q = 0; q < out.levels().length; q++) {
                    quantileZ[q][t] = scaler.scale(c, norms[i].restore(out.quantiles()[i][q][t]));
                }
            }
            sink.accept(c, origin[i], index[i], forecastZ, quantileZ);
        }
    }

    static int max(int[] values) {
        int m = Integer.MIN_VALUE;
        for (int v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    static int min(int[] values) {
        int m = Integer.MAX_VALUE;
        for (int v : values) {
            m = Math.min(m, v);
        }
        return m;
    }
}
