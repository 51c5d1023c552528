package dev.chimera.timeseries.data;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The rows of an Arrow IPC table, file format ({@link ArrowFileReader}) or streaming format
 * ({@link ArrowStreamReader}), one record batch in memory at a time. Rows are numbered from 1 over
 * all batches, as {@code row 12}.
 *
 * <p>Timestamp columns may be Timestamp (any unit, with or without a time zone: the stored instant is
 * UTC, a zone-less one is wall-clock time taken as UTC), Date (day or millisecond), an integer (epoch
 * seconds) or text (the forms {@link Timestamps} accepts). Value columns may be any floating-point or
 * integer type; a null or NaN is a missing value. Series ids may be text or integers, plain or
 * dictionary-encoded (pandas' categoricals).
 */
final class ArrowRows implements TableRows {

    /**
     * Integer timestamps are epoch seconds; beyond the year 5000 (95.6e9 s) they are almost surely
     * epoch milliseconds (2016 is 1.47e12 ms), which would otherwise pass as a 1000-hour grid.
     */
    static final long MAX_EPOCH_SECONDS = 95_617_584_000L;

    private final String source;
    private final BufferAllocator allocator;
    private final ArrowReader reader;
    private final VectorSchemaRoot root;
    private final List<String> header;
    private long row;
    private int batchRow;

    ArrowRows(Path file, String source, boolean stream) {
        this.source = source;
        BufferAllocator a = new RootAllocator();
        ArrowReader r = null;
        try {
            if (stream) {
                InputStream in = Files.newInputStream(file);
                r = new ArrowStreamReader(in, a);
            } else {
                r = new ArrowFileReader(FileChannel.open(file, StandardOpenOption.READ), a);
            }
            this.root = r.getVectorSchemaRoot();
        } catch (IOException | RuntimeException e) {
            closeQuietly(r);
            a.close();
            throw new UserException(source + ": not a readable Arrow IPC " + (stream ? "stream" : "file") + ": "
                    + e.getMessage(), e);
        }
        this.allocator = a;
        this.reader = r;
        List<String> names = new ArrayList<>();
        for (Field f : root.getSchema().getFields()) {
            names.add(f.getName().strip());
        }
        this.header = List.copyOf(names);
        this.batchRow = -1;
        try {
            TableRows.checkHeader(source, headerWhere(), header);
        } catch (UserException e) {
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
        return "the schema";
    }

    @Override
    public String positionWord() {
        return "row";
    }

    @Override
    public long position() {
        return row;
    }

    @Override
    public boolean next() {
        try {
            while (batchRow + 1 >= root.getRowCount()) {
                if (!reader.loadNextBatch()) {
                    return false;
                }
                batchRow = -1;
            }
        } catch (IOException | RuntimeException e) {
            throw new UserException(source + ": after row " + row + ": cannot read the next record batch: "
                    + e.getMessage(), e);
        }
        batchRow++;
        row++;
        return true;
    }

    @Override
    public void requireTimestamps(int column) {
        Field f = field(column);
        ArrowType t = f.getType();
        if (f.getDictionary() != null || !(t instanceof ArrowType.Timestamp || t instanceof ArrowType.Date
                || t instanceof ArrowType.Int || t instanceof ArrowType.Utf8 || t instanceof ArrowType.LargeUtf8)) {
            throw typeError(column, "a timestamp column (Timestamp, Date, int64 epoch seconds or utf8 text)");
        }
    }

    @Override
    public void requireNumbers(int column) {
        Field f = field(column);
        ArrowType t = f.getType();
        if (f.getDictionary() != null || !(t instanceof ArrowType.FloatingPoint || t instanceof ArrowType.Int)) {
            throw typeError(column, "a number column (float32, float64, int32 or int64)");
        }
    }

    @Override
    public void requireText(int column) {
        ArrowType t = field(column).getType();
        if (field(column).getDictionary() != null) {
            t = reader.lookup(field(column).getDictionary().getId()).getVectorType();
        }
        if (!(t instanceof ArrowType.Utf8 || t instanceof ArrowType.LargeUtf8 || t instanceof ArrowType.Int)) {
            throw typeError(column, "a series id column (utf8 text or integers)");
        }
    }

    @Override
    public long timestamp(int column) {
        FieldVector v = root.getVector(column);
        if (v.isNull(batchRow)) {
            throw TableRows.error(source, where(), header.get(column), "found null; expected a timestamp");
        }
        ArrowType t = v.getField().getType();
        if (t instanceof ArrowType.Timestamp) {
            long perSecond = perSecond(((ArrowType.Timestamp) t).getUnit());
            long value = ((TimeStampVector) v).get(batchRow);
            if (Math.floorMod(value, perSecond) != 0) {
                throw TableRows.error(source, where(), header.get(column), "found a timestamp with a fraction of a "
                        + "second (" + value + " " + ((ArrowType.Timestamp) t).getUnit() + "); expected whole seconds");
            }
            return Math.floorDiv(value, perSecond);
        }
        if (v instanceof DateDayVector) {
            return ((DateDayVector) v).get(batchRow) * 86_400L;
        }
        if (v instanceof DateMilliVector) {
            return Math.floorDiv(((DateMilliVector) v).get(batchRow), 1000L);
        }
        if (v instanceof BaseIntVector) {
            long seconds = ((BaseIntVector) v).getValueAsLong(batchRow);
            if (Math.abs(seconds) > MAX_EPOCH_SECONDS) {
                throw TableRows.error(source, where(), header.get(column), "found " + seconds + ", past the year 5000 "
                        + "as epoch seconds; expected epoch seconds (milli-, micro- or nanoseconds need an Arrow "
                        + "Timestamp column of that unit)");
            }
            return seconds;
        }
        String text = string(v);
        try {
            return Timestamps.parse(text);
        } catch (java.time.DateTimeException e) {
            throw TableRows.error(source, where(), header.get(column), "found '" + text + "'; expected "
                    + Timestamps.EXPECTED);
        }
    }

    @Override
    public double number(int column) {
        FieldVector v = root.getVector(column);
        if (v.isNull(batchRow)) {
            return Double.NaN;
        }
        if (v instanceof FloatingPointVector) {
            double x = ((FloatingPointVector) v).getValueAsDouble(batchRow);
            if (Double.isInfinite(x)) {
                throw TableRows.error(source, where(), header.get(column), "found " + x + "; expected a finite number");
            }
            return x;
        }
        return ((BaseIntVector) v).getValueAsLong(batchRow);
    }

    @Override
    public String missingCell(int column) {
        return root.getVector(column).isNull(batchRow) ? "null" : "NaN";
    }

    @Override
    public String text(int column) {
        FieldVector v = root.getVector(column);
        if (v.isNull(batchRow)) {
            throw TableRows.error(source, where(), header.get(column), "found null; expected a series id");
        }
        if (v.getField().getDictionary() != null) {
            Dictionary d = reader.lookup(v.getField().getDictionary().getId());
            int index = (int) ((BaseIntVector) v).getValueAsLong(batchRow);
            FieldVector values = d.getVector();
            return values instanceof BaseIntVector ? Long.toString(((BaseIntVector) values).getValueAsLong(index))
                    : String.valueOf(values.getObject(index));
        }
        return v instanceof BaseIntVector ? Long.toString(((BaseIntVector) v).getValueAsLong(batchRow)) : string(v);
    }

    @Override
    public void close() {
        closeQuietly(reader);
        allocator.close();
    }

    private String string(FieldVector v) {
        byte[] bytes = v instanceof VarCharVector ? ((VarCharVector) v).get(batchRow)
                : ((LargeVarCharVector) v).get(batchRow);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private Field field(int column) {
        return root.getSchema().getFields().get(column);
    }

    private UserException typeError(int column, String expected) {
        Field f = field(column);
        String found = f.getDictionary() != null ? "dictionary-encoded " + f.getType() : f.getType().toString();
        return TableRows.error(source, headerWhere(), header.get(column), "found type " + found + "; expected "
                + expected);
    }

    private static long perSecond(org.apache.arrow.vector.types.TimeUnit unit) {
        switch (unit) {
            case SECOND:
                return 1L;
            case MILLISECOND:
                return 1_000L;
            case MICROSECOND:
                return 1_000_000L;
            default:
                return 1_000_000_000L;
        }
    }

    private static void closeQuietly(ArrowReader r) {
        if (r != null) {
            try {
                r.close();
            } catch (IOException | RuntimeException ignored) {
                // Read-only file: nothing is lost; the allocator's close reports a leak.
            }
        }
    }
}
