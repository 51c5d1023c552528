package dev.chimera.timeseries.data;

import static dev.chimera.timeseries.data.Fixtures.assertAt;
import static dev.chimera.timeseries.data.Fixtures.failure;
import static dev.chimera.timeseries.data.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad input is one {@link UserException} of one line that names the file, the line as an
 * editor numbers it (header = 1) and the column, what was found and what was expected.
 */
class SeriesFileErrorsTest {

    @TempDir
    Path dir;

    private static final String H0 = "2016-07-01 00:00:00";
    private static final String H1 = "2016-07-01 01:00:00";
    private static final String H2 = "2016-07-01 02:00:00";
    private static final String H3 = "2016-07-01 03:00:00";

    @Test
    void missingFile() {
        String m = failure(dir.resolve("absent.csv"));
        assertTrue(m.contains("no such file"), m);
    }

    @Test
    void emptyFile() throws IOException {
        Path file = dir.resolve("empty.csv");
        Files.writeString(file, "");
        assertTrue(failure(file).contains("empty file"));
        assertTrue(failure(text(dir, "blank.csv", "", "  ", "")).contains("empty file"));
    }

    @Test
    void headerOnly() {
        String m = failure(text(dir, "header.csv", "date,OT"));
        assertTrue(m.contains("line 1: found the column names but no rows"), m);
        assertTrue(failure(text(dir, "long.csv", "series,timestamp,value")).contains("line 1: found the column names"));
    }

    @Test
    void noHeader() {
        String m = failure(text(dir, "noheader.csv", H0 + ",1.5", H1 + ",2.5"));
        assertAt(m, "line 1", H0);
        assertTrue(m.contains("found data where the header should be"), m);
        // Numbers are column names in electricity.csv (date,0,1,...,OT); without timestamps it is read.
        assertEquals(java.util.List.of("0", "1", "OT"),
                SeriesFiles.read(text(dir, "ecl.csv", "date,0,1,OT", H0 + ",1,2,3", H1 + ",4,5,6")).columns());
    }

    @Test
    void nonNumericCell() {
        String m = failure(text(dir, "text.csv", "date,HUFL,OT", H0 + ",1,2", H1 + ",1,abc"));
        assertAt(m, "line 3", "OT");
        assertTrue(m.contains("found 'abc'; expected a number"), m);
        assertAt(failure(text(dir, "inf.csv", "date,OT", H0 + ",Infinity", H1 + ",1")), "line 2", "OT");
        assertAt(failure(text(dir, "suffix.csv", "date,OT", H0 + ",1", H1 + ",1.5f")), "line 3", "OT");
    }

    @Test
    void unparsableTimestamp() {
        String m = failure(text(dir, "time.csv", "date,OT", H0 + ",1", "2016-13-01 00:00:00,2"));
        assertAt(m, "line 3", "date");
        assertTrue(m.contains("found '2016-13-01 00:00:00'; expected a timestamp"), m);
        assertAt(failure(text(dir, "feb.csv", "date,OT", H0 + ",1", "2016-02-30,2")), "line 3", "date");
        assertAt(failure(text(dir, "blankTime.csv", "date,OT", H0 + ",1", ",2")), "line 3", "date");
        assertAt(failure(text(dir, "fraction.csv", "date,OT", H0 + ",1", "2016-07-01 01:00:00.5,2")), "line 3", "date");
    }

    @Test
    void duplicateTimestamp() {
        String m = failure(text(dir, "dup.csv", "date,OT", H0 + ",1", H1 + ",2", H1 + ",3"));
        assertAt(m, "line 4", "date");
        assertTrue(m.contains("duplicate timestamp " + H1 + " (also on line 3)"), m);
        String longM = failure(text(dir, "duplong.csv", "series,timestamp,value",
                "a," + H0 + ",1", "a," + H1 + ",2", "b," + H0 + ",1", "a," + H1 + ",3"));
        assertAt(longM, "line 5", "timestamp");
        assertTrue(longM.contains("duplicate timestamp " + H1 + " for series 'a' (also on line 3)"), longM);
    }

