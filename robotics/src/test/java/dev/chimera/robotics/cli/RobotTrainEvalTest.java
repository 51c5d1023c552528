package dev.chimera.robotics.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.robotics.policy.ActionPolicy;
import dev.chimera.robotics.policy.PolicyModel;
import dev.chimera.robotics.sim.Demonstrations;
import dev.chimera.robotics.sim.PickPlaceSim;
import dev.chimera.runtime.UserErrorHandler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code robot train} then {@code robot eval}, small: the run's files, the JSON keys, resume, and a reloaded policy planning the same bits. */
class RobotTrainEvalTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run run(Callable<Integer> command, String... args) {
        CommandLine cl = UserErrorHandler.install(new CommandLine(command));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    private static double[][] plan(Path model) throws Exception {
        try (ComputePool pool = new ComputePool(1)) {
            ActionPolicy policy = new ActionPolicy(PolicyModel.open(model, Backends.cpu(pool)));
            PickPlaceSim sim = new PickPlaceSim();
            sim.reset(5);
            double[] obs = new double[PickPlaceSim.OBS_DIM];
            sim.observation(obs);
            double[][] history = new double[policy.model().layout().history()][];
            java.util.Arrays.fill(history, obs);
            double[][] out = new double[policy.model().codec().steps()][policy.model().codec().dof()];
            policy.plan(history, new double[] {0, 0, 1, -1}, out);
            return out;
        }
    }

    @Test
    void trainsEvaluatesResumesAndReloads() throws Exception {
        for (String tokenizer : new String[] {"beast", "binning"}) {
            Path out = dir.resolve(tokenizer);
            Run train = run(new RobotTrainCommand(), "--tokenizer", tokenizer, "--out", out.toString(), "--episodes", "12",
                    "--steps", "6", "--batch", "4", "--checkpoint-every", "3", "--stop-at", "3", "--validation-episodes", "1",
                    "--threads", "1");
            assertEquals(0, train.code(), train.err());
            Run resumed = run(new RobotTrainCommand(), "--tokenizer", tokenizer, "--out", out.toString(), "--episodes",
                    "12", "--steps", "6", "--batch", "4", "--checkpoint-every", "3", "--resume", "--validation-episodes", "1",
                    "--threads", "1");
            assertEquals(0, resumed.code(), resumed.err());
            assertTrue(resumed.err().contains("resuming"), resumed.err());
            assertTrue(Files.readString(out.resolve("COMMAND")).startsWith("./chimera robot train --tokenizer " + tokenizer));
            Run eval = run(new RobotEvalCommand(), "--model", out.toString(), "--episodes", "2", "--json", "--threads", "1");
            assertEquals(0, eval.code(), eval.err());
            JsonNode row = new ObjectMapper().readTree(eval.out());
            assertEquals(tokenizer, row.get("policy").asText());
            assertEquals(2, row.get("episodes").asInt());
            for (String key : new String[] {"success_rate", "ms_per_chunk", "jerk_rms"}) {
                assertTrue(row.get(key).isNumber(), key + " in " + eval.out());
            }
            double[][] a = plan(out);
            double[][] b = plan(out);
            for (int j = 0; j < a.length; j++) {
                assertArrayEquals(a[j], b[j], 0.0, "a reloaded policy plans the same chunk");
            }
            assertEquals(Demonstrations.RATE_HZ, 50.0);
        }
    }

    @Test
    void badInputIsOneLine() {
        Run notAModel = run(new RobotEvalCommand(), "--model", dir.resolve("nothing").toString());
        assertEquals(1, notAModel.code());
        assertTrue(notAModel.err().startsWith("eval: error: --model") || notAModel.err().contains("error: --model"),
                notAModel.err());
        assertEquals(1, notAModel.err().strip().lines().count(), notAModel.err());
        Run badTokenizer = run(new RobotTrainCommand(), "--tokenizer", "fast", "--out", dir.resolve("x").toString());
        assertEquals(2, badTokenizer.code(), badTokenizer.err());
    }
}
