package dev.chimera.streaming.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.streaming.record.Observation;
import org.junit.jupiter.api.Test;

/** The input format: what a line becomes, and the one-line reason when it cannot. */
class ObservationCsvTest {
    private final ObservationCsv twoValues = ObservationCsv.fromHeader("series,timestamp,load,temp");

    @Test
    void aLineIsAnObservationWithEpochOrIsoTimestampsAndEmptyValuesMissing() throws Exception {
        assertEquals(2, twoValues.values());
        Observation a = twoValues.parse("ETTh1, 1483228800 ,1.5,-2e-3");
        assertEquals("ETTh1", a.series());
        assertEquals(1_483_228_800L, a.timestamp());
        assertArrayEquals(new double[] {1.5, -0.002}, a.values());
        Observation b = twoValues.parse("b,2017-01-01T02:00:00+02:00,,NaN");
        assertEquals(1_483_228_800L, b.timestamp());
        assertTrue(Double.isNaN(b.values()[0]) && Double.isNaN(b.values()[1]));
    }

    @Test
    void eachMalformedLineSaysWhatIsWrongAndWhatWasExpected() {
        assertReason("", "an empty line; expected series,timestamp,value,value (4 fields, as in the header)");
        assertReason("a,1483228800,1.0", "3 fields; expected series,timestamp,value,value (4 fields, as in the header)");
        assertReason(" ,1483228800,1,2", "an empty series id; expected series,timestamp,value,value");
        assertReason("a,yesterday,1,2", "timestamp 'yesterday' is neither epoch seconds nor ISO-8601 such as "
                + "2017-01-01T00:00:00Z");
        assertReason("a,2017-01-01T00:00:00.250Z,1,2", "timestamp '2017-01-01T00:00:00.250Z' has a fraction of a "
                + "second; expected whole seconds");
        assertReason("a,99999999999999999999,1,2", "timestamp '99999999999999999999' is out of range");
        assertReason("a,1483228800,1,x2", "value 2, 'x2', is not a number");
    }

    @Test
    void aHeaderIsRequiredAndNeedsAValueColumn() {
        IllegalArgumentException data = assertThrows(IllegalArgumentException.class,
                () -> ObservationCsv.fromHeader("a,1483228800,1.0"));
        assertEquals("the first line, 'a,1483228800,1.0', is data; expected a header series,timestamp,value[,value...] "
                + "before the data", data.getMessage());
        IllegalArgumentException narrow = assertThrows(IllegalArgumentException.class,
                () -> ObservationCsv.fromHeader("series,timestamp"));
        assertTrue(narrow.getMessage().contains("has 2 column(s)"), narrow.getMessage());
    }

    private void assertReason(String line, String reason) {
        ObservationCsv.MalformedLine e = assertThrows(ObservationCsv.MalformedLine.class, () -> twoValues.parse(line));
        assertTrue(e.getMessage().startsWith(reason), e.getMessage());
    }
}
