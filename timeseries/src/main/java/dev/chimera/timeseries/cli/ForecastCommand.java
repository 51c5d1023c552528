package dev.chimera.timeseries.cli;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.runtime.ArrowTables;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.UserException;
import dev.chimera.timeseries.data.SeriesTable;
import dev.chimera.timeseries.model.Forecaster;
import dev.chimera.timeseries.model.TsModel;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chimera ts forecast}: the forecast of every series of a file after its last row (or after
 * row {@code --at}), through the incremental {@link Forecaster} fed the history, written as CSV or
 * Arrow (one row per series and step: point forecast and quantiles) and optionally as a fan chart.
 */
@Command(name = "forecast", mixinStandardHelpOptions = true,
        description = "Forecasts every series of a file H steps ahead, with quantiles for a Fourier-head model.")
public final class ForecastCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model trained by 'ts train'.")
    Path model;

    @Mixin
    TableOptions data;

    @Option(names = "--horizon", required = true, paramLabel = "H", description = "Steps to forecast.")
    int horizon;

    @Option(names = "--quantiles", split = ",", paramLabel = "Q", defaultValue = "0.1,0.5,0.9",
            description = "Quantile levels (Fourier-head models; default: ${DEFAULT-VALUE}).")
    double[] quantiles;

    @Option(names = "--at", paramLabel = "ROW",
            description = "Forecast from this row (0-based) on, using only the rows before it; actual values after "
                    + "it are drawn in the plot (default: after the last row).")
    Integer at;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "0",
            description = "Also write N seeded sample paths (Fourier-head models): columns s1..sN (default: none).")
    int samples;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the sample paths (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "F.csv|F.arrow", description = "Where to write the forecast.")
    Path out;

    @Option(names = "--plot", paramLabel = "F.png", description = "Also draw a fan chart (history, median, 10-90%% band, actuals).")
    Path plot;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() throws IOException {
        if (horizon < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--horizon must be >= 1, got " + horizon);
        }
        for (double q : quantiles) {
            if (!(q > 0 && q < 1)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--quantiles must lie in (0, 1), got " + q);
            }
        }
        if (samples < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--samples must be >= 0, got " + samples);
        }
        double[] levels = quantiles.clone();
        Arrays.sort(levels);
        try (ComputePool pool = new ComputePool(compute.threads())) {
            TsModel m = TsModel.open(model, compute.backend(pool));
            SeriesTable table = data.read();
            ModelData.requireSameStep(m, table, data.file());
            int end = at == null ? table.length() : at;
            if (end < m.settings().lookback() || end > table.length()) {
                throw new UserException("--at " + end + ": a forecast needs at least the lookback of "
                        + m.settings().lookback() + " rows before it, and at most the " + table.length() + " rows of "
                        + data.file());
            }
            Forecaster forecaster = new Forecaster(m, table.seriesCount(), table.seriesCount());
            List<Forecaster.Observation> history = new ArrayList<>();
            double[][] values = table.values();
            for (int t = 0; t < end; t++) {
                double[] row = new double[table.seriesCount()];
                for (int c = 0; c < row.length; c++) {
                    row[c] = values[c][t];
                }
                history.add(new Forecaster.Observation(table.name(), table.timestamps()[t], row));
            }
            forecaster.observeAll(history);
            Forecaster.Forecast f = forecaster.forecast(table.name(), horizon, levels);
            if (samples > 0 && !m.settings().fourier()) {
                throw new UserException("--samples: " + model + " is a point model (--head point); sample paths need "
                        + "a Fourier-head model");
            }
            double[][][] paths = samples > 0 ? forecaster.samples(table.name(), horizon, samples, seed) : null;
            write(table, f, paths);
            if (plot != null) {
                plot(table, f, end);
            }
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.printf(Locale.ROOT, "forecast  %d series x %d steps from %s into %s%s%n", table.seriesCount(), horizon,
                    Instant.ofEpochSecond(f.firstTimestamp()), out, plot == null ? "" : ", chart " + plot);
            stdout.flush();
        }
        return 0;
    }

    private String[] columns(Forecaster.Forecast f) {
        List<String> names = new ArrayList<>(List.of("series", "timestamp", "point"));
        for (double q : f.levels()) {
            names.add(String.format(Locale.ROOT, "q%s", trim(q)));
        }
        for (int p = 1; p <= samples; p++) {
            names.add("s" + p);
        }
        return names.toArray(new String[0]);
    }

    private static String trim(double q) {
        String s = Double.toString(q);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** The values of row (c, t) after the timestamp: point, quantiles, sample paths. */
    private static double[] values(Forecaster.Forecast f, double[][][] paths, int c, int t) {
        int q = f.levels().length;
        double[] v = new double[1 + q + (paths == null ? 0 : paths.length)];
        v[0] = f.point()[c][t];
        for (int k = 0; k < q; k++) {
            v[1 + k] = f.quantiles()[c][k][t];
        }
        for (int p = 0; paths != null && p < paths.length; p++) {
            v[1 + q + p] = paths[p][c][t];
        }
        return v;
    }

    private void write(SeriesTable table, Forecaster.Forecast f, double[][][] paths) throws IOException {
        String[] names = columns(f);
        long step = table.step().getSeconds();
        if (out.getFileName().toString().endsWith(".arrow")) {
            List<ArrowTables.Column> cols = new ArrayList<>();
            cols.add(ArrowTables.Column.utf8("series"));
            cols.add(ArrowTables.Column.utf8("timestamp"));
            for (int i = 2; i < names.length; i++) {
                cols.add(ArrowTables.Column.float64(names[i]));
            }
            try (ArrowTables.Writer w = ArrowTables.create(out, cols, 4096, Map.of("model", model.toString()))) {
                for (int c = 0; c < table.seriesCount(); c++) {
                    for (int t = 0; t < horizon; t++) {
                        w.set(0, table.columns().get(c)).set(1, Instant.ofEpochSecond(f.firstTimestamp() + t * step)
                                .toString());
                        double[] v = values(f, paths, c, t);
                        for (int k = 0; k < v.length; k++) {
                            w.set(2 + k, v[k]);
                        }
                        w.endRow();
                    }
                }
                w.commit();
            }
            return;
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write(String.join(",", names));
            w.newLine();
            for (int c = 0; c < table.seriesCount(); c++) {
                for (int t = 0; t < horizon; t++) {
                    StringBuilder line = new StringBuilder();
                    line.append(table.columns().get(c)).append(',')
                            .append(Instant.ofEpochSecond(f.firstTimestamp() + t * step));
                    for (double v : values(f, paths, c, t)) {
                        line.append(',').append(String.format(Locale.ROOT, "%.6g", v));
                    }
                    w.write(line.toString());
                    w.newLine();
                }
            }
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void plot(SeriesTable table, Forecaster.Forecast f, int end) throws IOException {
        int shown = Math.min(end, Math.max(2 * horizon, 192));
        long step = table.step().getSeconds();
        FanChart.Panel[] panels = new FanChart.Panel[table.seriesCount()];
        int lo = indexOf(f.levels(), 0.1);
        int mid = indexOf(f.levels(), 0.5);
        int hi = indexOf(f.levels(), 0.9);
        for (int c = 0; c < panels.length; c++) {
            long[] ht = Arrays.copyOfRange(table.timestamps(), end - shown, end);
            double[] hv = Arrays.copyOfRange(table.values()[c], end - shown, end);
            long[] ft = new long[horizon];
            double[] actual = end < table.length() ? new double[horizon] : null;
            for (int t = 0; t < horizon; t++) {
                ft[t] = f.firstTimestamp() + t * step;
                if (actual != null) {
                    actual[t] = end + t < table.length() ? table.values()[c][end + t] : Double.NaN;
                }
            }
            double[] median = mid >= 0 ? f.quantiles()[c][mid] : f.point()[c];
            panels[c] = new FanChart.Panel(table.columns().get(c), ht, hv, ft, median,
                    lo >= 0 ? f.quantiles()[c][lo] : null, hi >= 0 ? f.quantiles()[c][hi] : null, actual);
        }
        FanChart.write(plot, table.name() + ": " + horizon + "-step forecast by " + model.getFileName(), panels);
    }

    private static int indexOf(double[] levels, double q) {
        for (int i = 0; i < levels.length; i++) {
            if (Math.abs(levels[i] - q) < 1e-9) {
                return i;
            }
        }
        return -1;
    }
}
