package dev.chimera.timeseries.data;

import dev.chimera.runtime.UserException;
import java.time.Duration;
import java.util.Arrays;

/**
 * Places observations on their regular time grid: checks that timestamps strictly increase, infers
 * the step ({@link Frequency}), checks that every difference is a whole number of steps, and fills
 * the rows that gaps leave out (and the missing cells) as the {@link MissingPolicy} says.
 *
 * <p>A grid may not be more than {@value #MAX_GRID_PER_ROW} times as long as the rows observed: one
 * mistyped year would otherwise turn into a series of millions of filled rows.
 */
final class SeriesGrid {

    static final int MAX_GRID_PER_ROW = 10;

    private SeriesGrid() {
    }

    static SeriesTable build(String name, Observations obs, MissingPolicy policy) {
        long[] t = obs.times;  // (rows)
        if (obs.rows < 2) {
            throw TableRows.error(obs.source, obs.where(0), obs.timeColumn, "found a single row; expected at least "
                    + "two rows to infer the time step");
        }
        for (int i = 1; i < obs.rows; i++) {
            if (t[i] == t[i - 1]) {
                throw TableRows.error(obs.source, obs.where(i), obs.timeColumn, "found a duplicate timestamp "
                        + Timestamps.format(t[i]) + " (also on " + obs.where(i - 1) + "); expected each timestamp once");
            }
            if (t[i] < t[i - 1]) {
                throw TableRows.error(obs.source, obs.where(i), obs.timeColumn, "found timestamps out of order: "
                        + Timestamps.format(t[i]) + " comes after " + Timestamps.format(t[i - 1]) + " on "
                        + obs.where(i - 1) + "; expected increasing timestamps");
            }
        }
        long step = Frequency.infer(t);
        long missingRows = 0;
        int firstGap = -1;
        for (int i = 1; i < obs.rows; i++) {
            long d = t[i] - t[i - 1];
            if (d % step != 0) {
                throw TableRows.error(obs.source, obs.where(i), obs.timeColumn, "found " + Timestamps.format(t[i])
                        + ", " + Frequency.describe(d) + " after " + Timestamps.format(t[i - 1]) + " on " + obs.where(i - 1)
                        + "; expected a whole number of steps of the inferred frequency " + Frequency.describe(step)
                        + " (calendar months and years have no fixed step)");
            }
            if (d > step) {
                missingRows += d / step - 1;
                if (firstGap < 0) {
                    firstGap = i;
                }
            }
        }
        if (firstGap >= 0 && policy == MissingPolicy.ERROR) {
            int i = firstGap;
            long gap = (t[i] - t[i - 1]) / step - 1;
            throw TableRows.error(obs.source, obs.where(i), obs.timeColumn, "found a gap of " + gap + " missing row"
                    + (gap == 1 ? "" : "s") + " of the " + Frequency.describe(step) + " grid between "
                    + Timestamps.format(t[i - 1]) + " (" + obs.where(i - 1) + ") and " + Timestamps.format(t[i])
                    + "; expected no gaps, " + MissingPolicy.HINT);
        }
        long length = obs.rows + missingRows;
        if (length > (long) MAX_GRID_PER_ROW * obs.rows || length > Integer.MAX_VALUE - 8) {
            int widest = widestGap(t);
            throw TableRows.error(obs.source, obs.where(widest), obs.timeColumn, "the " + Frequency.describe(step)
                    + " grid from " + Timestamps.format(t[0]) + " to " + Timestamps.format(t[obs.rows - 1]) + " has "
                    + length + " rows for " + obs.rows + " observed; expected at most " + MAX_GRID_PER_ROW
                    + " times as many (is the timestamp here, after the widest gap, mistyped?)");
        }
        int n = (int) length;
        long[] timestamps = new long[n];  // (n)
        for (int r = 0; r < n; r++) {
            timestamps[r] = t[0] + r * step;
        }
        double[][] values = new double[obs.columns.size()][n];  // (columns, n)
        for (int c = 0; c < values.length; c++) {
            Arrays.fill(values[c], Double.NaN);
            for (int i = 0; i < obs.rows; i++) {
                values[c][(int) ((t[i] - t[0]) / step)] = obs.values[c][i];
            }
            if (policy == MissingPolicy.INTERPOLATE && !Interpolation.fill(values[c])) {
                throw new UserException(obs.source + ": column '" + obs.columns.get(c) + "': found no value in any of "
                        + obs.rows + " rows (" + obs.where(0) + " to " + obs.where(obs.rows - 1)
                        + "); expected at least one number to interpolate from");
            }
        }
        return new SeriesTable(name, obs.source, timestamps, Duration.ofSeconds(step), obs.columns, values);
    }

    private static int widestGap(long[] t) {
        int widest = 1;
        for (int i = 2; i < t.length; i++) {
            if (t[i] - t[i - 1] > t[widest] - t[widest - 1]) {
                widest = i;
            }
        }
        return widest;
    }
}
