package dev.chimera.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Arrow IPC file output for the batch commands (per-record likelihoods, embeddings, classes): a
 * {@link Writer} fills one record batch row by row and appends it to the file every
 * {@code rowsPerBatch} rows or on {@link Writer#flush()}, so long runs write as records complete.
 *
 * <p>The file is written under a temporary name in the target's folder; {@link Writer#commit()}
 * ends it, forces it to disk and renames it into place. A writer closed without a commit (an error
 * part-way) deletes the temporary file, so a reader never sees a partial table. Arrow's memory needs
 * {@code --add-opens=java.base/java.nio=ALL-UNNAMED} (in the launcher's and surefire's JVM flags).
 */
public final class ArrowTables {

    /** Column types. */
    public enum Kind {
        UTF8, INT32, INT64, FLOAT32, FLOAT64,
        /** A fixed-size list of float32, e.g. an embedding of width d. */
        FLOAT32_LIST
    }

    /** A non-nullable column; {@code width} is the list size of a {@code FLOAT32_LIST}, else 1. */
    public record Column(String name, Kind kind, int width) {
        public Column {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("column name must not be empty");
            }
            if (width < 1 || (kind != Kind.FLOAT32_LIST && width != 1)) {
                throw new IllegalArgumentException("column '" + name + "': width " + width + " is not valid for " + kind);
            }
        }

        public static Column utf8(String name) {
            return new Column(name, Kind.UTF8, 1);
        }

        public static Column int32(String name) {
            return new Column(name, Kind.INT32, 1);
        }

        public static Column int64(String name) {
            return new Column(name, Kind.INT64, 1);
        }

        public static Column float32(String name) {
            return new Column(name, Kind.FLOAT32, 1);
        }

        public static Column float64(String name) {
            return new Column(name, Kind.FLOAT64, 1);
        }

        /** A fixed-size list of {@code dim} float32 values. */
        public static Column embedding(String name, int dim) {
            return new Column(name, Kind.FLOAT32_LIST, dim);
        }

        Field field() {
            switch (kind) {
                case UTF8:
                    return Field.notNullable(name, ArrowType.Utf8.INSTANCE);
                case INT32:
                    return Field.notNullable(name, new ArrowType.Int(32, true));
                case INT64:
                    return Field.notNullable(name, new ArrowType.Int(64, true));
                case FLOAT32:
                    return Field.notNullable(name, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
                case FLOAT64:
                    return Field.notNullable(name, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
                default:
                    return new Field(name, FieldType.notNullable(new ArrowType.FixedSizeList(width)),
                            List.of(Field.notNullable("item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))));
            }
        }
    }

    private ArrowTables() {
    }

    /** The Arrow schema of {@code columns}, with {@code metadata} (e.g. the command and its inputs). */
    public static Schema schema(List<Column> columns, Map<String, String> metadata) {
        List<Field> fields = new ArrayList<>();
        for (Column c : columns) {
            fields.add(c.field());
        }
        return new Schema(fields, metadata);
    }

    /** Starts a table at {@code target} (written under a temporary name until {@link Writer#commit()}). */
    public static Writer create(Path target, List<Column> columns, int rowsPerBatch, Map<String, String> metadata) {
        return new Writer(target, columns, rowsPerBatch, metadata);
    }

    /** Writes rows: set every column, {@link #endRow()}, repeat; then {@link #commit()}. */
    public static final class Writer implements AutoCloseable {
        private final Path target;
        private final Path temp;
        private final List<Column> columns;
        private final int rowsPerBatch;
        private final BufferAllocator allocator;
        private final VectorSchemaRoot root;
        private final FileChannel channel;
        private final ArrowFileWriter writer;
        private final boolean[] filled;
        private int pending;
        private long rows;
        private int batches;
        private boolean done;

        private Writer(Path target, List<Column> columns, int rowsPerBatch, Map<String, String> metadata) {
            if (rowsPerBatch < 1) {
                throw new IllegalArgumentException("rowsPerBatch must be >= 1, got " + rowsPerBatch);
            }
            if (columns.isEmpty()) {
                throw new IllegalArgumentException("a table needs at least one column");
            }
            this.target = target.toAbsolutePath();
            this.columns = List.copyOf(columns);
            this.rowsPerBatch = rowsPerBatch;
            this.filled = new boolean[columns.size()];
            Path dir = this.target.getParent();
            BufferAllocator a = null;
            VectorSchemaRoot r = null;
            FileChannel ch = null;
            Path t = null;
            try {
                Files.createDirectories(dir);
                t = Files.createTempFile(dir, "." + this.target.getFileName() + ".", ".tmp");
                ch = FileChannel.open(t, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                a = new RootAllocator();
                r = VectorSchemaRoot.create(schema(columns, metadata), a);
                r.allocateNew();
                ArrowFileWriter w = new ArrowFileWriter(r, null, ch);
                w.start();
                this.temp = t;
                this.channel = ch;
                this.allocator = a;
                this.root = r;
                this.writer = w;
            } catch (IOException | RuntimeException e) {
                closeQuietly(r);
                closeQuietly(a);
                closeQuietly(ch);
                deleteQuietly(t);
                if (e instanceof IOException) {
                    throw new UncheckedIOException("cannot create " + target + ": " + e.getMessage(), (IOException) e);
                }
                throw (RuntimeException) e;
            }
        }

        /** The index of the column named {@code name}. */
        public int column(String name) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(name)) {
                    return i;
                }
            }
            throw new IllegalArgumentException("no column '" + name + "' in " + target.getFileName());
        }

        /** Sets a UTF8 column of the current row. */
        public Writer set(int column, String value) {
            ((VarCharVector) vector(column, Kind.UTF8)).setSafe(pending, value.getBytes(StandardCharsets.UTF_8));
            filled[column] = true;
            return this;
        }

        /** Sets an INT32 or INT64 column of the current row. */
        public Writer set(int column, long value) {
            Kind k = columns.get(checkColumn(column)).kind();
            if (k == Kind.INT32) {
                if (value != (int) value) {
                    throw new IllegalArgumentException("column '" + columns.get(column).name() + "': " + value
                            + " does not fit int32");
                }
                ((IntVector) vector(column, Kind.INT32)).setSafe(pending, (int) value);
            } else {
                ((BigIntVector) vector(column, Kind.INT64)).setSafe(pending, value);
            }
            filled[column] = true;
            return this;
        }

        /** Sets a FLOAT32 or FLOAT64 column of the current row. */
        public Writer set(int column, double value) {
            Kind k = columns.get(checkColumn(column)).kind();
            if (k == Kind.FLOAT32) {
                ((Float4Vector) vector(column, Kind.FLOAT32)).setSafe(pending, (float) value);
            } else {
                ((Float8Vector) vector(column, Kind.FLOAT64)).setSafe(pending, value);
            }
            filled[column] = true;
            return this;
        }

        /** Sets a FLOAT32_LIST column of the current row; {@code values} must have the column's width. */
        public Writer set(int column, float[] values) {
            FixedSizeListVector list = (FixedSizeListVector) vector(column, Kind.FLOAT32_LIST);
            int width = columns.get(column).width();
            if (values.length != width) {
                throw new IllegalArgumentException("column '" + columns.get(column).name() + "' holds " + width
                        + " values per row, got " + values.length);
            }
            int offset = list.startNewValue(pending);
            Float4Vector data = (Float4Vector) list.getDataVector();
            for (int i = 0; i < width; i++) {
                data.setSafe(offset + i, values[i]);
            }
            filled[column] = true;
            return this;
        }

        /** Ends the current row (every column must be set); appends a batch when it holds rowsPerBatch rows. */
        public void endRow() {
            checkOpen();
            for (int i = 0; i < filled.length; i++) {
                if (!filled[i]) {
                    throw new IllegalStateException("column '" + columns.get(i).name() + "' not set in row " + rows);
                }
            }
            java.util.Arrays.fill(filled, false);
            pending++;
            rows++;
            if (pending == rowsPerBatch) {
                flush();
            }
        }

        /** Appends the completed rows not yet written as one record batch (nothing if there are none). */
        public void flush() {
            checkOpen();
            if (pending == 0) {
                return;
            }
            root.setRowCount(pending);
            try {
                writer.writeBatch();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + temp + ": " + e.getMessage(), e);
            }
            batches++;
            pending = 0;
            root.allocateNew();
        }

        /** Rows completed so far. */
        public long rows() {
            return rows;
        }

        /** Record batches written so far. */
        public int batches() {
            return batches;
        }

        public Path target() {
            return target;
        }

        /** Writes the last batch and the footer, forces the file to disk and renames it to the target. */
        public void commit() {
            checkOpen();
            for (boolean f : filled) {
                if (f) {
                    throw new IllegalStateException("commit with a row begun but not ended (row " + rows + ")");
                }
            }
            flush();
            try {
                writer.end();
                channel.force(true);
            } catch (IOException e) {
                close();
                throw new UncheckedIOException("cannot finish " + target + ": " + e.getMessage(), e);
            }
            done = true;
            closeQuietly(writer);
            root.close();
            allocator.close();
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                deleteQuietly(temp);
                throw new UncheckedIOException("cannot rename " + temp + " to " + target + ": " + e.getMessage(), e);
            }
            try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException ignored) {
                // Some file systems cannot sync a directory; the rename itself is atomic.
            }
        }

        /** Without a {@link #commit()}: discards the temporary file, leaving no output. */
        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            closeQuietly(writer);
            closeQuietly(root);
            closeQuietly(allocator);
            closeQuietly(channel);
            deleteQuietly(temp);
        }

        private int checkColumn(int column) {
            checkOpen();
            if (column < 0 || column >= columns.size()) {
                throw new IllegalArgumentException("column " + column + " outside 0.." + (columns.size() - 1));
            }
            return column;
        }

        private FieldVector vector(int column, Kind kind) {
            Column c = columns.get(checkColumn(column));
            if (c.kind() != kind) {
                throw new IllegalArgumentException("column '" + c.name() + "' is " + c.kind() + ", not " + kind);
            }
            return root.getVector(column);
        }

        private void checkOpen() {
            if (done) {
                throw new IllegalStateException(target + ": writer already committed or closed");
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // Cleaning up after a failure that is being reported.
            }
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // As above.
            }
        }
    }
}
