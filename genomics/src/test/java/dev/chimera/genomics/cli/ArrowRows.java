package dev.chimera.genomics.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.Schema;

/** An Arrow IPC file read back with ArrowFileReader: its schema, metadata and rows (each value as Java object). */
record ArrowRows(Schema schema, Map<String, String> metadata, List<List<Object>> rows) {

    static ArrowRows read(Path file) throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        try (RootAllocator allocator = new RootAllocator();
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            Schema schema = root.getSchema();
            while (reader.loadNextBatch()) {
                for (int i = 0; i < root.getRowCount(); i++) {
                    List<Object> row = new ArrayList<>();
                    for (FieldVector v : root.getFieldVectors()) {
                        Object o = v.getObject(i);
                        row.add(o instanceof org.apache.arrow.vector.util.Text ? o.toString() : o);
                    }
                    rows.add(row);
                }
            }
            return new ArrowRows(schema, schema.getCustomMetadata(), rows);
        }
    }

    /** The column names, in order. */
    List<String> columns() {
        List<String> names = new ArrayList<>();
        schema.getFields().forEach(f -> names.add(f.getName()));
        return names;
    }
}
