package dev.chimera.robotics.data;

import dev.chimera.runtime.ArrowTables;
import dev.chimera.runtime.ArrowTables.Column;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Demonstrations as an Arrow IPC table, columns of {@link DemoSchema}: indices int64, the success
 * flag int32, the rest float64 (so a round trip is bit-exact). Written in the IPC file format through
 * {@link ArrowTables} (temporary file, fsync, rename); read from the file format or the streaming
 * format (told apart by the file format's leading magic bytes), with any integer or floating-point
 * column type. Rows are numbered from 1 over all record batches in errors ("record 12").
 */
final class DemoArrow {
    private static final int ROWS_PER_BATCH = 8192;
    private static final byte[] FILE_MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

    private DemoArrow() {
    }

    static void write(Path file, List<Episode> episodes, double rateHz) {
        List<Column> columns = new ArrayList<>();
        for (int c = 0; c < DemoSchema.COLUMNS.size(); c++) {
            String name = DemoSchema.COLUMNS.get(c);
            columns.add(c == DemoSchema.SUCCESS_COLUMN ? Column.int32(name)
                    : DemoSchema.whole(c) ? Column.int64(name) : Column.float64(name));
        }
        Map<String, String> metadata = Map.of("rate_hz", Double.toString(rateHz));
        try (ArrowTables.Writer writer = ArrowTables.create(file, columns, ROWS_PER_BATCH, metadata)) {
            double[] row = new double[columns.size()];
            for (Episode e : episodes) {
                for (int t = 0; t < e.frames(); t++) {
                    DemoSchema.row(e, t, rateHz, row);
                    for (int c = 0; c < row.length; c++) {
                        if (DemoSchema.whole(c)) {
                            writer.set(c, (long) row[c]);
                        } else {
                            writer.set(c, row[c]);
                        }
                    }
                    writer.endRow();
                }
            }
            writer.commit();
        }
    }

    static List<Episode> read(Path file, double rateHz) {
        String source = file.toString();
        boolean fileFormat = startsWithMagic(file, source);
        try (BufferAllocator allocator = new RootAllocator();
                ArrowReader reader = fileFormat
                        ? new ArrowFileReader(FileChannel.open(file, StandardOpenOption.READ), allocator)
                        : new ArrowStreamReader(Files.newInputStream(file), allocator)) {
            VectorSchemaRoot root = readSchema(reader, source, fileFormat);
            List<Field> fields = root.getSchema().getFields();
            List<String> names = new ArrayList<>();
            for (Field f : fields) {
                names.add(f.getName());
            }
            int[] columns = DemoSchema.locate(names, source, "the schema");
            for (int i = 0; i < columns.length; i++) {
                ArrowType type = fields.get(columns[i]).getType();
                if (fields.get(columns[i]).getDictionary() != null
                        || !(type instanceof ArrowType.Int || type instanceof ArrowType.FloatingPoint)) {
                    throw new UserException(source + ": the schema, column '" + DemoSchema.COLUMNS.get(i)
                            + "': found type " + type + "; expected a number column (integer or floating point)");
                }
            }
            EpisodeAssembler assembler = new EpisodeAssembler(source, rateHz);
            double[] row = new double[columns.length];
            long record = 0;
            while (loadBatch(reader, source, record)) {
                for (int r = 0; r < root.getRowCount(); r++) {
                    record++;
                    String where = "record " + record;
                    for (int i = 0; i < columns.length; i++) {
                        row[i] = value(root.getVector(columns[i]), r, source, where, DemoSchema.COLUMNS.get(i));
                    }
                    assembler.add(row, where);
                }
            }
            return assembler.finish("the schema");
        } catch (IOException e) {
            throw new UserException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static boolean startsWithMagic(Path file, String source) {
        byte[] head = new byte[FILE_MAGIC.length];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, head.length) == head.length && Arrays.equals(head, FILE_MAGIC);
        } catch (IOException e) {
            throw new UserException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static VectorSchemaRoot readSchema(ArrowReader reader, String source, boolean fileFormat) {
        try {
            return reader.getVectorSchemaRoot();
        } catch (IOException | RuntimeException e) {
            throw new UserException(source + ": not a readable Arrow IPC " + (fileFormat ? "file" : "stream") + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean loadBatch(ArrowReader reader, String source, long record) {
        try {
            return reader.loadNextBatch();
        } catch (IOException | RuntimeException e) {
            throw new UserException(source + ": after record " + record + ": cannot read the next record batch: "
                    + e.getMessage(), e);
        }
    }

    private static double value(FieldVector vector, int row, String source, String where, String column) {
        if (vector.isNull(row)) {
            throw new UserException(source + ": " + where + ", column '" + column + "': found null; expected a number");
        }
        return vector instanceof FloatingPointVector ? ((FloatingPointVector) vector).getValueAsDouble(row)
                : ((BaseIntVector) vector).getValueAsLong(row);
    }
}
