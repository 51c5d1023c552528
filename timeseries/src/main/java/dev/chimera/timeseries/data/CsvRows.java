package dev.chimera.timeseries.data;

import dev.chimera.runtime.UserException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The rows of a comma-separated text file (UTF-8, RFC 4180 quoting, parsed by Apache Commons CSV),
 * the first non-blank line being the header. Blank lines are skipped; every other line must have as
 * many cells as the header. Cells are trimmed. Line numbers are those an editor shows (header = line
 * 1 in a file without leading blank lines), counted by the parser, so quoted cells spanning lines
 * keep later numbers right.
 */
final class CsvRows implements TableRows {

    /** Cell texts that mean "missing" (compared ignoring case), besides the empty cell. */
    private static final Set<String> MISSING = Set.of("nan", "na", "null");

    // Empty lines become one-empty-cell records so that they are counted and skipped here, where
    // the line number of each record is known.
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
            .setIgnoreEmptyLines(false)
            .setTrim(true)
            .get();

    private final String source;
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final List<String> header;
    private final long headerLine;
    private CSVRecord row;
    private long line;

    CsvRows(Path file, String source) {
        this.source = source;
        Reader reader = null;
        try {
            // Bytes that are not UTF-8 become U+FFFD, so the cell they are in is refused with its line
            // and column (a strict decoder fails a whole buffer ahead of the parser).
            reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8
                    .newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)));
            this.parser = CSVParser.parse(reader, FORMAT);
        } catch (IOException e) {
            closeQuietly(reader);
            throw new UserException(source + ": cannot read: " + e.getMessage(), e);
        }
        this.records = parser.iterator();
        try {
            CSVRecord first = nextRecord();
            if (first == null) {
                throw new UserException(source + ": empty file; expected a header line such as date,HUFL,OT and rows "
                        + "of data");
            }
            this.headerLine = line;
            List<String> names = new ArrayList<>(first.toList());
            // A UTF-8 byte order mark (Excel's CSV export) is not part of the first name.
            names.set(0, names.get(0).replace("\uFEFF", "").strip());
            this.header = List.copyOf(names);
            TableRows.checkHeader(source, headerWhere(), header);
            refuseDataAsHeader();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public List<String> header() {
        return header;
    }

    @Override
    public String headerWhere() {
        return "line " + headerLine;
    }

    @Override
    public String positionWord() {
        return "line";
    }

    @Override
    public long position() {
        return line;
    }

    @Override
    public boolean next() {
        row = nextRecord();
        if (row == null) {
            return false;
        }
        if (row.size() < header.size()) {
            throw TableRows.error(source, where(), header.get(row.size()), "found " + row.size()
                    + " cells, the row ends before this column; expected " + header.size() + " cells as in the header");
        }
        if (row.size() > header.size()) {
            throw new UserException(source + ": " + where() + ", column " + (header.size() + 1) + " (after '"
                    + header.get(header.size() - 1) + "'): found " + row.size() + " cells; expected "
                    + header.size() + " cells as in the header");
        }
        return true;
    }

    @Override
    public void requireTimestamps(int column) {
        // Text holds anything; each cell is checked as it is read.
    }

    @Override
    public void requireNumbers(int column) {
        // As above.
    }

    @Override
    public void requireText(int column) {
        // As above.
    }

    @Override
    public long timestamp(int column) {
        String text = row.get(column);
        try {
            return Timestamps.parse(text);
        } catch (DateTimeException e) {
            throw TableRows.error(source, where(), header.get(column), "found "
                    + (text.isEmpty() ? "an empty cell" : quoted(text)) + "; expected " + Timestamps.EXPECTED);
        }
    }

    @Override
    public double number(int column) {
        String text = row.get(column);
        if (isMissing(text)) {
            return Double.NaN;
        }
        double value = parseNumber(text);
        if (Double.isNaN(value)) {
            throw TableRows.error(source, where(), header.get(column), "found " + quoted(text)
                    + "; expected a number (or an empty cell, NaN, NA or null for a missing value)");
        }
        return value;
    }

    @Override
    public String missingCell(int column) {
        String text = row.get(column);
        return text.isEmpty() ? "an empty cell" : "'" + text + "'";
    }

    @Override
    public String text(int column) {
        return row.get(column);
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException ignored) {
            // Read-only file: nothing is lost.
        }
    }

    /** {@code 'text'}, or what it is when its bytes were not UTF-8. */
    private static String quoted(String text) {
        return text.indexOf('\uFFFD') >= 0 ? "bytes that are not UTF-8 text" : "'" + text + "'";
    }

    /** Whether {@code text} is one of the spellings of a missing value. */
    static boolean isMissing(String text) {
        return text.isEmpty() || MISSING.contains(text.toLowerCase(Locale.ROOT));
    }

    /**
     * A finite decimal number in plain or scientific notation, or NaN for anything else. Java's own
     * parser also takes {@code Infinity}, hexadecimal and a type suffix ({@code 1.5f}); those are
     * refused, since no spreadsheet or pandas writes them for a value.
     */
    static double parseNumber(String text) {
        char last = text.charAt(text.length() - 1);
        if (!(Character.isDigit(last) || last == '.') || text.indexOf('x') >= 0 || text.indexOf('X') >= 0) {
            return Double.NaN;
        }
        try {
            double v = Double.parseDouble(text);
            return Double.isFinite(v) ? v : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The next record that is not a blank line, {@link #line} set to the line it starts on; null at the end. */
    private CSVRecord nextRecord() {
        long before = 0;
        try {
            while (true) {
                // The iterator reads a record only in hasNext(), so the count of line breaks read
                // before it is the number of lines above the record.
                before = parser.getCurrentLineNumber();
                if (!records.hasNext()) {
                    return null;
                }
                CSVRecord r = records.next();
                line = before + 1;
                if (r.size() == 1 && r.get(0).isEmpty()) {
                    continue;
                }
                return r;
            }
        } catch (UncheckedIOException | IllegalStateException e) {
            // Malformed quoting or bytes that are not UTF-8; Commons CSV names the line in its message.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String what = String.valueOf(cause.getMessage()).replaceFirst("^\\(startline \\d+\\)\\s*", "");
            throw new UserException(source + ": line " + (before + 1) + ": not readable as CSV: " + what
                    + "; expected comma-separated cells, any quoted cell (\") closed", e);
        }
    }

    /**
     * A header with a timestamp in it is a first row of data: the file has no header, and its first
     * row would otherwise be taken as column names. (Numbers are fine: Autoformer's electricity.csv
     * names its series 0, 1, 2, ...)
     */
    private void refuseDataAsHeader() {
        for (String name : header) {
            boolean data;
            try {
                Timestamps.parse(name);
                data = true;
            } catch (DateTimeException e) {
                data = false;
            }
            if (data) {
                throw TableRows.error(source, headerWhere(), name, "found data where the header should be; expected a "
                        + "header line naming the columns, such as date,HUFL,OT (or series,timestamp,value)");
            }
        }
    }

    private static void closeQuietly(Reader r) {
        if (r != null) {
            try {
                r.close();
            } catch (IOException ignored) {
                // Reporting the failure that led here.
            }
        }
    }
}
