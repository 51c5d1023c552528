package dev.chimera.runtime;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The progress line of a batch run over records (score, embed) on stderr: a bar, records done of
 * all, bases per second over this run's work and the time left at that rate. On a terminal it is
 * redrawn in place at most five times a second; otherwise (a log, a pipe) a line is printed at
 * most once a minute, so logs of long runs show progress without flooding. Records a resumed run
 * found done count towards the bar but not the rate.
 */
public final class BatchProgress {
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final long LOG_NANOS = 60_000_000_000L;

    private final PrintWriter err;
    private final boolean live;
    private final String what;
    private final String unit;
    private final long totalRecords;
    private final long totalUnits;
    private final long start = System.nanoTime();
    private long baseRecords;
    private long baseUnits;
    private long records;
    private long units;
    private long lastDraw;

    /** {@code what}: e.g. "scoring"; {@code unit}: what the rate counts, e.g. "bases". */
    public BatchProgress(PrintWriter err, boolean live, String what, String unit, long totalRecords, long totalUnits) {
        this.err = err;
        this.live = live;
        this.what = what;
        this.unit = unit;
        this.totalRecords = totalRecords;
        this.totalUnits = Math.max(1, totalUnits);
        this.lastDraw = live ? 0 : start;
    }

    /** Records (and their units) a resumed run found already done. */
    public void alreadyDone(long doneRecords, long doneUnits) {
        baseRecords = doneRecords;
        baseUnits = doneUnits;
    }

    /** {@code n} more units of the record in progress. */
    public void advance(long n) {
        units += n;
        maybeDraw();
    }

    /** A record finished. */
    public void recordDone() {
        records++;
        maybeDraw();
    }

    /** Seconds since the run started. */
    public double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Units this run computed (not those a resume found done). */
    public long units() {
        return units;
    }

    private void maybeDraw() {
        long now = System.nanoTime();
        if (now - lastDraw < (live ? REDRAW_NANOS : LOG_NANOS)) {
            return;
        }
        lastDraw = now;
        String line = line(now);
        err.print(live ? "\r" + line : line + System.lineSeparator());
        err.flush();
    }

    private String line(long now) {
        double f = Math.min(1.0, (double) (baseUnits + units) / totalUnits);
        int width = 24;
        int filled = (int) Math.round(f * width);
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? units / seconds : 0;
        long left = totalUnits - baseUnits - units;
        String eta = rate > 0 ? duration(left / rate) : "?";
        return String.format(Locale.ROOT, "%s [%s%s] %3.0f%%  %,d/%,d records  %,.0f %s/s  ETA %s", what,
                "#".repeat(filled), " ".repeat(width - filled), 100 * f, baseRecords + records, totalRecords, rate,
                unit, eta);
    }

    /** The closing line: what was done and how fast. */
    public void done() {
        double seconds = seconds();
        String line = String.format(Locale.ROOT, "%s: %,d records, %,d %s in %s (%,.0f %s/s)%s", what, records, units,
                unit, duration(seconds), seconds > 0 ? units / seconds : 0, unit,
                baseRecords > 0 ? String.format(Locale.ROOT, "; %,d records were already done", baseRecords) : "");
        err.print(live ? "\r" + line + " ".repeat(16) + System.lineSeparator() : line + System.lineSeparator());
        err.flush();
    }

    public static String duration(double seconds) {
        if (!(seconds < 1e9)) {
            return "?";
        }
        long s = Math.round(seconds);
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
    }
}
