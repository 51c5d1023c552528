package dev.chimera.streaming.io;

import dev.chimera.streaming.record.Observation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Which columns of an input schema hold which field of an {@link Observation}, as
 * {@link ArrowSchemas} describes the observation schema, and the reading of one row by them. A
 * schema that does not fit is kept with the {@link #problem} every one of its rows is refused for.
 */
final class ObservationColumns {

    /**
     * Integer timestamps are epoch seconds; beyond the year 5000 (95.6e9 s) they are almost surely
     * milli-, micro- or nanoseconds, which would otherwise pass as dates far in the future.
     */
    private static final long MAX_EPOCH_SECONDS = 95_617_584_000L;

    private static final String EXPECTED = "expected columns series (Utf8), timestamp (Int64 epoch seconds or "
            + "Timestamp), values (List<Float64>) or number columns, and optionally appended (Int64 epoch microseconds)";

    /** A row that cannot be an observation; the message says why and what was expected. */
    static final class RefusedRow extends Exception {
        private static final long serialVersionUID = 1L;

        RefusedRow(String reason) {
            super(reason, null, false, false);
        }
    }

    private final String problem;
    private final int series;
    private final int timestamp;
    /** Timestamp units per second: 1 for integer epoch seconds. */
    private final long perSecond;
    /** The {@code values} list column, or -1 when the values are number columns. */
    private final int valuesList;
    private final int[] valueColumns;
    /** The {@code appended} column, or -1. */
    private final int appended;

    private ObservationColumns(String problem, int series, int timestamp, long perSecond, int valuesList,
                               int[] valueColumns, int appended) {
        this.problem = problem;
        this.series = series;
        this.timestamp = timestamp;
        this.perSecond = perSecond;
        this.valuesList = valuesList;
        this.valueColumns = valueColumns;
        this.appended = appended;
    }

    /** Columns whose rows are all refused for {@code problem}. */
    static ObservationColumns unreadable(String problem) {
        return new ObservationColumns(problem, -1, -1, 1, -1, new int[0], -1);
    }

    /** The columns of {@code schema}, or an {@link #unreadable} schema saying what does not fit. */
    static ObservationColumns of(Schema schema) {
        List<Field> fields = schema.getFields();
        int series = -1;
        int timestamp = -1;
        int valuesList = -1;
        int appended = -1;
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            ArrowType type = f.getType();
            String name = f.getName();
            boolean named = name.equals("series") || name.equals("timestamp") || name.equals("values")
                    || name.equals("appended");
            if (named && fields.stream().filter(g -> g.getName().equals(name)).count() > 1) {
                return unreadable("the schema has two columns named '" + name + "'; " + EXPECTED);
            }
            if (f.getDictionary() != null) {
                return unreadable("column '" + name + "' is dictionary-encoded; expected plain columns (decode it: "
                        + "a series id as Utf8)");
            }
            String wrongType = switch (name) {
                case "series" -> type instanceof ArrowType.Utf8 || type instanceof ArrowType.LargeUtf8 ? null : "Utf8";
                case "timestamp" -> type instanceof ArrowType.Int || type instanceof ArrowType.Timestamp ? null
                        : "Int64 epoch seconds or Timestamp";
                case "values" -> type instanceof ArrowType.List
                        && f.getChildren().get(0).getType() instanceof ArrowType.FloatingPoint ? null : "List<Float64>";
                case "appended" -> type instanceof ArrowType.Int ? null : "Int64 epoch microseconds";
                default -> type instanceof ArrowType.FloatingPoint || type instanceof ArrowType.Int ? null
                        : "a number column (Float64, Float32 or Int) holding a channel's values";
            };
            if (wrongType != null) {
                return unreadable("column '" + name + "' is " + ArrowSchemas.typeText(f) + "; expected " + wrongType);
            }
            switch (name) {
                case "series" -> series = i;
                case "timestamp" -> timestamp = i;
                case "values" -> valuesList = i;
                case "appended" -> appended = i;
                default -> numbers.add(i);
            }
        }
        if (series < 0 || timestamp < 0) {
            return unreadable("the schema has no '" + (series < 0 ? "series" : "timestamp") + "' column; " + EXPECTED);
        }
        if (valuesList >= 0 && !numbers.isEmpty()) {
            return unreadable("the schema has a 'values' list and number columns ('" + fields.get(numbers.get(0))
                    .getName() + "'); expected one or the other");
        }
        if (valuesList < 0 && numbers.isEmpty()) {
            return unreadable("the schema has no values; " + EXPECTED);
        }
        ArrowType timeType = fields.get(timestamp).getType();
        long perSecond = timeType instanceof ArrowType.Timestamp t ? perSecond(t.getUnit()) : 1;
        return new ObservationColumns(null, series, timestamp, perSecond, valuesList,
                numbers.stream().mapToInt(Integer::intValue).toArray(), appended);
    }

    /** Why no row of this schema can be read, or null when rows can be. */
    String problem() {
        return problem;
    }

    /**
     * Row {@code row} of a batch of this schema as an observation.
     *
     * @throws RefusedRow if the row has no series id or timestamp, or no values
     */
    Observation observation(VectorSchemaRoot root, int row) throws RefusedRow {
        String id = seriesId(root.getVector(series), row);
        long seconds = seconds(root.getVector(timestamp), row);
        double[] values = valuesList >= 0 ? listValues((ListVector) root.getVector(valuesList), row)
                : columnValues(root, row);
        FieldVector appendedVector = appended < 0 ? null : root.getVector(appended);
        long appendedMicros = appendedVector == null || appendedVector.isNull(row) ? 0
                : ((BaseIntVector) appendedVector).getValueAsLong(row);
        return new Observation(id, seconds, values, appendedMicros);
    }

    /** Row {@code row} as text, for a refused row: {@code {series: OT, timestamp: null, values: [1.0]}}. */
    static String rowText(VectorSchemaRoot root, int row) {
        StringJoiner text = new StringJoiner(", ", "{", "}");
        for (FieldVector v : root.getFieldVectors()) {
            text.add(v.getName() + ": " + v.getObject(row));
        }
        return text.toString();
    }

    private static String seriesId(FieldVector v, int row) throws RefusedRow {
        if (v.isNull(row)) {
            throw new RefusedRow("series is null; expected a series id (Utf8 text)");
        }
        byte[] bytes = v instanceof VarCharVector text ? text.get(row) : ((LargeVarCharVector) v).get(row);
        if (bytes.length == 0) {
            throw new RefusedRow("series is empty; expected a series id (Utf8 text)");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private long seconds(FieldVector v, int row) throws RefusedRow {
        if (v.isNull(row)) {
            throw new RefusedRow("timestamp is null; expected epoch seconds");
        }
        if (v instanceof TimeStampVector stamps) {
            long value = stamps.get(row);
            if (Math.floorMod(value, perSecond) != 0) {
                throw new RefusedRow("timestamp " + value + " (" + ((ArrowType.Timestamp) v.getField().getType())
                        .getUnit() + ") has a fraction of a second; expected whole seconds");
            }
            return Math.floorDiv(value, perSecond);
        }
        long seconds = ((BaseIntVector) v).getValueAsLong(row);
        if (Math.abs(seconds) > MAX_EPOCH_SECONDS) {
            throw new RefusedRow("timestamp " + seconds + " is past the year 5000 as epoch seconds; expected epoch "
                    + "seconds (milli-, micro- or nanoseconds need an Arrow Timestamp column of that unit)");
        }
        return seconds;
    }

    private static double[] listValues(ListVector list, int row) throws RefusedRow {
        if (list.isNull(row)) {
            throw new RefusedRow("values is null; expected a list of one value per channel");
        }
        int start = list.getElementStartIndex(row);
        int end = list.getElementEndIndex(row);
        if (end == start) {
            throw new RefusedRow("values is empty; expected a list of one value per channel");
        }
        FieldVector items = list.getDataVector();
        double[] values = new double[end - start];
        for (int i = start; i < end; i++) {
            values[i - start] = items.isNull(i) ? Double.NaN : ((FloatingPointVector) items).getValueAsDouble(i);
        }
        return values;
    }

    private double[] columnValues(VectorSchemaRoot root, int row) {
        double[] values = new double[valueColumns.length];
        for (int c = 0; c < values.length; c++) {
            FieldVector v = root.getVector(valueColumns[c]);
            values[c] = v.isNull(row) ? Double.NaN : v instanceof FloatingPointVector f ? f.getValueAsDouble(row)
                    : ((BaseIntVector) v).getValueAsLong(row);
        }
        return values;
    }

    private static long perSecond(TimeUnit unit) {
        return switch (unit) {
            case SECOND -> 1L;
            case MILLISECOND -> 1_000L;
            case MICROSECOND -> 1_000_000L;
            case NANOSECOND -> 1_000_000_000L;
        };
    }
}
