package dev.chimera.timeseries.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.runtime.Checkout;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.JsonOption;
import dev.chimera.timeseries.data.SeriesTable;
import dev.chimera.timeseries.model.Forecaster;
import dev.chimera.timeseries.model.Forecasts;
import dev.chimera.timeseries.model.InstanceNorm;
import dev.chimera.timeseries.model.Rollout;
import dev.chimera.timeseries.model.TsModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chimera bench forecast}: what the stream consumer pays per call of the {@link Forecaster}
 * on a multichannel series: a forecast of H steps of every channel with quantiles, beside the batch
 * path measured in the same run (prefill the lookback and roll, as {@code ts eval} does), and an
 * observation's update, between segment boundaries (a ring write) and at a boundary (one batched
 * decoder step of every channel).
 */
@Command(name = "forecast", mixinStandardHelpOptions = true,
        description = "Latency of the incremental Forecaster: an H-step forecast of every channel, and updates between "
                + "and at segment boundaries, beside the batch path in the same run.")
public final class BenchForecastCommand implements Callable<Integer> {
    private static final double[] LEVELS = {0.1, 0.5, 0.9};

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Model (default: the checkout's " + TsDemo.DEFAULT_MODEL
            + ").")
    Path model;

    @Option(names = "--csv", paramLabel = "F",
            description = "Series whose first rows are the history (default: " + TsDemo.DEFAULT_DATA + ").")
    Path csv;

    @Option(names = "--horizon", defaultValue = "720", description = "Forecast steps (default: ${DEFAULT-VALUE}).")
    int horizon;

    @Option(names = "--rounds", defaultValue = "40", description = "Timed forecasts per path (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() throws IOException {
        if (model == null) {
            model = Checkout.shippedModel(TsDemo.MODEL_NAME);
        }
        if (csv == null) {
            csv = TsDemo.defaultData();
        }
        TableOptions input = new TableOptions();
        input.file = csv;
        input.onMissing = "interpolate";
        SeriesTable table = input.read();
        try (ComputePool pool = new ComputePool(compute.threads())) {
            TsModel m = TsModel.open(model, compute.backend(pool));
            ModelData.requireSameStep(m, table, csv);
            int channels = table.seriesCount();
            int l = m.settings().lookback();
            int s = m.settings().segment();
            int history = Math.min(table.length() - 4 * s, Math.max(l, table.length() / 2));
            Forecaster forecaster = new Forecaster(m, channels, channels);
            for (int t = 0; t < history; t++) {
                forecaster.observe("s", table.timestamps()[t], row(table, t));
            }
            double[] incremental = time(rounds, () -> forecaster.forecast("s", horizon, LEVELS));
            double[] batch = timeBatch(m, table, history, channels);
            double[] between = new double[3 * s];
            double[] boundary = new double[3];
            int b = 0;
            int w = 0;
            for (int t = history; t < history + 3 * s; t++) {
                double[] values = row(table, t);
                long t0 = System.nanoTime();
                forecaster.observe("s", table.timestamps()[t], values);
                double us = (System.nanoTime() - t0) / 1e3;
                if ((t + 1) % s == 0 && b < boundary.length) {
                    boundary[b++] = us;
                } else {
                    between[w++] = us;
                }
            }
            report(channels, percentile(incremental, 0.5), percentile(incremental, 0.9), percentile(batch, 0.5),
                    percentile(Arrays.copyOf(between, w), 0.5), percentile(Arrays.copyOf(between, w), 0.99),
                    percentile(Arrays.copyOf(boundary, b), 0.5));
        }
        return 0;
    }

    /** The batch path: fresh states, prefill the lookback that ends at the history's end, roll. Milliseconds. */
    private double[] timeBatch(TsModel m, SeriesTable table, int history, int channels) {
        int l = m.settings().lookback();
        Rollout rollout = m.rollout(channels);
        DecoderState[] states = new DecoderState[channels];
        float[][] lookbacks = new float[channels][l];
        float[][] hidden = new float[channels][m.decoder().config().dModel()];
        long[] first = new long[channels];
        for (int c = 0; c < channels; c++) {
            states[c] = rollout.newState();
            double[] raw = table.values()[c];
            InstanceNorm norm = InstanceNorm.of(raw, history - l, history);
            for (int t = 0; t < l; t++) {
                lookbacks[c][t] = norm.normalise(raw[history - l + t]);
            }
            first[c] = table.timestamps()[history - l];
        }
        Forecasts out = Forecasts.allocate(channels, horizon, m.settings().fourier() ? LEVELS : new double[0]);
        long step = table.step().getSeconds();
        return time(rounds, () -> rollout.forecast(states, channels, lookbacks, first, step, horizon, hidden, out));
    }

    private static double[] row(SeriesTable table, int t) {
        double[] r = new double[table.seriesCount()];
        for (int c = 0; c < r.length; c++) {
            r[c] = table.values()[c][t];
        }
        return r;
    }

    /** Milliseconds of each of n calls after n / 4 + 3 untimed ones. */
    private static double[] time(int n, Runnable call) {
        for (int i = 0; i < n / 4 + 3; i++) {
            call.run();
        }
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    private static double percentile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }

    private void report(int channels, double forecastMs, double forecastP90, double batchMs, double betweenUs,
                        double betweenP99, double boundaryUs) {
        PrintWriter out = spec.commandLine().getOut();
        if (json.enabled()) {
            out.println(new JsonLine().put("bench", "forecast").put("model", model.toString()).put("series", channels)
                    .put("horizon", horizon).put("forecast_ms", forecastMs, 3).put("forecast_p90_ms", forecastP90, 3)
                    .put("batch_forecast_ms", batchMs, 3).put("update_us", betweenUs, 3)
                    .put("update_p99_us", betweenP99, 3).put("boundary_update_us", boundaryUs, 1)
                    .put("threads", compute.threads()));
        } else {
            out.printf(Locale.ROOT, "forecast  %d steps x %d series with quantiles 0.1/0.5/0.9: median %.2f ms (p90 %.2f), "
                    + "batch path (prefill + roll) %.2f ms%n", horizon, channels, forecastMs, forecastP90, batchMs);
            out.printf(Locale.ROOT, "update    between segment boundaries: median %.2f us (p99 %.2f); at a boundary "
                    + "(%d channels stepped): median %.0f us%n", betweenUs, betweenP99, channels, boundaryUs);
        }
        out.flush();
    }
}
