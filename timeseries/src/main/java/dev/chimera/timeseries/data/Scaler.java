package dev.chimera.timeseries.data;

import dev.chimera.runtime.UserException;
import java.util.Arrays;
import java.util.List;

/**
 * Per-series z-score scaling, {@code z = (x - mean) / std}, with the mean and population standard
 * deviation of the train rows only (the benchmarks' {@code StandardScaler} fitted on the train
 * border), so nothing of validation or test leaks into the scaling. Missing values (NaN) are left
 * out of the statistics and stay NaN. A series whose train values are all equal gets std 1 (and
 * its value as mean, so it scales to exactly 0).
 *
 * <p>A record of plain lists and arrays, so a model saves it to JSON as it is
 * ({@code {"columns":[...],"means":[...],"stds":[...]}}) and loads it back through the canonical
 * constructor. Arrays are copied in and out.
 *
 * @param columns the series' names, in column order
 * @param means   (columns) train mean of each series
 * @param stds    (columns) train population standard deviation of each series, > 0
 */
public record Scaler(List<String> columns, double[] means, double[] stds) {

    public Scaler {
        columns = List.copyOf(columns);
        means = means.clone();
        stds = stds.clone();
        if (means.length != columns.size() || stds.length != columns.size()) {
            throw new IllegalArgumentException(columns.size() + " columns, " + means.length + " means, "
                    + stds.length + " stds");
        }
        for (int c = 0; c < stds.length; c++) {
            if (!(stds[c] > 0) || !Double.isFinite(stds[c]) || !Double.isFinite(means[c])) {
                throw new IllegalArgumentException("column '" + columns.get(c) + "': mean " + means[c] + ", std "
                        + stds[c] + "; expected finite values and std > 0");
            }
        }
    }

    /** Fitted on the train rows [0, split.trainEnd()) of {@code table}. */
    public static Scaler fit(SeriesTable table, Split split) {
        int rows = split.trainEnd();
        if (rows > table.length()) {
            throw new IllegalArgumentException("train ends at row " + rows + " of " + table.length());
        }
        double[] means = new double[table.seriesCount()];  // (columns)
        double[] stds = new double[table.seriesCount()];   // (columns)
        for (int c = 0; c < means.length; c++) {
            double[] x = table.values()[c];  // (time)
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            int count = 0;
            for (int t = 0; t < rows; t++) {
                if (!Double.isNaN(x[t])) {
                    sum += x[t];
                    min = Math.min(min, x[t]);
                    max = Math.max(max, x[t]);
                    count++;
                }
            }
            if (count == 0) {
                throw new UserException(table.source() + ": column '" + table.columns().get(c) + "': found no value "
                        + "in the " + rows + " train rows; expected at least one to fit the scaling");
            }
            if (min == max) {
                means[c] = min;
                stds[c] = 1;
                continue;
            }
            double mean = sum / count;
            // Two passes: the sum of squared deviations, not E[x^2] - mean^2, which cancels badly.
            double squares = 0;
            for (int t = 0; t < rows; t++) {
                if (!Double.isNaN(x[t])) {
                    double d = x[t] - mean;
                    squares += d * d;
                }
            }
            double std = Math.sqrt(squares / count);
            means[c] = mean;
            stds[c] = std > 0 ? std : 1;
        }
        return new Scaler(table.columns(), means, stds);
    }

    @Override
    public double[] means() {
        return means.clone();
    }

    @Override
    public double[] stds() {
        return stds.clone();
    }

    /** The mean of series {@code column}. */
    public double mean(int column) {
        return means[column];
    }

    /** The standard deviation of series {@code column}. */
    public double std(int column) {
        return stds[column];
    }

    /** {@code value} of series {@code column}, scaled. */
    public double scale(int column, double value) {
        return (value - means[column]) / stds[column];
    }

    /** A scaled {@code z} of series {@code column}, back in the series' units. */
    public double unscale(int column, double z) {
        return z * stds[column] + means[column];
    }

    /** A scaled copy of {@code values} (time) of series {@code column}. */
    public double[] scale(int column, double[] values) {
        double[] out = new double[values.length];  // (time)
        for (int t = 0; t < values.length; t++) {
            out[t] = (values[t] - means[column]) / stds[column];
        }
        return out;
    }

    /** An unscaled copy of {@code z} (time) of series {@code column}. */
    public double[] unscale(int column, double[] z) {
        double[] out = new double[z.length];  // (time)
        for (int t = 0; t < z.length; t++) {
            out[t] = z[t] * stds[column] + means[column];
        }
        return out;
    }

    /** A scaled copy of {@code values} (columns, time). */
    public double[][] scale(double[][] values) {
        checkColumns(values.length);
        double[][] out = new double[values.length][];  // (columns, time)
        for (int c = 0; c < values.length; c++) {
            out[c] = scale(c, values[c]);
        }
        return out;
    }

    /** An unscaled copy of {@code z} (columns, time). */
    public double[][] unscale(double[][] z) {
        checkColumns(z.length);
        double[][] out = new double[z.length][];  // (columns, time)
        for (int c = 0; c < z.length; c++) {
            out[c] = unscale(c, z[c]);
        }
        return out;
    }

    /** {@code table} with every series scaled (a copy; the table is not changed). */
    public SeriesTable scale(SeriesTable table) {
        if (!table.columns().equals(columns)) {
            throw new IllegalArgumentException("scaler of " + columns + " applied to " + table.columns());
        }
        return new SeriesTable(table.name(), table.source(), table.timestamps(), table.step(), table.columns(),
                scale(table.values()));
    }

    /** Equal columns and equal statistics (the record's own equals would compare the arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Scaler && columns.equals(((Scaler) o).columns)
                && Arrays.equals(means, ((Scaler) o).means) && Arrays.equals(stds, ((Scaler) o).stds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * columns.hashCode() + Arrays.hashCode(means)) + Arrays.hashCode(stds);
    }

    @Override
    public String toString() {
        return "Scaler[columns=" + columns + ", means=" + Arrays.toString(means) + ", stds=" + Arrays.toString(stds) + "]";
    }

    private void checkColumns(int count) {
        if (count != columns.size()) {
            throw new IllegalArgumentException(count + " columns for a scaler of " + columns.size());
        }
    }
}
