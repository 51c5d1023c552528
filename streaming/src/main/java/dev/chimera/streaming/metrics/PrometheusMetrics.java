package dev.chimera.streaming.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.SummaryWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The consumer's metrics in a Prometheus registry of their own, each read when scraped: counters for
 * what became of the inputs, gauges for what is lost, lag, throughput and snapshot age, and the latency
 * as a summary whose quantiles come from the HdrHistogram (the library's own summaries would keep a
 * second, sliding estimate; a summary with a callback exposes ours as it is), with its maximum beside it.
 */
final class PrometheusMetrics {
    private static final double MICROS_PER_SECOND = 1e6;

    private PrometheusMetrics() {
    }

    /** A registry whose metrics read {@code progress} and {@code latency} at every scrape. */
    static PrometheusRegistry registry(Supplier<Progress> progress, Supplier<LatencySummary> latency) {
        PrometheusRegistry registry = new PrometheusRegistry();
        counter(registry, progress, "chimera_stream_inputs", "Observations read from the input queue.",
                Progress::inputs);
        counter(registry, progress, "chimera_stream_forecasts", "Inputs answered by a forecast.",
                Progress::forecasts);
        counter(registry, progress, "chimera_stream_dead_letters", "Inputs answered by a dead letter.",
                Progress::deadLetters);
        counter(registry, progress, "chimera_stream_no_step",
                "Inputs that completed no forecast step (late ones, those before a series' first lookback).",
                Progress::noStep);
        counter(registry, progress, "chimera_stream_late", "Late but allowed inputs: counted, not observed.",
                Progress::late);
        counter(registry, progress, "chimera_stream_filled_points",
                "Points made up by linear interpolation over short gaps.", Progress::filledPoints);
        counter(registry, progress, "chimera_stream_restarted_series",
                "Series restarted after a gap longer than --max-gap.", Progress::restarts);
        gauge(registry, progress, "chimera_stream_unaccounted_inputs",
                "Inputs minus forecasts, dead letters and no-step inputs: 0 unless inputs were lost.",
                Progress::unaccounted);
        gauge(registry, progress, "chimera_stream_lag_records",
                "Records in the input queue not yet read (absent when unknown).",
                p -> p.backlog() < 0 ? Double.NaN : p.backlog());
        gauge(registry, progress, "chimera_stream_throughput_per_second",
                "Inputs read per second over the last ten seconds or so.", Progress::perSecond);
        GaugeWithCallback.builder().name("chimera_stream_snapshot_age_seconds").unit(Unit.SECONDS)
                .help("Seconds since the last snapshot was written (absent before the first).")
                .callback(cb -> present(progress.get().snapshotAgeSeconds(), cb)).register(registry);
        SummaryWithCallback.builder().name("chimera_stream_latency_seconds").unit(Unit.SECONDS)
                .help("From an observation's append to the input queue to the append of its outputs, since start.")
                .callback(cb -> {
                    LatencySummary s = latency.get();
                    cb.call(s.count(), seconds(s.sumMicros()), Quantiles.of(new Quantile(0.5, seconds(s.p50Micros())),
                            new Quantile(0.99, seconds(s.p99Micros())), new Quantile(0.999, seconds(s.p999Micros()))));
                }).register(registry);
        GaugeWithCallback.builder().name("chimera_stream_latency_max_seconds").unit(Unit.SECONDS)
                .help("The longest latency since start (absent before the first).")
                .callback(cb -> present(seconds(latency.get().maxMicros()), cb)).register(registry);
        return registry;
    }

    private static void counter(PrometheusRegistry registry, Supplier<Progress> progress, String name, String help,
            ToDoubleFunction<Progress> value) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.applyAsDouble(progress.get()))).register(registry);
    }

    /** A gauge that is absent from the scrape while its value is NaN. */
    private static void gauge(PrometheusRegistry registry, Supplier<Progress> progress, String name, String help,
            ToDoubleFunction<Progress> value) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(cb -> present(value.applyAsDouble(progress.get()), cb)).register(registry);
    }

    private static void present(double value, GaugeWithCallback.Callback cb) {
        if (!Double.isNaN(value)) {
            cb.call(value);
        }
    }

    private static double seconds(double micros) {
        return micros / MICROS_PER_SECOND;
    }
}
