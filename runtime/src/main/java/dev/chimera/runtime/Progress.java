package dev.chimera.runtime;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of long steps on stderr. On a terminal: one bar per step, redrawn in place at most five
 * times a second. Otherwise (a log file, a pipe, a test): one line per finished step with its time,
 * so logs stay short. Safe to update from several threads.
 */
public final class Progress {
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter err;
    private final boolean live;
    private final String prefix;

    /** @param live redraw bars in place (pass {@code System.console() != null} from commands) */
    public Progress(PrintWriter err, boolean live, String prefix) {
        this.err = err;
        this.live = live;
        this.prefix = prefix;
    }

    /** A step of {@code total} units named by {@code what}, e.g. {@code "counting", "bases"}. */
    public Step step(String what, long total, String unit) {
        return new Step(what, total, unit);
    }

    /** Prints a one-line note, e.g. what was chosen on the user's behalf. */
    public synchronized void note(String message) {
        err.println(prefix + message);
        err.flush();
    }

    /** One step; call {@link #update} as work is done and {@link #done} at the end. */
    public final class Step {
        private final String what;
        private final long total;
        private final String unit;
        private final long start = System.nanoTime();
        private long lastDraw;

        private Step(String what, long total, String unit) {
            this.what = what;
            this.total = Math.max(1, total);
            this.unit = unit;
        }

        public void update(long done) {
            if (!live) {
                return;
            }
            synchronized (Progress.this) {
                long now = System.nanoTime();
                if (now - lastDraw < REDRAW_NANOS) {
                    return;
                }
                lastDraw = now;
                double f = Math.min(1.0, (double) done / total);
                int width = 30;
                int filled = (int) Math.round(f * width);
                err.print(String.format(Locale.ROOT, "\r%s%-24s [%s%s] %3.0f%%", prefix, what, "#".repeat(filled),
                        " ".repeat(width - filled), 100 * f));
                err.flush();
            }
        }

        public void done() {
            double seconds = (System.nanoTime() - start) / 1e9;
            synchronized (Progress.this) {
                err.print((live ? "\r" : "") + String.format(Locale.ROOT, "%s%-24s %,d %s in %.1f s%s", prefix, what,
                        total, unit, seconds, live ? " ".repeat(16) : ""));
                err.println();
                err.flush();
            }
        }
    }
}
