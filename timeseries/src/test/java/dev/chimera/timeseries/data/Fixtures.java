package dev.chimera.timeseries.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Files and assertions the data tests share. */
final class Fixtures {

    /** 2016-07-01 00:00:00 UTC, ETTh1's first timestamp. */
    static final long JULY_1_2016 = 1_467_331_200L;

    private Fixtures() {
    }

    /** Writes {@code lines}, each ended by a newline, to {@code dir/name}. */
    static Path text(Path dir, String name, String... lines) {
        Path file = dir.resolve(name);
        try {
            Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** The one-line user error that reading {@code file} gives; checks that it names the file. */
    static String failure(Path file, ReadOptions options) {
        UserException e = assertThrows(UserException.class, () -> SeriesFiles.read(file, options));
        String message = e.getMessage();
        assertFalse(message.contains("\n"), () -> "one line: " + message);
        assertTrue(message.startsWith(file.toString() + ": "), () -> "names the file first: " + message);
        return message;
    }

    static String failure(Path file) {
        return failure(file, ReadOptions.defaults());
    }

    /** Asserts that {@code message} names the line (or row) and column, as {@code <where>, column '<column>'}. */
    static void assertAt(String message, String where, String column) {
        assertTrue(message.contains(": " + where + ", column '" + column + "': "),
                () -> "names " + where + " and column '" + column + "': " + message);
    }

    /** The same grid, columns and values (NaN equal to NaN); name and source may differ. */
    static void assertSameSeries(SeriesTable expected, SeriesTable actual) {
        assertEquals(expected.columns(), actual.columns());
        assertEquals(expected.step(), actual.step());
        assertArrayEquals(expected.timestamps(), actual.timestamps());
        for (int c = 0; c < expected.seriesCount(); c++) {
            assertArrayEquals(expected.values()[c], actual.values()[c], 0.0, "column " + expected.columns().get(c));
        }
    }

    /** A table on an hourly grid from {@link #JULY_1_2016}. */
    static SeriesTable hourly(List<String> columns, double[][] values) {
        long[] t = new long[values[0].length];
        for (int i = 0; i < t.length; i++) {
            t[i] = JULY_1_2016 + 3600L * i;
        }
        return new SeriesTable("table", "table.csv", t, Duration.ofHours(1), columns, values);
    }
}
