package dev.chimera.robotics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.robotics.control.ReachPolicy;
import dev.chimera.robotics.policy.PolicyModel;
import dev.chimera.robotics.policy.PolicyTraining;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code bench controller}: one JSON line with the keys in order, figures in their ranges, bad options. */
class BenchControllerCommandTest {
    static CommandRun bench(BenchControllerCommand command, String... args) {
        return CommandRun.of(command, args);
    }

    @Test
    void jsonLineHasTheKeysInOrderAndSaneFigures() throws Exception {
        AtomicInteger made = new AtomicInteger();
        ControllerWorkload synthetic = ControllerWorkload.synthetic();
        ControllerWorkload counted = new ControllerWorkload("counted", () -> {
            made.incrementAndGet();
            return ReachPolicy.standard(4, 0.3);
        }, synthetic.observationSize(), synthetic.robot(), synthetic.initial(), synthetic.limits());
        CommandRun run = bench(new BenchControllerCommand(counted), "--seconds", "1.5", "--json");
        assertEquals(0, run.code(), run.err());
        String[] lines = run.out().strip().split("\n");
        assertEquals(1, lines.length, run.out());
        JsonNode json = new ObjectMapper().readTree(lines[0]);
        Iterator<String> names = json.fieldNames();
        for (String key : List.of("sample_p50_ns", "sample_p99_ns", "alloc_bytes_per_sample", "loop_hz",
                "deadline_misses", "chunk_ms")) {
            assertEquals(key, names.next());
        }
        assertEquals(2, made.get(), "one policy for the warm-up, one for the run: the supplier is used");
        assertEquals(1500, json.get("samples").asLong());
        assertTrue(json.get("sample_p50_ns").asLong() > 0);
        assertTrue(json.get("sample_p50_ns").asLong() <= json.get("sample_p99_ns").asLong());
        // a loaded 2-core test machine may miss deadlines; the rate over 1.5 s stays near 1 kHz
        assertTrue(Math.abs(json.get("loop_hz").asDouble() - 1000) < 100, lines[0]);
        // 0.1 s resolving the loop, then 1.5 s: chunks at the start, about 1 s and maybe 2 s
        assertTrue(json.get("chunk_ms").asDouble() >= 0 && json.get("chunks").asLong() >= 2, lines[0]);
        assertEquals(0, json.get("stops").asLong(), lines[0]);
        // the loop's call sites are resolved in a pass before the measured one (resolving them
        // allocated 0.5-2.5 KB once), after which runs measure 0; a loaded machine may still show one
        // late 1.5-2.3 KB just-in-time transition (see RobotControllerTest), never bytes per sample
        assertTrue(json.get("alloc_bytes_per_sample").asDouble() * 1500 < 4096, lines[0]);
        assertEquals("counted", json.get("policy").asText());
        assertEquals("policy", last(json.fieldNames()), "after the required keys");
    }

    private static String last(Iterator<String> names) {
        String last = null;
        while (names.hasNext()) {
            last = names.next();
        }
        return last;
    }

    @Test
    void learnedPolicyDrivesTheSimAndItsPlanningIsTimed() throws Exception {
        PolicyModel model;
        try (ComputePool pool = new ComputePool(1)) {
            PolicyTraining.Data data = PolicyTraining.Data.load(null, 20, new PrintWriter(Writer.nullWriter()));
            model = PolicyTraining.newModel("beast", data, Backends.cpu(pool), null);
            CommandRun run = bench(new BenchControllerCommand(ControllerWorkload.learned(model)), "--seconds",
                    "1.5", "--json");
            assertEquals(0, run.code(), run.err());
            JsonNode json = new ObjectMapper().readTree(run.out().strip());
            assertEquals("beast policy (not saved)", json.get("policy").asText());
            // an untrained policy (seeded weights) plans 1-s chunks in 5-20 ms when the machine is
            // quiet; on 2 busy cores (the control thread spinning on one) a plan has outlasted the
            // 250 ms watchdog, so stops are not pinned here, only that real plans were timed
            assertTrue(json.get("chunk_ms").asDouble() > 0, run.out());
            assertTrue(json.get("chunks").asLong() >= 1, run.out());
            assertTrue(json.get("alloc_bytes_per_sample").asDouble() * 1500 < 4096, run.out());
        }
    }

    @Test
    void aMissingModelIsAUserError() {
        CommandRun run = bench(new BenchControllerCommand(), "--model", "/nonexistent/robot-policy", "--seconds", "1");
        assertEquals(1, run.code());
        assertTrue(run.err().contains("--model /nonexistent/robot-policy: not a Chimera model directory"), run.err());
    }

    @Test
    void badSecondsIsAUserError() {
        CommandRun run = bench(new BenchControllerCommand(), "--seconds", "0");
        assertEquals(1, run.code());
        assertTrue(run.err().contains("--seconds must be in (0, 3600], got 0.0"), run.err());
    }

    @Test
    void helpWorks() {
        CommandRun run = bench(new BenchControllerCommand(), "--help");
        assertEquals(0, run.code());
        assertTrue(run.out().contains("--seconds") && run.out().contains("--json") && run.out().contains("--model"),
                run.out());
    }
}
