package dev.chimera.timeseries.data;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes Arrow IPC test files with Arrow's own writers, for the column types that
 * {@link dev.chimera.runtime.ArrowTables} does not write (timestamps, dates, nulls) and for the
 * streaming format.
 */
final class ArrowFixtures {

    /** Sets row {@code row} of the table at index {@code index} of the vector's current batch. */
    interface Cell {
        void set(FieldVector vector, int index, int row);
    }

    /** A column: its field and how to fill each row. */
    record Column(Field field, Cell cell) {
    }

    private ArrowFixtures() {
    }

    /** Writes {@code rows} rows in batches of {@code batchRows}, as a file or a stream. */
    static Path write(Path file, boolean stream, int rows, int batchRows, List<Column> columns) {
        return write(file, stream, rows, batchRows, columns, null);
    }

    /** As above, with the dictionaries of dictionary-encoded columns. */
    static Path write(Path file, boolean stream, int rows, int batchRows, List<Column> columns,
                      DictionaryProvider dictionaries) {
        List<Field> fields = new ArrayList<>();
        for (Column c : columns) {
            fields.add(c.field());
        }
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator)) {
            if (stream) {
                try (OutputStream out = Files.newOutputStream(file);
                     ArrowStreamWriter writer = new ArrowStreamWriter(root, dictionaries, out)) {
                    fill(writer, root, rows, batchRows, columns);
                }
            } else {
                try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                     ArrowFileWriter writer = new ArrowFileWriter(root, dictionaries, out)) {
                    fill(writer, root, rows, batchRows, columns);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static void fill(ArrowWriter writer, VectorSchemaRoot root, int rows, int batchRows, List<Column> columns)
            throws IOException {
        writer.start();
        for (int from = 0; from < rows; from += batchRows) {
            int count = Math.min(batchRows, rows - from);
            root.allocateNew();
            for (int c = 0; c < columns.size(); c++) {
                FieldVector v = root.getVector(c);
                for (int i = 0; i < count; i++) {
                    columns.get(c).cell().set(v, i, from + i);
                }
                v.setValueCount(count);
            }
            root.setRowCount(count);
            writer.writeBatch();
        }
        writer.end();
    }
}
