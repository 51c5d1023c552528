package dev.chimera.streaming.metrics;

import java.util.Locale;

/**
 * The one-line status, e.g. {@code stream: 12,345 in (10,002/s), 128 forecasts, 0 dead letters, 12,217 no
 * step, lag 0, latency p50 45 us p99 310 us p999 1.2 ms, snapshot 0.8 s ago}, with {@code , 3 UNACCOUNTED}
 * at the end when inputs were lost.
 */
final class StatusLine {
    private StatusLine() {
    }

    static String format(Progress p, LatencySummary latency) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "stream: %,d in (%,.0f/s), %,d forecasts, %,d dead letters, %,d no step, lag %s, latency %s, %s",
                p.inputs(), p.perSecond(), p.forecasts(), p.deadLetters(), p.noStep(),
                p.backlog() < 0 ? "?" : String.format(Locale.ROOT, "%,d", p.backlog()), latency(latency),
                Double.isNaN(p.snapshotAgeSeconds()) ? "no snapshot yet"
                        : String.format(Locale.ROOT, "snapshot %.1f s ago", p.snapshotAgeSeconds())));
        if (p.unaccounted() != 0) {
            line.append(String.format(Locale.ROOT, ", %,d UNACCOUNTED", p.unaccounted()));
        }
        return line.toString();
    }

    private static String latency(LatencySummary s) {
        if (s.count() == 0) {
            return "-";
        }
        return "p50 " + duration(s.p50Micros()) + " p99 " + duration(s.p99Micros()) + " p999 " + duration(s.p999Micros());
    }

    /** {@code 45 us}, {@code 1.2 ms}, {@code 3.4 s}. */
    static String duration(double micros) {
        if (micros < 1e3) {
            return String.format(Locale.ROOT, "%.0f us", micros);
        }
        if (micros < 1e6) {
            return String.format(Locale.ROOT, "%.1f ms", micros / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f s", micros / 1e6);
    }
}
