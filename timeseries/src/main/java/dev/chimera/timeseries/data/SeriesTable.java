package dev.chimera.timeseries.data;

import java.time.Duration;
import java.util.List;

/**
 * Series on one regular time grid, as loaded from a wide CSV, a long CSV or an Arrow file: the
 * grid's timestamps (epoch seconds, UTC, strictly increasing by {@code step}) and one column of
 * values per series. {@code values[c][t]} is series c at timestamps[t]; it is NaN only where a
 * value is missing and the missing-value policy was {@code mask} (interpolate fills, error
 * refuses).
 *
 * @param name     the data set's name (the file name without extension: "ETTh1")
 * @param source   the file it came from, for messages
 * @param step     the grid's frequency, inferred from the timestamps
 */
public record SeriesTable(String name, String source, long[] timestamps, Duration step, List<String> columns,
                          double[][] values) {

    public SeriesTable {
        columns = List.copyOf(columns);
        if (values.length != columns.size()) {
            throw new IllegalArgumentException(values.length + " value columns for " + columns.size() + " names");
        }
        for (double[] column : values) {
            if (column.length != timestamps.length) {
                throw new IllegalArgumentException("a column of " + column.length + " values for "
                        + timestamps.length + " timestamps");
            }
        }
    }

    public int length() {
        return timestamps.length;
    }

    public int seriesCount() {
        return columns.size();
    }

    /** The index of the named column, or -1. */
    public int columnIndex(String column) {
        return columns.indexOf(column);
    }
}
