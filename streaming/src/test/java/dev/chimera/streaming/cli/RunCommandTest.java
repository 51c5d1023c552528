package dev.chimera.streaming.cli;

import static dev.chimera.streaming.cli.StreamCommandsTest.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.streaming.io.ArrowForecastReader;
import dev.chimera.streaming.record.ForecastRecord;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stream run} from its command line: a drained replay gives forecasts on a queue and the
 * same ones in an Arrow file; the tail prints them; a second run over the same input writes nothing
 * twice; the user's mistakes are one-line errors.
 */
class RunCommandTest {
    @TempDir
    Path dir;

    @Test
    void aDrainedReplayGivesTheSameForecastsOnAQueueAndInAnArrowFileAndARerunWritesNothingTwice() throws Exception {
        StreamCommandsTest.writeWide(dir.resolve("h.csv"), 672 + 2 * 96 + 5, "a", "b");
        Run replay = run("replay", "--csv", dir.resolve("h.csv").toString(), "--to", dir.resolve("in").toString(),
                "--series-from-columns");
        assertEquals(0, replay.code(), replay.err());
        Run queue = run("run", "--model", "etth1-point", "--in", dir.resolve("in").toString(), "--out",
                dir.resolve("out").toString(), "--drain", "--status-interval", "0");
        assertEquals(0, queue.code(), queue.err());
        assertTrue(queue.err().contains("1738 inputs = 6 forecasts + 0 dead letters + 1732 that completed no step"),
                queue.err());
        Run arrow = run("run", "--model", "etth1-point", "--in", dir.resolve("in").toString(), "--out",
                "arrow:" + dir.resolve("out.arrows"), "--drain", "--status-interval", "0");
        assertEquals(0, arrow.code(), arrow.err());

        Run tail = run("tail", "--queue", dir.resolve("out").toString(), "--json", "--from-start", "--drain");
        List<String> lines = tail.out().lines().toList();
        assertEquals(6, lines.size());
        assertTrue(lines.get(0).contains("\"type\":\"forecast\",\"series\":\"a\"") && lines.get(0).contains("\"horizon\":96"),
                lines.get(0));
        List<ForecastRecord> inArrow = ArrowForecastReader.readAll(dir.resolve("out.arrows"));
        assertEquals(6, inArrow.size());
        assertTrue(lines.get(5).contains("\"input_index\":" + inArrow.get(5).inputIndex()), lines.get(5));

        Run again = run("run", "--model", "etth1-point", "--in", dir.resolve("in").toString(), "--out",
                "arrow:" + dir.resolve("out.arrows"), "--drain", "--status-interval", "0");
        assertEquals(0, again.code(), again.err());
        List<ForecastRecord> after = ArrowForecastReader.readAll(dir.resolve("out.arrows"));
        assertEquals(6, after.size(), "a restart from the final snapshot writes nothing twice");
        for (int i = 0; i < 6; i++) {
            assertTrue(Arrays.equals(inArrow.get(i).point(), after.get(i).point()));
        }
    }

    @Test
    void mistakesAreOneLineErrors() {
        Run noQueue = run("run", "--model", "etth1-point", "--in", dir.resolve("missing").toString(), "--out",
                dir.resolve("out").toString(), "--drain");
        assertEquals(1, noQueue.code());
        assertTrue(noQueue.err().contains("--in " + dir.resolve("missing") + ": no such queue directory"), noQueue.err());
        assertEquals(1, noQueue.err().strip().lines().filter(l -> l.contains("error")).count(), noQueue.err());

        Run noModel = run("run", "--model", "no-such-model", "--in", dir.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, noModel.code());
        assertTrue(noModel.err().contains("--model no-such-model: no such directory, and not a shipped model"),
                noModel.err());

        Run strict = run("run", "--model", "etth1-point", "--in", dir.toString(), "--out", dir.resolve("o").toString(),
                "--strict");
        assertTrue(strict.code() != 0 && strict.err().contains("--strict needs --series"), strict.err());

        Run stdout = run("run", "--model", "etth1-point", "--in", dir.toString(), "--out", "-");
        assertEquals(1, stdout.code());
        assertTrue(stdout.err().contains("--out - (standard output) needs --snapshot-dir"), stdout.err());
    }

    private static Run run(String... args) {
        StreamCommandsTest.Run r = stream(args);
        return new Run(r.code(), r.out(), r.err());
    }

    record Run(int code, String out, String err) {
    }
}
