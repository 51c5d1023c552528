package dev.chimera.robotics.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.robotics.policy.ActionPolicy;
import dev.chimera.robotics.policy.PolicyModel;
import dev.chimera.robotics.sim.PickPlaceSim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code robot train} then {@code robot eval}, small: the run's files, the JSON keys, resume, and a reloaded policy planning the same bits. */
class RobotTrainEvalTest {
    @TempDir
    Path dir;

    static CommandRun run(Callable<Integer> command, String... args) {
        return CommandRun.of(command, args);
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
            CommandRun train = run(new RobotTrainCommand(), "--tokenizer", tokenizer, "--out", out.toString(), "--episodes", "12",
                    "--steps", "6", "--batch", "4", "--checkpoint-every", "3", "--stop-at", "3", "--validation-episodes", "1",
                    "--threads", "1");
            assertEquals(0, train.code(), train.err());
            CommandRun resumed = run(new RobotTrainCommand(), "--tokenizer", tokenizer, "--out", out.toString(), "--episodes",
                    "12", "--steps", "6", "--batch", "4", "--checkpoint-every", "3", "--resume", "--validation-episodes", "1",
                    "--threads", "1");
            assertEquals(0, resumed.code(), resumed.err());
            assertTrue(resumed.err().contains("resuming"), resumed.err());
            assertTrue(Files.readString(out.resolve("COMMAND")).startsWith("./chimera robot train --tokenizer " + tokenizer
                    + " --members 3"));
            for (int k = 1; k <= 3; k++) {
                assertTrue(Files.isRegularFile(out.resolve("member-" + k).resolve("latest")), "member " + k);
            }
            assertTrue(Files.isRegularFile(out.resolve(PolicyModel.ENSEMBLE_FILE)));
            CommandRun again = run(new RobotTrainCommand(), "--tokenizer", tokenizer, "--out", out.toString(), "--episodes",
                    "12", "--steps", "6", "--batch", "4", "--checkpoint-every", "3", "--resume", "--validation-episodes", "1",
                    "--threads", "1");
            assertEquals(0, again.code(), again.err());
            assertTrue(again.out().contains("nothing to do"), again.out());
            CommandRun eval = run(new RobotEvalCommand(), "--model", out.toString(), "--episodes", "2", "--json", "--threads", "1");
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
        }
    }

    @Test
    void oneMemberIsAPlainRunDirectory() throws Exception {
        Path out = dir.resolve("single");
        CommandRun train = run(new RobotTrainCommand(), "--members", "1", "--out", out.toString(), "--episodes", "12",
                "--steps", "3", "--batch", "4", "--validation-episodes", "1", "--threads", "1");
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.isRegularFile(out.resolve("latest")));
        assertFalse(Files.exists(out.resolve("member-1")));
        assertFalse(Files.exists(out.resolve(PolicyModel.ENSEMBLE_FILE)));
        try (ComputePool pool = new ComputePool(1)) {
            assertEquals(1, PolicyModel.open(out, Backends.cpu(pool)).members().size());
        }
    }

    @Test
    void anEnsembleOfMismatchedOrUnfinishedMembersIsOneLine() throws Exception {
        Path beast = dir.resolve("beast");
        Path binning = dir.resolve("binning");
        for (Path out : List.of(beast, binning)) {
            CommandRun train = run(new RobotTrainCommand(), "--tokenizer", out.getFileName().toString(), "--members", "1",
                    "--out", out.toString(), "--episodes", "12", "--steps", "3", "--batch", "4", "--validation-episodes",
                    "1", "--threads", "1");
            assertEquals(0, train.code(), train.err());
        }
        Path mixed = dir.resolve("mixed");
        copyTree(beast, mixed.resolve("member-1"));
        copyTree(binning, mixed.resolve("member-2"));
        CommandRun eval = run(new RobotEvalCommand(), "--model", mixed.toString(), "--episodes", "1");
        assertEquals(1, eval.code());
        assertTrue(eval.err().contains(mixed.resolve("member-2") + ": its codec, layout or scalers differ"), eval.err());
        Path unfinished = dir.resolve("unfinished");
        copyTree(beast, unfinished.resolve("member-1"));
        eval = run(new RobotEvalCommand(), "--model", unfinished.toString(), "--episodes", "1");
        assertEquals(1, eval.code());
        assertTrue(eval.err().contains("an ensemble without " + PolicyModel.ENSEMBLE_FILE), eval.err());
        assertEquals(1, eval.err().strip().lines().count(), eval.err());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    @Test
    void badInputIsOneLine() {
        CommandRun notAModel = run(new RobotEvalCommand(), "--model", dir.resolve("nothing").toString());
        assertEquals(1, notAModel.code());
        assertTrue(notAModel.err().contains(": error: --model " + dir.resolve("nothing") + ": not a Chimera model"),
                notAModel.err());
        assertEquals(1, notAModel.err().strip().lines().count(), notAModel.err());
        CommandRun badTokenizer = run(new RobotTrainCommand(), "--tokenizer", "fast", "--out", dir.resolve("x").toString());
        assertEquals(2, badTokenizer.code(), badTokenizer.err());
    }
}
