package dev.chimera.timeseries.data;

import java.util.Arrays;
import java.util.List;

/**
 * What a layout read from a file, before it is placed on the time grid: one row per distinct
 * timestamp, with where that row is in the file, and the kept series' values (NaN where missing).
 * Rows are in file order for a wide file (the grid checks their order), in time order for a long one.
 */
final class Observations {
    final String source;
    /** The name of the timestamp column, for messages. */
    final String timeColumn;
    final List<String> columns;
    final int rows;
    final long[] times;       // (rows) epoch seconds
    /** What {@link #positions} count: {@code line} or {@code row}. */
    final String positionWord;
    final long[] positions;   // (rows) line or row number in the file
    final double[][] values;  // (columns, rows), NaN = missing

    Observations(String source, String timeColumn, List<String> columns, long[] times, String positionWord,
                 long[] positions, double[][] values) {
        this.source = source;
        this.timeColumn = timeColumn;
        this.columns = List.copyOf(columns);
        this.rows = times.length;
        this.times = times;
        this.positionWord = positionWord;
        this.positions = positions;
        this.values = values;
    }

    /** Where row {@code i} is in the file: {@code line 12}. */
    String where(int i) {
        return positionWord + " " + positions[i];
    }

    /** Collects rows of a known number of columns, growing as needed. */
    static final class Builder {
        private final int columns;
        private long[] times = new long[1024];       // (capacity)
        private long[] positions = new long[1024];   // (capacity)
        private double[][] values;                   // (columns, capacity)
        private int rows;

        Builder(int columns) {
            this.columns = columns;
            this.values = new double[columns][1024];
        }

        /** Starts a row; fill its values with {@link #set}. */
        void add(long time, long position) {
            if (rows == times.length) {
                int capacity = rows * 2;
                times = Arrays.copyOf(times, capacity);
                positions = Arrays.copyOf(positions, capacity);
                for (int c = 0; c < columns; c++) {
                    values[c] = Arrays.copyOf(values[c], capacity);
                }
            }
            times[rows] = time;
            positions[rows] = position;
            rows++;
        }

        /** Sets column {@code c} of the row last added. */
        void set(int c, double value) {
            values[c][rows - 1] = value;
        }

        int rows() {
            return rows;
        }

        Observations build(String source, String timeColumn, List<String> names, String positionWord) {
            double[][] trimmed = new double[columns][];
            for (int c = 0; c < columns; c++) {
                trimmed[c] = Arrays.copyOf(values[c], rows);
            }
            return new Observations(source, timeColumn, names, Arrays.copyOf(times, rows), positionWord,
                    Arrays.copyOf(positions, rows), trimmed);
        }
    }
}
