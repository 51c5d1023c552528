package dev.chimera.robotics.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Users' trajectory CSVs: seconds or ISO-8601, the rate from the median step, and one-line errors naming the line. */
class TrajectoryCsvTest {
    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path f = dir.resolve("t.csv");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void readsEpisodesInSecondsAndInfersTheRate() throws IOException {
        Path f = file("episode,timestamp,x,grip\n"
                + "a,0.0,1.5,0\n"
                + "a,0.1,1.6,0\n"
                + "a,0.2,1.7,1\n"
                + "\n"
                + "7,5.0,-2,1\n"
                + "7,5.1,-2.5e-1,0\n");
        Trajectories t = TrajectoryCsv.read(f, List.of("grip"), 0);
        assertEquals(List.of("x", "grip"), t.dofNames());
        assertArrayEquals(new boolean[] {false, true}, t.gripper());
        assertEquals(10.0, t.rateHz(), 1e-9);
        assertEquals(2, t.episodes().size());
        assertArrayEquals(new double[] {-0.25, 0}, t.episodes().get(1)[1], 0.0);
        assertEquals(25.0, TrajectoryCsv.read(f, List.of(), 25).rateHz(), 0.0);
    }

    @Test
    void readsIsoTimestamps() throws IOException {
        Path f = file("episode,timestamp,x\n"
                + "1,2024-05-01T12:00:00.000Z,0\n"
                + "1,2024-05-01T12:00:00.020Z,1\n"
                + "1,2024-05-01T12:00:00.040Z,2\n"
                + "2,2024-05-01 13:00:00.000,3\n"
                + "2,2024-05-01 13:00:00.020,4\n");
        assertEquals(50.0, TrajectoryCsv.read(f, List.of(), 0).rateHz(), 1e-6);
    }

    private String error(String text, List<String> grippers) throws IOException {
        Path f = file(text);
        String m = assertThrows(UserException.class, () -> TrajectoryCsv.read(f, grippers, 0)).getMessage();
        assertTrue(m.startsWith(f.toString() + ": "), m);
        assertTrue(!m.contains("\n"), "one line: " + m);
        return m;
    }

    @Test
    void errorsNameTheLineAndWhatWasExpected() throws IOException {
        String head = "episode,timestamp,x,y\n";
        assertTrue(error(head + "a,0,1,2\na,0.1,1,oops\n", List.of())
                .contains("line 3: column 'y' holds 'oops'; expected a decimal number"));
        assertTrue(error(head + "a,0,1,2\na,0.1,1\n", List.of()).contains("line 3: found 3 cells; expected 4"));
        assertTrue(error("a,0,1,2\na,0.1,1,2\n", List.of()).contains("line 1: found data where the header should be"));
        assertTrue(error("", List.of()).contains("empty"));
        assertTrue(error(head + "a,0,1,2\na,0.1,1,2\n", List.of("z"))
                .contains("unknown --gripper column 'z'; the DoF columns are x, y"));
        assertTrue(error(head + "a,0,1,2\na,0.2,1,2\na,0.2,1,2\n", List.of())
                .contains("line 4: timestamp '0.2' is not after the one before it"));
        assertTrue(error(head + "a,0,1,2\n", List.of()).contains("too few rows (1)"));
        assertTrue(error(head + "a,0,1,2\na,1,1,2\nb,0,1,2\na,3,1,2\n", List.of())
                .contains("line 5: episode 'a' appears again"));
        assertTrue(error(head + "a,0,1,2\na,yesterday,1,2\n", List.of())
                .contains("line 3: timestamp 'yesterday' is neither seconds nor an ISO-8601 date-time"));
        assertTrue(error("episode,timestamp\na,0\n", List.of()).contains("line 1: the header has 2 columns"));
    }
}
