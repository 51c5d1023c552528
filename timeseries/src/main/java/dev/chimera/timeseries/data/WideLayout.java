package dev.chimera.timeseries.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A wide table, as the ETT files are: a timestamp column and one numeric column per series,
 * {@code date,HUFL,HULL,...,OT}. The timestamp column is the one named {@code date},
 * {@code timestamp}, {@code time} or {@code ds} (ignoring case; the first such), else the first
 * column. Only the kept columns ({@link ReadOptions#target()}) are parsed, so a text column the user
 * leaves out does not stop the file from loading.
 */
final class WideLayout {

    private static final Set<String> TIME_NAMES = Set.of("date", "timestamp", "time", "ds");

    private WideLayout() {
    }

    /** Reads every row of {@code rows}, keeping the timestamp column and the target columns. */
    static Observations read(TableRows rows, ReadOptions options) {
        List<String> header = rows.header();
        int time = 0;
        for (int c = 0; c < header.size(); c++) {
            if (TIME_NAMES.contains(header.get(c).toLowerCase(Locale.ROOT))) {
                time = c;
                break;
            }
        }
        List<String> available = new ArrayList<>(header);
        available.remove(time);
        if (available.isEmpty()) {
            throw TableRows.error(rows.source(), rows.headerWhere(), header.get(time), "found only the timestamp "
                    + "column; expected one or more series columns besides it");
        }
        List<String> kept = options.target().isEmpty() ? available : options.target();
        int[] columns = new int[kept.size()];
        for (int k = 0; k < kept.size(); k++) {
            columns[k] = header.indexOf(kept.get(k));
            if (columns[k] < 0 || columns[k] == time) {
                throw TableRows.error(rows.source(), rows.headerWhere(), kept.get(k), (columns[k] == time
                        ? "is the timestamp column, not a series" : "not in the file") + " (--target); available "
                        + "columns: " + String.join(", ", available));
            }
        }
        rows.requireTimestamps(time);
        for (int column : columns) {
            rows.requireNumbers(column);
        }
        boolean refuseMissing = options.onMissing() == MissingPolicy.ERROR;
        Observations.Builder out = new Observations.Builder(columns.length);
        while (rows.next()) {
            out.add(rows.timestamp(time), rows.position());
            for (int k = 0; k < columns.length; k++) {
                double v = rows.number(columns[k]);
                if (Double.isNaN(v) && refuseMissing) {
                    throw TableRows.error(rows.source(), rows.where(), kept.get(k), "found " + rows.missingCell(columns[k])
                            + ", a missing value; expected a number, " + MissingPolicy.HINT);
                }
                out.set(k, v);
            }
        }
        if (out.rows() == 0) {
            throw TableRows.noRows(rows);
        }
        return out.build(rows.source(), header.get(time), kept, rows.positionWord());
    }
}
