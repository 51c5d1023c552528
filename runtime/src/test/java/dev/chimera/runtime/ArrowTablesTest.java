package dev.chimera.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.ArrowTables.Column;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArrowTablesTest {
    @TempDir
    Path dir;

    private static final List<Column> COLUMNS = List.of(Column.utf8("id"), Column.int64("length"), Column.int32("label"),
            Column.float64("bits_per_base"), Column.embedding("embedding", 3));

    private static float[] embedding(int row) {
        return new float[] {row, -row, row * 0.5f};
    }

    @Test
    void rowsComeBackBatchByBatch() throws IOException {
        Path target = dir.resolve("out/scores.arrow");
        try (ArrowTables.Writer w = ArrowTables.create(target, COLUMNS, 4, Map.of("command", "test"))) {
            for (int row = 0; row < 10; row++) {
                w.set(w.column("id"), "seq-" + row + "-é").set(1, 1000L * row).set(2, row % 3)
                        .set(3, 1.5 + row).set(4, embedding(row));
                w.endRow();
            }
            assertEquals(2, w.batches(), "two full batches of 4 written as they completed");
            assertFalse(Files.exists(target), "nothing at the target before commit");
            w.commit();
        }
        assertTrue(Files.exists(target));
        try (Stream<Path> s = Files.list(target.getParent())) {
            assertEquals(1, s.count(), "no temporary file left");
        }
        try (RootAllocator allocator = new RootAllocator();
             FileChannel ch = FileChannel.open(target, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
            assertEquals("test", reader.getVectorSchemaRoot().getSchema().getCustomMetadata().get("command"));
            assertEquals(3, reader.getRecordBlocks().size());
            int row = 0;
            int[] sizes = {4, 4, 2};
            for (int b = 0; b < 3; b++) {
                assertTrue(reader.loadNextBatch());
                VectorSchemaRoot root = reader.getVectorSchemaRoot();
                assertEquals(sizes[b], root.getRowCount());
                for (int i = 0; i < root.getRowCount(); i++, row++) {
                    assertEquals("seq-" + row + "-é", ((VarCharVector) root.getVector("id")).getObject(i).toString());
                    assertEquals(1000L * row, ((BigIntVector) root.getVector("length")).get(i));
                    assertEquals(row % 3, ((IntVector) root.getVector("label")).get(i));
                    assertEquals(1.5 + row, ((Float8Vector) root.getVector("bits_per_base")).get(i));
                    FixedSizeListVector list = (FixedSizeListVector) root.getVector("embedding");
                    Float4Vector data = (Float4Vector) list.getDataVector();
                    float[] got = {data.get(3 * i), data.get(3 * i + 1), data.get(3 * i + 2)};
                    assertArrayEquals(embedding(row), got);
                }
            }
            assertFalse(reader.loadNextBatch());
        }
    }

    @Test
    void closingWithoutCommitLeavesNothing() throws IOException {
        Path target = dir.resolve("partial.arrow");
        assertThrows(IllegalStateException.class, () -> {
            try (ArrowTables.Writer w = ArrowTables.create(target, COLUMNS, 2, Map.of())) {
                for (int row = 0; row < 5; row++) {
                    w.set(0, "r").set(1, 1L).set(2, 1L).set(3, 0.0).set(4, embedding(row)).endRow();
                }
                throw new IllegalStateException("a failure part-way");
            }
        });
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), "neither the target nor a temporary file");
        }
    }

    @Test
    void misuseIsRefused() {
        Path target = dir.resolve("t.arrow");
        try (ArrowTables.Writer w = ArrowTables.create(target, COLUMNS, 2, Map.of())) {
            assertThrows(IllegalArgumentException.class, () -> w.set(0, 1L), "int64 into utf8");
            assertThrows(IllegalArgumentException.class, () -> w.set(4, new float[2]), "wrong width");
            assertThrows(IllegalArgumentException.class, () -> w.set(2, 1L << 40), "int32 overflow");
            assertThrows(IllegalArgumentException.class, () -> w.column("nope"));
            w.set(0, "only the id");
            assertThrows(IllegalStateException.class, w::endRow, "columns left unset");
        }
        assertThrows(IllegalArgumentException.class, () -> Column.embedding("e", 0));
        assertThrows(IllegalArgumentException.class, () -> new Column("x", ArrowTables.Kind.INT64, 2));
    }
}
