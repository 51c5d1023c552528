package dev.chimera.timeseries.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.time.Millisecond;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * A PNG fan chart of a forecast with JFreeChart: one panel per series, the history before the
 * forecast, the median (or point forecast), the 10-90% band where the model gives quantiles, and
 * the actual values where the data holds them.
 */
final class FanChart {
    private static final Color HISTORY = new Color(60, 60, 60);
    private static final Color ACTUAL = new Color(30, 120, 30);
    private static final Color FORECAST = new Color(20, 80, 200);

    /** One panel: timestamps (epoch s) and values of history, actuals (may be empty) and the forecast with its band. */
    record Panel(String name, long[] historyTimes, double[] history, long[] forecastTimes, double[] median,
                 double[] low, double[] high, double[] actual) {
    }

    private FanChart() {
    }

    static void write(Path png, String title, Panel[] panels) throws IOException {
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new DateAxis("time (UTC)"));
        for (Panel p : panels) {
            plot.add(panel(p), 1);
        }
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.addSubtitle(new TextTitle("grey: history   green: actual   blue: median (point forecast without "
                + "quantiles), shaded: 10-90% interval"));
        chart.setBackgroundPaint(Color.WHITE);
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 1200, Math.max(400, 220 * panels.length));
        Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static XYPlot panel(Panel p) {
        YIntervalSeries band = new YIntervalSeries(p.name() + " forecast (10-90%)");
        for (int t = 0; t < p.forecastTimes().length; t++) {
            double lo = p.low() == null ? p.median()[t] : p.low()[t];
            double hi = p.high() == null ? p.median()[t] : p.high()[t];
            band.add(p.forecastTimes()[t] * 1000.0, p.median()[t], lo, hi);
        }
        YIntervalSeriesCollection forecast = new YIntervalSeriesCollection();
        forecast.addSeries(band);
        DeviationRenderer fan = new DeviationRenderer(true, false);
        fan.setSeriesPaint(0, FORECAST);
        fan.setSeriesFillPaint(0, new Color(120, 160, 240));
        fan.setAlpha(0.35f);
        fan.setSeriesStroke(0, new BasicStroke(1.6f));

        TimeSeriesCollection observed = new TimeSeriesCollection();
        observed.addSeries(series(p.name() + " history", p.historyTimes(), p.history()));
        if (p.actual() != null) {
            observed.addSeries(series(p.name() + " actual", p.forecastTimes(), p.actual()));
        }
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
        lines.setSeriesPaint(0, HISTORY);
        lines.setSeriesPaint(1, ACTUAL);

        NumberAxis axis = new NumberAxis(p.name());
        axis.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(forecast, null, axis, fan);
        plot.setDataset(1, observed);
        plot.setRenderer(1, lines);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }

    private static TimeSeries series(String name, long[] times, double[] values) {
        TimeSeries s = new TimeSeries(name);
        for (int t = 0; t < times.length; t++) {
            if (!Double.isNaN(values[t])) {
                s.addOrUpdate(new Millisecond(new Date(times[t] * 1000)), values[t]);
            }
        }
        return s;
    }
}
