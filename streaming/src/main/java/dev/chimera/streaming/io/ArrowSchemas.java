package dev.chimera.streaming.io;

import java.util.List;
import java.util.StringJoiner;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Arrow schemas of the stream consumer's Arrow input (observations) and output (forecasts),
 * both carried as Arrow IPC streams (the streaming format: a schema message, then record batches).
 *
 * <h2>Observations, read by {@link ArrowInputSource}</h2>
 * Columns are found by name, in any order:
 * <pre>
 *   series     Utf8 (or LargeUtf8)      the series id; a null or empty id refuses the row
 *   timestamp  Int64 epoch seconds UTC  (any integer width), or an Arrow Timestamp of any unit, with
 *                                       or without a time zone (the stored instant is UTC; a zone-less
 *                                       one is taken as UTC), holding whole seconds; null refuses the row
 *   values     List&lt;Float64&gt;           one value per channel (Float32 or Float16 items are widened);
 *                                       a null item is a missing value (NaN), a null or empty list refuses the row
 *     or instead of values:
 *   one or more number columns           Float64, Float32 or any integer: the row's values are these
 *                                       columns in schema order, one channel each; a null is NaN
 *   appended   Int64, optional          epoch microseconds when the producer appended the row; null: unknown
 * </pre>
 * A column of another name or type, a {@code values} list next to number columns, or a
 * dictionary-encoded column makes the schema unreadable: each of its rows is then refused with the
 * reason. {@link #observations()} is the schema {@link ArrowObservationWriter} writes (the list form).
 *
 * <h2>Forecasts, written by {@link ArrowForecastSink}</h2>
 * One row per {@link dev.chimera.streaming.record.ForecastRecord}; no column or item is null:
 * <pre>
 *   series       Utf8                 the series id
 *   input_index  Int64                the input index of the observation it answers
 *   timestamp    Int64                epoch seconds UTC of the first forecast point
 *   horizon      Int32                H, points per channel
 *   channels     Int32                C
 *   point        List&lt;Float64&gt;        C*H values, channel-major: point t of channel c is item c*H + t
 *   levels       List&lt;Float64&gt;        the quantile levels, increasing in (0, 1); may be empty
 *   quantiles    List&lt;List&lt;Float64&gt;&gt;  one list of C*H values (channel-major) per level, in the order of levels
 * </pre>
 * List items are named {@code item}, as pyarrow names them. A forecast file has no end-of-stream
 * marker between its batches: see {@link ArrowForecastSink} for when one ends it.
 */
public final class ArrowSchemas {

    private static final Schema FORECASTS = new Schema(List.of(
            column("series", ArrowType.Utf8.INSTANCE),
            column("input_index", new ArrowType.Int(64, true)),
            column("timestamp", new ArrowType.Int(64, true)),
            column("horizon", new ArrowType.Int(32, true)),
            column("channels", new ArrowType.Int(32, true)),
            doubles("point"),
            doubles("levels"),
            new Field("quantiles", FieldType.notNullable(ArrowType.List.INSTANCE), List.of(doubles("item")))));

    private static final Schema OBSERVATIONS = new Schema(List.of(
            column("series", ArrowType.Utf8.INSTANCE),
            column("timestamp", new ArrowType.Int(64, true)),
            doubles("values"),
            new Field("appended", FieldType.nullable(new ArrowType.Int(64, true)), null)));

    private ArrowSchemas() {
    }

    /** The schema of the forecast streams {@link ArrowForecastSink} writes. */
    public static Schema forecasts() {
        return FORECASTS;
    }

    /** The schema of the observation streams {@link ArrowObservationWriter} writes (values as a list). */
    public static Schema observations() {
        return OBSERVATIONS;
    }

    /**
     * Whether two schemas have the same column names and types in the same order, list items
     * included; nullability, item names and metadata aside (another writer may name or flag them otherwise).
     */
    static boolean sameShape(Schema a, Schema b) {
        return sameFields(a.getFields(), b.getFields(), true);
    }

    private static boolean sameFields(List<Field> a, List<Field> b, boolean compareNames) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            Field x = a.get(i);
            Field y = b.get(i);
            if ((compareNames && !x.getName().equals(y.getName())) || !x.getType().equals(y.getType())
                    || (x.getDictionary() == null) != (y.getDictionary() == null)
                    || !sameFields(x.getChildren(), y.getChildren(), false)) {
                return false;
            }
        }
        return true;
    }

    /** The columns of {@code schema} on one line, as {@code series: Utf8, timestamp: Int(64, true)}. */
    static String describe(Schema schema) {
        StringJoiner columns = new StringJoiner(", ");
        columns.setEmptyValue("no columns");
        for (Field f : schema.getFields()) {
            columns.add(describe(f));
        }
        return columns.toString();
    }

    private static String describe(Field f) {
        return f.getName() + ": " + typeText(f);
    }

    /** A column's type on one line, list items included, as {@code List<FloatingPoint(DOUBLE)>}. */
    static String typeText(Field f) {
        StringBuilder s = new StringBuilder(f.getType().toString());
        if (!f.getChildren().isEmpty()) {
            StringJoiner children = new StringJoiner(", ", "<", ">");
            for (Field child : f.getChildren()) {
                children.add(typeText(child));
            }
            s.append(children);
        }
        return f.getDictionary() == null ? s.toString() : "dictionary-encoded " + s;
    }

    private static Field column(String name, ArrowType type) {
        return new Field(name, FieldType.notNullable(type), null);
    }

    private static Field doubles(String name) {
        Field item = column("item", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
        return new Field(name, FieldType.notNullable(ArrowType.List.INSTANCE), List.of(item));
    }
}
