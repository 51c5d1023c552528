package dev.chimera.timeseries.data;

import dev.chimera.runtime.UserException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A table read one row at a time, whatever the file's format (CSV text, Arrow record batches), so
 * that the two layouts ({@link WideLayout}, {@link LongLayout}) are written once. Cells are addressed
 * by their column's index in {@link #header()}. Every accessor that meets bad input throws a
 * {@link UserException} naming the file, the row's {@link #where()} and the column.
 */
interface TableRows extends AutoCloseable {

    /** The file, as the user named it. */
    String source();

    /** The column names, in file order. */
    List<String> header();

    /** Where the header is, as a user finds it: {@code line 1}, {@code the schema}. */
    String headerWhere();

    /** What rows are counted in: {@code line} (CSV, the header being line 1), {@code row} (Arrow, from 1). */
    String positionWord();

    /** The current row's number, in {@link #positionWord()}s. */
    long position();

    /** Where the current row is: {@code line 12}, {@code row 11}. */
    default String where() {
        return positionWord() + " " + position();
    }

    /** Moves to the next row; false at the end. */
    boolean next();

    /** Refuses, up front, a column whose type cannot hold timestamps (Arrow; CSV columns are text). */
    void requireTimestamps(int column);

    /** Refuses, up front, a column whose type cannot hold numbers (Arrow; CSV columns are text). */
    void requireNumbers(int column);

    /** Refuses, up front, a column whose type cannot hold series ids (Arrow: text or integers). */
    void requireText(int column);

    /** The current row's timestamp in {@code column}, in epoch seconds (UTC). */
    long timestamp(int column);

    /** The current row's number in {@code column}, or NaN where the cell holds a missing value. */
    double number(int column);

    /** How the current row's missing cell in {@code column} appears in the file: {@code an empty cell}, {@code 'NA'}, {@code null}. */
    String missingCell(int column);

    /** The current row's cell in {@code column} as text (a series id). */
    String text(int column);

    @Override
    void close();

    /**
     * The one-line error for a cell: {@code <file>: <where>, column '<column>': <what>}, {@code what}
     * saying what was found and what was expected.
     */
    static UserException error(String source, String where, String column, String what) {
        return new UserException(source + ": " + where + ", column '" + column + "': " + what);
    }

    /** The error for a table with column names and no rows. */
    static UserException noRows(TableRows rows) {
        return new UserException(rows.source() + ": " + rows.headerWhere() + ": found the column names but no rows; "
                + "expected rows of data");
    }

    /** Refuses a header with an empty or repeated column name. */
    static void checkHeader(String source, String where, List<String> header) {
        Map<String, Integer> seen = new HashMap<>();
        for (int c = 0; c < header.size(); c++) {
            String name = header.get(c);
            if (name.isEmpty()) {
                throw new UserException(source + ": " + where + ", column " + (c + 1)
                        + ": found an empty column name; expected every column to be named");
            }
            Integer before = seen.put(name, c);
            if (before != null) {
                throw error(source, where, name, "found the name again in column " + (c + 1) + " (first in column "
                        + (before + 1) + "); expected each column name once");
            }
        }
    }
}
