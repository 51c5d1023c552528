package dev.chimera.robotics.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.robotics.data.DemoFiles;
import dev.chimera.robotics.data.Episode;
import dev.chimera.robotics.sim.Demonstrations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemosCommandTest {
    @TempDir
    Path dir;

    static CommandRun demos(String... args) {
        return CommandRun.of(new DemosCommand(), args);
    }

    @Test
    void writesTheDemonstrationsAndOneSummaryLine() {
        Path csv = dir.resolve("d.csv");
        CommandRun run = demos("--episodes", "6", "--seed", "3", "--out", csv.toString());
        assertEquals(0, run.code(), run.err());
        List<Episode> expected = Demonstrations.generate(6, 3);
        long frames = expected.stream().mapToLong(Episode::frames).sum();
        assertEquals("wrote 6 episodes, " + frames + " frames (" + String.format(java.util.Locale.ROOT, "%.1f",
                frames / 50.0) + " s at 50 Hz) to " + csv + "; expert success 100.0% (6/6)\n", run.out());
        List<Episode> read = DemoFiles.read(csv, Demonstrations.RATE_HZ);
        assertEquals(6, read.size());
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(expected.get(i).actions(), read.get(i).actions());
        }
    }

    @Test
    void jsonSummaryForArrow() {
        Path arrow = dir.resolve("d.arrow");
        CommandRun run = demos("--episodes", "2", "--out", arrow.toString(), "--json");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().startsWith("{\"command\":\"demos\",\"out\":\"" + arrow + "\",\"episodes\":2,\"seed\":7,"
                + "\"frames\":"), run.out());
        assertTrue(run.out().contains("\"rate_hz\":50.0,\"success_rate\":1.0000,"), run.out());
        assertEquals(1, run.out().lines().count());
        assertTrue(Files.isRegularFile(arrow));
    }

    @Test
    void usageMistakesExitWithTwo() {
        CommandRun parquet = demos("--out", dir.resolve("d.parquet").toString());
        assertEquals(2, parquet.code());
        assertTrue(parquet.err().contains("--out " + dir.resolve("d.parquet")
                + ": unknown file type; expected a name ending in .csv or .arrow"), parquet.err());
        CommandRun zero = demos("--episodes", "0", "--out", dir.resolve("d.csv").toString());
        assertEquals(2, zero.code());
        assertTrue(zero.err().contains("--episodes must be >= 1, got 0"), zero.err());
        assertEquals(2, demos().code(), "--out is required");
        assertFalse(Files.exists(dir.resolve("d.csv")));
        CommandRun help = demos("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--episodes=N"), help.out());
    }
}
