package dev.chimera.streaming.replay;

import dev.chimera.streaming.record.Observation;
import dev.chimera.timeseries.data.SeriesTable;
import java.util.List;

/**
 * A time-series table as the observations a replay appends, in timestamp order. Either the whole
 * table is one multichannel series (named after the data set, {@code ETTh1}), one observation per
 * timestamp holding every column; or each column is a series of its own (named after the column),
 * one single-value observation per column and timestamp, the columns of a timestamp in table order.
 * A missing value the table kept (as NaN, {@code --on-missing mask}) is replayed as NaN.
 */
public final class TableObservations {

    /** How a table's columns become series. */
    public enum Series {
        /** One series, named after the data set, whose values at a timestamp are every column's. */
        ONE_MULTICHANNEL,
        /** One single-value series per column, named after the column. */
        ONE_PER_COLUMN
    }

    private final SeriesTable table;
    private final Series series;

    public TableObservations(SeriesTable table, Series series) {
        this.table = table;
        this.series = series;
    }

    /** The number of observations: timestamps, times columns when each column is a series. */
    public long count() {
        return series == Series.ONE_MULTICHANNEL ? table.length() : (long) table.length() * table.seriesCount();
    }

    /** The series ids, in the order a timestamp's observations come. */
    public List<String> seriesIds() {
        return series == Series.ONE_MULTICHANNEL ? List.of(table.name()) : table.columns();
    }

    /** Observation {@code i}, 0 <= i < {@link #count()}. */
    public Observation get(long i) {
        if (i < 0 || i >= count()) {
            throw new IndexOutOfBoundsException(i + " of " + count() + " observations");
        }
        double[][] values = table.values(); // (columns, timestamps)
        if (series == Series.ONE_MULTICHANNEL) {
            int t = (int) i;
            double[] v = new double[values.length];
            for (int c = 0; c < v.length; c++) {
                v[c] = values[c][t];
            }
            return new Observation(table.name(), table.timestamps()[t], v);
        }
        int columns = table.seriesCount();
        int t = (int) (i / columns);
        int c = (int) (i % columns);
        return new Observation(table.columns().get(c), table.timestamps()[t], new double[] {values[c][t]});
    }
}
