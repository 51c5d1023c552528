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

    public ModelEvaluation(TsModel model, SeriesTable table, Scaler scaler, Split split, int batch) {
        this.model = model;
        this.table = table;
        this.scaler = scaler;
        this.split = split;
        this.batch = batch;
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
        TsSettings s = model.settings();
        int l = s.lookback();
        int maxH = max(horizons);
        boolean quantiles = levels.length > 0 && s.fourier();
        Map<Integer, Metrics> metrics = new LinkedHashMap<>();
        Map<Integer, Windows> windows = new LinkedHashMap<>();
        for (int h : horizons) {
            metrics.put(h, quantiles ? new Metrics(levels) : new Metrics());
            windows.put(h, Windows.of(part, split, l, h));
        }
        Windows widest = Windows.of(part, split, l, min(horizons));
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
        InstanceNorm[] norms = new InstanceNorm[rollout.maxBatch()];
        Forecasts out = Forecasts.allocate(rollout.maxBatch(), maxH, quantiles ? levels : new double[0]);
        double[][] scaled = scaler.scale(table.values());
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
                filled++;
                if (filled == rollout.maxBatch()) {
                    rollout.forecast(states, filled, lookbacks, firstTimes, step, maxH, hidden, out);
                    score(filled, seqChannel, seqOrigin, norms, out, scaled, windows, metrics, forecastZ, quantileZ);
                    done += filled;
                    progress.accept(done);
                    filled = 0;
                }
            }
        }
        if (filled > 0) {
            rollout.forecast(states, filled, lookbacks, firstTimes, step, maxH, hidden, out);
            score(filled, seqChannel, seqOrigin, norms, out, scaled, windows, metrics, forecastZ, quantileZ);
            progress.accept(done + filled);
        }
        return metrics;
    }

    private void score(int n, int[] channel, int[] origin, InstanceNorm[] norms, Forecasts out, double[][] scaled,
                       Map<Integer, Windows> windows, Map<Integer, Metrics> metrics, double[] forecastZ,
                       double[][] quantileZ) {
        int maxH = out.horizon();
        for (int i = 0; i < n; i++) {
            int c = channel[i];
            for (int t = 0; t < maxH; t++) {
                forecastZ[t] = scaler.scale(c, norms[i].restore(out.point()[i][t]));
                for (int q = 0; q < out.levels().length; q++) {
                    quantileZ[q][t] = scaler.scale(c, norms[i].restore(out.quantiles()[i][q][t]));
                }
            }
            for (Map.Entry<Integer, Windows> e : windows.entrySet()) {
                int h = e.getKey();
                if (origin[i] > e.getValue().lastOrigin()) {
                    continue;
                }
                Metrics m = metrics.get(h);
                m.addPoints(scaled[c], origin[i], forecastZ, h);
                if (out.levels().length > 0) {
                    m.addQuantiles(scaled[c], origin[i], quantileZ, h);
                }
            }
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
