package dev.chimera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class BenchStepCommandTest {

    @Test
    void severalContextsGiveOneJsonLineEachInOrder() throws Exception {
        CliRun r = CliRun.run("bench", "step", "--config", "tiny", "--context", "8,20", "--steps", "2",
                "--batch", "3", "--threads", "1", "--json");
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.strip().split("\\R");
        assertEquals(2, lines.length, r.out);
        ObjectMapper json = new ObjectMapper();
        int[] expected = {8, 20};
        for (int i = 0; i < 2; i++) {
            JsonNode line = json.readTree(lines[i]);
            assertEquals("step", line.get("op").asText());
            assertEquals(expected[i], line.get("context").asInt());
            assertEquals(3, line.get("batch").asInt());
            assertTrue(line.get("us_per_token").asDouble() > 0, lines[i]);
            assertTrue(line.get("batch_us_per_token").asDouble() > 0, lines[i]);
            // Two cold steps per round: the figure is there and not negative (its steady-state zero is
            // StepAllocationTest's to check, after a warm-up these few steps do not have).
            assertTrue(line.get("alloc_bytes_per_token").asDouble() >= 0, lines[i]);
            assertTrue(line.get("batch_alloc_bytes_per_token").asDouble() >= 0, lines[i]);
        }
    }

    @Test
    void aContextBelowOneIsAUserError() {
        CliRun r = CliRun.run("bench", "step", "--config", "tiny", "--context", "8,0", "--steps", "1");
        assertEquals(1, r.code, r.out + r.err);
        assertTrue(r.err.contains("--context"), r.err);
    }
}
