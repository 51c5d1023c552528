package dev.chimera.robotics.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.robotics.sim.Demonstrations;
import dev.chimera.runtime.ArrowTables;
import dev.chimera.runtime.ArrowTables.Column;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoFilesTest {
    private static final double RATE = Demonstrations.RATE_HZ;

    @TempDir
    Path dir;

    /** Simulated episodes plus a hand-made one with awkward doubles, a gap in indices and a failure. */
    private static List<Episode> episodes() {
        List<Episode> list = new ArrayList<>(Demonstrations.generate(4, 3));
        double[][] obs = new double[3][14];
        double[][] act = new double[3][4];
        obs[0][0] = -0.0;
        obs[1][1] = Double.MIN_VALUE;
        obs[2][2] = 0.1 + 0.2;
        act[0][0] = 1e-310;
        act[1][1] = -Double.MAX_VALUE;
        act[2][2] = Math.PI;
        list.add(new Episode(9, obs, act, false));
        return list;
    }

    private static void assertSame(List<Episode> expected, List<Episode> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            Episode e = expected.get(i);
            Episode a = actual.get(i);
            assertEquals(e.index(), a.index());
            assertEquals(e.success(), a.success());
            // assertArrayEquals on doubles compares bit patterns (doubleToLongBits): -0.0 != 0.0.
            assertArrayEquals(e.observations(), a.observations());
            assertArrayEquals(e.actions(), a.actions());
        }
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void csvRoundTripIsBitExactAndAtomic() throws IOException {
        List<Episode> episodes = episodes();
        Path file = dir.resolve("demos.csv");
        Files.writeString(file, "old contents");
        DemoFiles.write(file, episodes, RATE);
        assertSame(episodes, DemoFiles.read(file, RATE));
        assertEquals(List.of("demos.csv"), leftovers(), "no temporary file left");
        List<String> lines = Files.readAllLines(file);
        assertEquals(String.join(",", DemoSchema.COLUMNS), lines.get(0));
        assertTrue(lines.get(0).startsWith("episode_index,frame_index,timestamp,observation.ee_x,"));
        assertTrue(lines.get(0).endsWith("observation.held,action.x,action.y,action.z,action.gripper,episode_success"));
        assertTrue(lines.get(2).startsWith("0,1,0.02,"), lines.get(2));
    }

    @Test
    void arrowRoundTripIsBitExactAndAtomic() throws IOException {
        List<Episode> episodes = episodes();
        Path file = dir.resolve("demos.arrow");
        DemoFiles.write(file, episodes, RATE);
        assertSame(episodes, DemoFiles.read(file, RATE));
        assertEquals(List.of("demos.arrow"), leftovers());
        try (BufferAllocator a = new RootAllocator();
                ArrowFileReader r = new ArrowFileReader(Files.newByteChannel(file), a)) {
            assertEquals(DemoSchema.COLUMNS.size(), r.getVectorSchemaRoot().getSchema().getFields().size());
            assertEquals("50.0", r.getVectorSchemaRoot().getSchema().getCustomMetadata().get("rate_hz"));
        }
    }

    @Test
    void arrowStreamFormatIsReadToo() throws IOException {
        List<Episode> episodes = episodes();
        Path file = dir.resolve("demos.arrow");
        DemoFiles.write(file, episodes, RATE);
        Path stream = dir.resolve("stream.arrow");
        try (BufferAllocator a = new RootAllocator();
                ArrowFileReader r = new ArrowFileReader(Files.newByteChannel(file), a);
                OutputStream out = Files.newOutputStream(stream)) {
            VectorSchemaRoot root = r.getVectorSchemaRoot();
            ArrowStreamWriter w = new ArrowStreamWriter(root, null, out);
            w.start();
            while (r.loadNextBatch()) {
                w.writeBatch();
            }
            w.end();
            w.close();
        }
        assertSame(episodes, DemoFiles.read(stream, RATE));
    }

    /** A small valid CSV (2 episodes of 3 frames), as lines. */
    private List<String> goodCsv() throws IOException {
        List<Episode> two = new ArrayList<>();
        for (int e = 0; e < 2; e++) {
            two.add(new Episode(e, new double[3][14], new double[3][4], e == 0));
        }
        Path file = dir.resolve("good.csv");
        DemoFiles.write(file, two, RATE);
        return new ArrayList<>(Files.readAllLines(file));
    }

    private String csvError(List<String> lines) throws IOException {
        Path file = dir.resolve("bad.csv");
        Files.write(file, lines, StandardCharsets.UTF_8);
        return assertThrows(UserException.class, () -> DemoFiles.read(file, RATE)).getMessage();
    }

    private static String replaceCell(String line, int column, String value) {
        String[] cells = line.split(",", -1);
        cells[column] = value;
        return String.join(",", cells);
    }

    @Test
    void badCsvFilesAreRefusedWithFileLineAndColumn() throws IOException {
        String bad = dir.resolve("bad.csv").toString();
        List<String> lines = goodCsv();
        lines.set(0, lines.get(0).replace(",action.gripper,", ",action.grip,"));
        assertEquals(bad + ": line 1: no column 'action.gripper'; expected the 22 columns of a demonstration file: "
                + "episode_index, frame_index, timestamp, observation.<ee_x|ee_y|ee_z|ee_vx|ee_vy|ee_vz|gripper|"
                + "object_x|object_y|object_z|goal_x|goal_y|goal_z|held>, action.<x|y|z|gripper>, episode_success",
                csvError(lines));

        lines = goodCsv();
        lines.set(3, replaceCell(lines.get(3), 3, "abc"));
        assertEquals(bad + ": line 4, column 'observation.ee_x': found 'abc'; expected a number", csvError(lines));
        lines = goodCsv();
        lines.set(3, replaceCell(lines.get(3), 4, "Infinity"));
        assertEquals(bad + ": line 4, column 'observation.ee_y': found 'Infinity'; expected a number", csvError(lines));
        lines = goodCsv();
        lines.set(2, replaceCell(lines.get(2), 20, ""));
        assertEquals(bad + ": line 3, column 'action.gripper': found an empty cell; expected a number", csvError(lines));

        lines = goodCsv();
        lines.remove(2);
        assertEquals(bad + ": line 3, column 'frame_index': found frame 2 after frame 0 of episode 0; expected 1 "
                + "(consecutive frames)", csvError(lines));
        lines = goodCsv();
        lines.remove(4);
        assertEquals(bad + ": line 5, column 'frame_index': found frame 1 at the start of episode 1; expected 0",
                csvError(lines));
        lines = goodCsv();
        lines.add(lines.get(1));
        assertEquals(bad + ": line 8, column 'episode_index': found episode 0 after episode 1; expected each "
                + "episode's rows together, in increasing episode order", csvError(lines));
        lines = goodCsv();
        lines.set(2, replaceCell(lines.get(2), 2, "0.04"));
        assertEquals(bad + ": line 3, column 'timestamp': found 0.04 s at frame 1; expected frame_index / 50.0 Hz = "
                + "0.02 s", csvError(lines));
        lines = goodCsv();
        lines.set(3, replaceCell(lines.get(3), 21, "0"));
        assertEquals(bad + ": line 4, column 'episode_success': found 0.0 where earlier rows of episode 0 have 1.0; "
                + "expected one value per episode", csvError(lines));
        lines = goodCsv();
        lines.set(1, replaceCell(lines.get(1), 1, "0.5"));
        assertEquals(bad + ": line 2, column 'frame_index': found 0.5; expected a whole number from 0 to 2147483647",
                csvError(lines));
        lines = goodCsv();
        lines.set(2, lines.get(2) + ",7");
        assertEquals(bad + ": line 3: found 23 cells; expected 22 as in the header", csvError(lines));
        lines = goodCsv();
        assertEquals(bad + ": line 1: found the column names but no rows; expected one row per frame",
                csvError(lines.subList(0, 1)));
        assertEquals(bad + ": empty file; expected a header line of the columns episode_index, frame_index, timestamp, "
                + "observation.*, action.*, episode_success", csvError(List.of()));
    }

    @Test
    void extraColumnsAnywhereAreAllowed() throws IOException {
        List<String> lines = goodCsv();
        for (int i = 0; i < lines.size(); i++) {
            lines.set(i, (i == 0 ? "task_index" : "3") + "," + lines.get(i));
        }
        Path file = dir.resolve("extra.csv");
        Files.write(file, lines);
        assertEquals(2, DemoFiles.read(file, RATE).size());
    }

    /** Writes an Arrow file whose columns are DemoSchema's with {@code drop} left out, float64 throughout. */
    private Path arrowWith(String drop, Column extra, double[][] rows) {
        Path file = dir.resolve("bad.arrow");
        List<Column> columns = new ArrayList<>();
        for (String name : DemoSchema.COLUMNS) {
            if (!name.equals(drop)) {
                columns.add(Column.float64(name));
            }
        }
        if (extra != null) {
            columns.add(extra);
        }
        try (ArrowTables.Writer w = ArrowTables.create(file, columns, 2, Map.of())) {
            for (double[] row : rows) {
                int c = 0;
                for (int i = 0; i < DemoSchema.COLUMNS.size(); i++) {
                    if (!DemoSchema.COLUMNS.get(i).equals(drop)) {
                        w.set(c++, row[i]);
                    }
                }
                if (extra != null) {
                    w.set(c, "text");
                }
                w.endRow();
            }
            w.commit();
        }
        return file;
    }

    private static double[][] rows(int... frames) {
        double[][] rows = new double[frames.length][DemoSchema.COLUMNS.size()];
        for (int i = 0; i < frames.length; i++) {
            rows[i][1] = frames[i];
            rows[i][2] = frames[i] / RATE;
        }
        return rows;
    }

    @Test
    void badArrowFilesAreRefusedWithFileRecordAndColumn() {
        String bad = dir.resolve("bad.arrow").toString();
        Path ok = arrowWith(null, null, rows(0, 1, 2));
        assertEquals(3, DemoFiles.read(ok, RATE).get(0).frames(), "float64 indices are read as whole numbers");

        Path gap = arrowWith(null, null, rows(0, 1, 2, 4));
        assertEquals(bad + ": record 4, column 'frame_index': found frame 4 after frame 2 of episode 0; expected 3 "
                + "(consecutive frames)", assertThrows(UserException.class, () -> DemoFiles.read(gap, RATE)).getMessage());

        Path missing = arrowWith("observation.held", null, rows(0));
        assertTrue(assertThrows(UserException.class, () -> DemoFiles.read(missing, RATE)).getMessage()
                .startsWith(bad + ": the schema: no column 'observation.held'; expected the 22 columns"));

        double[][] nan = rows(0, 1);
        nan[1][5] = Double.NaN;
        Path notANumber = arrowWith(null, null, nan);
        assertEquals(bad + ": record 2, column 'observation.ee_z': found NaN; expected a finite number",
                assertThrows(UserException.class, () -> DemoFiles.read(notANumber, RATE)).getMessage());

        Path text = dir.resolve("text.arrow");
        try (ArrowTables.Writer w = ArrowTables.create(text, List.of(Column.utf8("episode_index")), 1, Map.of())) {
            w.set(0, "x").endRow();
            w.commit();
        }
        assertTrue(assertThrows(UserException.class, () -> DemoFiles.read(text, RATE)).getMessage()
                .startsWith(text + ": the schema: no column 'frame_index'"));
    }

    @Test
    void aTextColumnIsRefusedByType() throws IOException {
        Path file = dir.resolve("typed.arrow");
        List<Column> columns = new ArrayList<>();
        for (String name : DemoSchema.COLUMNS) {
            columns.add(name.equals("timestamp") ? Column.utf8(name) : Column.float64(name));
        }
        try (ArrowTables.Writer w = ArrowTables.create(file, columns, 1, Map.of())) {
            for (int c = 0; c < columns.size(); c++) {
                if (c == 2) {
                    w.set(c, "0.0");
                } else {
                    w.set(c, 0.0);
                }
            }
            w.endRow();
            w.commit();
        }
        assertEquals(file + ": the schema, column 'timestamp': found type Utf8; expected a number column (integer or "
                + "floating point)", assertThrows(UserException.class, () -> DemoFiles.read(file, RATE)).getMessage());
    }

    @Test
    void otherFilesAreRefused() throws IOException {
        Path parquet = dir.resolve("demos.parquet");
        assertEquals(parquet + ": unknown file type; expected a name ending in .csv or .arrow",
                assertThrows(UserException.class, () -> DemoFiles.write(parquet, episodes(), RATE)).getMessage());
        Path absent = dir.resolve("absent.csv");
        assertEquals(absent + ": no such file",
                assertThrows(UserException.class, () -> DemoFiles.read(absent, RATE)).getMessage());
        Path junk = dir.resolve("junk.arrow");
        Files.writeString(junk, "not arrow at all");
        assertTrue(assertThrows(UserException.class, () -> DemoFiles.read(junk, RATE)).getMessage()
                .startsWith(junk + ": not a readable Arrow IPC stream: "));
        assertThrows(IllegalArgumentException.class, () -> DemoFiles.write(dir.resolve("x.csv"), List.of(), RATE));
        assertEquals(List.of("junk.arrow"), leftovers());
    }
}