    @Test
    void unorderedTimestamps() {
        String m = failure(text(dir, "order.csv", "date,OT", H0 + ",1", H2 + ",2", H1 + ",3"));
        assertAt(m, "line 4", "date");
        assertTrue(m.contains("out of order"), m);
        String longM = failure(text(dir, "orderlong.csv", "unique_id,ds,y", "a," + H1 + ",1", "a," + H0 + ",2"));
        assertAt(longM, "line 3", "ds");
        assertTrue(longM.contains("out of order"), longM);
    }

    @Test
    void differenceThatIsNotAMultipleOfTheStep() {
        String m = failure(text(dir, "odd.csv", "date,OT", H0 + ",1", H1 + ",2", H2 + ",3", "2016-07-01 03:30:00,4"));
        assertAt(m, "line 5", "date");
        assertTrue(m.contains("90min after " + H2 + " on line 4") && m.contains("inferred frequency 1h"), m);
    }

    @Test
    void targetNamesAColumnTheFileLacks() {
        String m = failure(text(dir, "t.csv", "date,HUFL,OT", H0 + ",1,2", H1 + ",1,2"),
                ReadOptions.defaults().withTarget("OT", "LULL"));
        assertAt(m, "line 1", "LULL");
        assertTrue(m.contains("not in the file (--target); available columns: HUFL, OT"), m);
        String time = failure(text(dir, "t2.csv", "date,OT", H0 + ",1", H1 + ",2"),
                ReadOptions.defaults().withTarget("date"));
        assertTrue(time.contains("is the timestamp column"), time);
        String longM = failure(text(dir, "t3.csv", "series,timestamp,value", "a," + H0 + ",1", "b," + H0 + ",2"),
                ReadOptions.defaults().withTarget("c"));
        assertAt(longM, "line 1", "series");
        assertTrue(longM.contains("no series 'c' (--target); available series: a, b"), longM);
        assertThrows(UserException.class, () -> ReadOptions.defaults().withTarget("OT", "OT"));
    }

    @Test
    void wrongNumberOfCells() {
        String few = failure(text(dir, "few.csv", "date,HUFL,OT", H0 + ",1,2", H1 + ",1"));
        assertAt(few, "line 3", "OT");
        assertTrue(few.contains("found 2 cells") && few.contains("expected 3 cells"), few);
        String many = failure(text(dir, "many.csv", "date,OT", H0 + ",1", H1 + ",2", H2 + ",3,4"));
        assertTrue(many.contains(": line 4, column 3 (after 'OT'): found 3 cells; expected 2"), many);
    }

    @Test
    void missingCellUnderTheDefaultPolicy() {
        String m = failure(text(dir, "na.csv", "date,HUFL,OT", H0 + ",1,2", H1 + ",NA,2"));
        assertAt(m, "line 3", "HUFL");
        assertTrue(m.contains("found 'NA', a missing value; expected a number, or pass --on-missing interpolate|mask"), m);
        String empty = failure(text(dir, "empty.csv", "date,OT", H0 + ",", H1 + ",2"));
        assertAt(empty, "line 2", "OT");
        assertTrue(empty.contains("found an empty cell"), empty);
        String longM = failure(text(dir, "nalong.csv", "series,timestamp,value", "a," + H0 + ",1", "a," + H1 + ",null"));
        assertAt(longM, "line 3", "value");
        assertTrue(longM.contains("--on-missing interpolate|mask"), longM);
    }

    @Test
    void gapUnderTheDefaultPolicy() {
        String m = failure(text(dir, "gap.csv", "date,OT", H0 + ",1", H1 + ",2", "2016-07-01 04:00:00,3", "2016-07-01 05:00:00,4"));
        assertAt(m, "line 4", "date");
        assertTrue(m.contains("gap of 2 missing rows of the 1h grid between " + H1 + " (line 3)"), m);
        assertTrue(m.endsWith("or pass --on-missing interpolate|mask"), m);
    }

