package dev.chimera.robotics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tokenizers --csv F --json} end to end on a seeded file; text output, help, usage and file errors. */
class TokenizersCommandTest {
    @TempDir
    static Path dir;
    static Path csv;

    static CommandRun run(String... args) {
        return CommandRun.of(new TokenizersCommand(), args);
    }

    @BeforeAll
    static void writeTrajectories() throws IOException {
        // 8 episodes, 3 s at 20 Hz: two smooth joints and a gripper that closes after 1.2 s
        StringBuilder sb = new StringBuilder("episode,timestamp,shoulder,elbow,grip\n");
        for (int e = 0; e < 8; e++) {
            for (int t = 0; t < 60; t++) {
                double s = t / 20.0;
                sb.append(String.format(Locale.ROOT, "ep%d,%.3f,%.6f,%.6f,%d%n", e, s,
                        Math.sin(1.3 * s + e), 0.5 * Math.cos(0.7 * s - e) + 0.1 * e, t >= 24 + e ? 1 : 0));
            }
        }
        csv = dir.resolve("arm.csv");
        Files.writeString(csv, sb.toString());
    }

    @Test
    void jsonHasOneLinePerMethodWithTheKeysInOrder() throws IOException {
        CommandRun r = run("--csv", csv.toString(), "--gripper", "grip", "--json");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        List<String> first = List.of("method", "tokens_per_chunk", "mse", "jerk_rms", "boundary_jump", "encode_us",
                "decode_us");
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : lines) {
            JsonNode node = mapper.readTree(line);
            List<String> keys = new ArrayList<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                keys.add(it.next());
            }
            assertEquals(first, keys.subList(0, 7), line);
            assertEquals(20, node.get("chunk").asInt());
            assertEquals(20.0, node.get("rate").asDouble(), 1e-9);
            nodes.add(node);
        }
        assertEquals(List.of("beast", "binning", "fast"), nodes.stream().map(n -> n.get("method").asText()).toList());
        JsonNode beast = nodes.get(0);
        JsonNode binning = nodes.get(1);
        assertEquals(60.0, binning.get("tokens_per_chunk").asDouble(), 0.0);
        assertTrue(beast.get("tokens_per_chunk").asDouble() <= 15.0, beast.toString());
        assertTrue(beast.get("mse").asDouble() < binning.get("mse").asDouble(), lines.toString());
        assertEquals(0.0, beast.get("boundary_jump").asDouble(), 0.0);
    }

    @Test
    void textTableAndOptions() {
        CommandRun r = run("--csv", csv.toString(), "--gripper", "grip", "--chunk", "10", "--control-points", "4",
                "--continuity", "c1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("BEAST: N = 4 control points, degree 3, C1"), r.out());
        assertTrue(r.out().contains("method    tokens/chunk"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("beast") && l.contains(" 8.00 ")), r.out());
        assertEquals(0, run("--help").code());
    }

    @Test
    void usageAndFileErrors() throws IOException {
        CommandRun bad = run("--csv", csv.toString(), "--continuity", "c2");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--continuity must be c0 or c1"), bad.err());
        assertEquals(2, run("--csv", csv.toString(), "--chunk", "10", "--control-points", "11").code());
        Path broken = dir.resolve("broken.csv");
        Files.writeString(broken, "episode,timestamp,x\na,0,1\na,0.1,x1\n");
        CommandRun r = run("--csv", broken.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("tokenizers: error: " + broken + ": line 3: column 'x' holds 'x1'"), r.err());
    }
}
