package dev.chimera.timeseries.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A long table: one row per (series, timestamp, value), the columns named exactly
 * {@code series,timestamp,value} or, as Nixtla's libraries write them, {@code unique_id,ds,y} (in any
 * order, ignoring case). The series are aligned on one common grid: the union of their timestamps.
 * Within a series timestamps must increase; the series may be interleaved or one after another.
 * Where a series lacks a timestamp another has, its value is missing (refused, filled or masked
 * like a missing cell).
 */
final class LongLayout {

    private static final List<List<String>> HEADERS = List.of(
            List.of("series", "timestamp", "value"),
            List.of("unique_id", "ds", "y"));

    private LongLayout() {
    }

    /** The indices of the series, timestamp and value columns if {@code header} is a long one, else null. */
    static int[] columns(List<String> header) {
        if (header.size() != 3) {
            return null;
        }
        List<String> lower = new ArrayList<>();
        for (String name : header) {
            lower.add(name.toLowerCase(Locale.ROOT));
        }
        for (List<String> names : HEADERS) {
            int[] at = new int[3];
            for (int i = 0; i < 3; i++) {
                at[i] = lower.indexOf(names.get(i));
            }
            if (at[0] >= 0 && at[1] >= 0 && at[2] >= 0) {
                return at;
            }
        }
        return null;
    }

    /** One series' rows as read, in file order (which must be time order). */
    private static final class Series {
        long[] times = new long[256];      // (count) epoch seconds
        double[] values = new double[256]; // (count)
        long[] positions = new long[256];  // (count) line or row in the file
        int count;

        void add(long time, double value, long position) {
            if (count == times.length) {
                times = Arrays.copyOf(times, count * 2);
                values = Arrays.copyOf(values, count * 2);
                positions = Arrays.copyOf(positions, count * 2);
            }
            times[count] = time;
            values[count] = value;
            positions[count] = position;
            count++;
        }
    }

    /** Reads every row of {@code rows}, whose header {@link #columns} found long, keeping the target series. */
    static Observations read(TableRows rows, ReadOptions options) {
        List<String> header = rows.header();
        int[] at = columns(header);
        int idColumn = at[0];
        int timeColumn = at[1];
        int valueColumn = at[2];
        String timeName = header.get(timeColumn);
        rows.requireText(idColumn);
        rows.requireTimestamps(timeColumn);
        rows.requireNumbers(valueColumn);
        boolean refuseMissing = options.onMissing() == MissingPolicy.ERROR;
        boolean keepAll = options.target().isEmpty();
        Map<String, Series> all = new LinkedHashMap<>();
        int read = 0;
        while (rows.next()) {
            read++;
            String id = rows.text(idColumn);
            if (id.isEmpty()) {
                throw TableRows.error(rows.source(), rows.where(), header.get(idColumn), "found an empty cell; "
                        + "expected a series id");
            }
            Series s = all.computeIfAbsent(id, k -> new Series());
            if (!keepAll && !options.target().contains(id)) {
                continue;
            }
            long t = rows.timestamp(timeColumn);
            if (s.count > 0 && t <= s.times[s.count - 1]) {
                String previous = rows.positionWord() + " " + s.positions[s.count - 1];
                throw TableRows.error(rows.source(), rows.where(), timeName, t == s.times[s.count - 1]
                        ? "found a duplicate timestamp " + Timestamps.format(t) + " for series '" + id + "' (also on "
                        + previous + "); expected one row per series and timestamp"
                        : "found timestamps out of order: " + Timestamps.format(t) + " for series '" + id
                        + "' comes after " + Timestamps.format(s.times[s.count - 1]) + " on " + previous
                        + "; expected each series' timestamps in increasing order");
            }
            double v = rows.number(valueColumn);
            if (Double.isNaN(v) && refuseMissing) {
                throw TableRows.error(rows.source(), rows.where(), header.get(valueColumn), "found "
                        + rows.missingCell(valueColumn) + ", a missing value; expected a number, " + MissingPolicy.HINT);
            }
            s.add(t, v, rows.position());
        }
        if (read == 0) {
            throw TableRows.noRows(rows);
        }
        List<String> kept = keepAll ? new ArrayList<>(all.keySet()) : options.target();
        for (String id : kept) {
            if (!all.containsKey(id)) {
                throw TableRows.error(rows.source(), rows.headerWhere(), header.get(idColumn), "found no series '"
                        + id + "' (--target); available series: " + String.join(", ", all.keySet()));
            }
        }
        return align(rows.source(), timeName, rows.positionWord(), kept, all, refuseMissing);
    }

    /**
     * The kept series on the union of their timestamps, each union row located where its timestamp
     * first appears in the file.
     */
    private static Observations align(String source, String timeName, String positionWord, List<String> kept,
                                      Map<String, Series> all, boolean refuseMissing) {
        int total = 0;
        for (String id : kept) {
            total += all.get(id).count;
        }
        long[] union = new long[total];  // (total), then (rows): sorted, distinct
        int filled = 0;
        for (String id : kept) {
            Series s = all.get(id);
            System.arraycopy(s.times, 0, union, filled, s.count);
            filled += s.count;
        }
        Arrays.sort(union);
        int rows = 0;
        for (int i = 0; i < total; i++) {
            if (rows == 0 || union[i] != union[rows - 1]) {
                union[rows++] = union[i];
            }
        }
        union = Arrays.copyOf(union, rows);
        long[] positions = new long[rows];  // (rows) first line or row with that timestamp
        int[] firstSeries = new int[rows];  // (rows) index in kept of the series on that line
        Arrays.fill(positions, Long.MAX_VALUE);
        double[][] values = new double[kept.size()][rows];  // (columns, rows)
        for (int k = 0; k < kept.size(); k++) {
            Series s = all.get(kept.get(k));
            Arrays.fill(values[k], Double.NaN);
            // Both sorted: merge.
            int r = 0;
            for (int i = 0; i < s.count; i++) {
                while (union[r] < s.times[i]) {
                    r++;
                }
                values[k][r] = s.values[i];
                if (s.positions[i] < positions[r]) {
                    positions[r] = s.positions[i];
                    firstSeries[r] = k;
                }
            }
        }
        if (refuseMissing) {
            for (int k = 0; k < kept.size(); k++) {
                Series s = all.get(kept.get(k));
                if (s.count < rows) {
                    int gap = firstAbsent(union, s);
                    throw TableRows.error(source, positionWord + " " + positions[gap], timeName, "series '"
                            + kept.get(k) + "' has no row for " + Timestamps.format(union[gap]) + ", which series '"
                            + kept.get(firstSeries[gap]) + "' has here; expected every series on the same timestamps, "
                            + MissingPolicy.HINT);
                }
            }
        }
        return new Observations(source, timeName, kept, union, positionWord, positions, values);
    }

    /** The first row of {@code union} that {@code s} has no value for. */
    private static int firstAbsent(long[] union, Series s) {
        int i = 0;
        for (int r = 0; r < union.length; r++) {
            if (i < s.count && s.times[i] == union[r]) {
                i++;
            } else {
                return r;
            }
        }
        throw new IllegalStateException("no absent row");
    }
}