    @Test
    void longSeriesWithoutATimestampAnotherHas() {
        String m = failure(text(dir, "ragged.csv", "series,timestamp,value",
                "a," + H0 + ",1", "a," + H1 + ",2", "a," + H2 + ",3", "b," + H0 + ",1", "b," + H2 + ",3"));
        assertAt(m, "line 3", "timestamp");
        assertTrue(m.contains("series 'b' has no row for " + H1 + ", which series 'a' has here"), m);
    }

    @Test
    void columnWithNoValueCannotBeInterpolated() {
        String m = failure(text(dir, "allna.csv", "date,x,y", H0 + ",1,", H1 + ",2,NA"),
                ReadOptions.defaults().withOnMissing(MissingPolicy.INTERPOLATE));
        assertTrue(m.contains("column 'y': found no value in any of 2 rows (line 2 to line 3)"), m);
    }

    @Test
    void headerProblems() {
        String dupe = failure(text(dir, "dupe.csv", "date,OT,OT", H0 + ",1,2"));
        assertAt(dupe, "line 1", "OT");
        assertTrue(failure(text(dir, "unnamed.csv", "date,,OT", H0 + ",1,2")).contains("line 1, column 2: found an empty "
                + "column name"));
        assertAt(failure(text(dir, "onlytime.csv", "date", H0, H1)), "line 1", "date");
    }

    @Test
    void singleRow() {
        assertAt(failure(text(dir, "one.csv", "date,OT", H0 + ",1")), "line 2", "date");
    }

    @Test
    void runawayGridFromAMistypedYear() {
        String m = failure(text(dir, "year.csv", "date,OT", H0 + ",1", H1 + ",2", H2 + ",3", H3 + ",4",
                "2061-07-01 04:00:00,5"), ReadOptions.defaults().withOnMissing(MissingPolicy.MASK));
        assertAt(m, "line 6", "date");
        assertTrue(m.contains("mistyped"), m);
    }

    @Test
    void lineNumbersCountBlankLinesAndQuotedLineBreaks() {
        // The quoted note spans lines 3 and 4; a blank line 5; the bad cell is on line 6.
        String m = failure(text(dir, "lines.csv", "date,OT,note", H0 + ",1,x", H1 + ",2,\"two", "lines\"", "",
                H2 + ",bad,y"), ReadOptions.defaults().withTarget("OT"));
        assertAt(m, "line 6", "OT");
    }

    @Test
    void malformedQuotingAndBinary() throws IOException {
        String m = failure(text(dir, "quote.csv", "date,OT", H0 + ",1", H1 + ",\"2", "2016-07-01 02:00:00,3"));
        assertTrue(m.contains(": line 3: not readable as CSV: EOF reached before encapsulated token finished"), m);
        Path binary = dir.resolve("bytes.csv");
        Files.write(binary, new byte[] {'d', ',', 'x', '\n', '2', '0', '1', '6', '-', '0', '7', '-', '0', '1', ',', '1', '\n',
            '2', '0', '1', '6', '-', '0', '7', '-', '0', '2', ',', (byte) 0xff, (byte) 0xfe, '\n'});
        String b = failure(binary);
        assertAt(b, "line 3", "x");
        assertTrue(b.contains("found bytes that are not UTF-8 text"), b);
        Path gzip = dir.resolve("x.csv.gz");
        Files.write(gzip, new byte[] {0x1f, (byte) 0x8b, 8, 0});
        assertTrue(failure(gzip).contains("gzip"));
    }

    @Test
    void missingPolicyIsParsedFromTheOption() {
        assertEquals(MissingPolicy.INTERPOLATE, MissingPolicy.parse("interpolate"));
        assertEquals(MissingPolicy.MASK, MissingPolicy.parse(" MASK "));
        UserException e = assertThrows(UserException.class, () -> MissingPolicy.parse("drop"));
        assertTrue(e.getMessage().startsWith("--on-missing 'drop': expected error, interpolate or mask"));
    }
}
