package dev.chimera.timeseries.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.UserErrorHandler;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The ts commands end to end on a small seeded series: train, eval --json, forecast (CSV, Arrow, chart), bad input. */
class TsCommandsTest {
    @TempDir
    static Path dir;
    static Path csv;
    static Path model;

    record Run(int code, String out, String err) {
    }

    static Run ts(String... args) {
        CommandLine cl = UserErrorHandler.install(new CommandLine(new TsCommand()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void trainATinyModel() throws IOException {
        csv = dir.resolve("toy.csv");
        Random r = new Random(3);
        StringBuilder sb = new StringBuilder("date,a,b\n");
        LocalDateTime t = LocalDateTime.of(2020, 1, 1, 0, 0);
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        for (int i = 0; i < 1600; i++) {
            double a = 10 + 3 * Math.sin(2 * Math.PI * i / 24) + 0.3 * r.nextGaussian();
            double b = -2 + Math.cos(2 * Math.PI * i / 24) + 0.01 * i + 0.2 * r.nextGaussian();
            sb.append(t.plusHours(i).format(f)).append(String.format(Locale.ROOT, ",%.4f,%.4f%n", a, b));
        }
        Files.writeString(csv, sb.toString());
        model = dir.resolve("model");
        Run train = ts("train", "--csv", csv.toString(), "--config", "tiny", "--lookback", "96", "--segment", "24",
                "--steps", "4", "--eval-every", "2", "--batch", "4", "--threads", "1", "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("kept      step"), train.out());
    }

    @Test
    void evalPrintsOneJsonObjectPerMethodAndHorizon() {
        Run eval = ts("eval", "--model", model.toString(), "--csv", csv.toString(), "--horizons", "24,48", "--json",
                "--threads", "1");
        assertEquals(0, eval.code(), eval.err());
        List<String> lines = eval.out().lines().toList();
        // model, ridge, repeat-last, seasonal-naive, ets: 2 horizons + avg each
        assertEquals(15, lines.size(), eval.out());
        assertTrue(lines.get(0).startsWith("{\"dataset\":\"toy\",\"method\":\"model\",\"horizon\":24,\"mse\":"),
                lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"method\":\"seasonal-naive\",\"horizon\":\"avg\"")));
        assertTrue(lines.stream().allMatch(l -> l.contains("\"wql\":")));
    }

    @Test
    void forecastWritesCsvArrowAndAChart() throws IOException {
        Path out = dir.resolve("f.csv");
        Path png = dir.resolve("f.png");
        Run run = ts("forecast", "--model", model.toString(), "--csv", csv.toString(), "--horizon", "30", "--at", "1500",
                "--out", out.toString(), "--plot", png.toString(), "--threads", "1");
        assertEquals(0, run.code(), run.err());
        List<String> rows = Files.readAllLines(out);
        assertEquals("series,timestamp,point", rows.get(0));
        assertEquals(1 + 2 * 30, rows.size());
        assertTrue(rows.get(1).startsWith("a,2020-03-03T12:00:00Z,"), rows.get(1)); // row 1500 = 62.5 days in
        assertTrue(Files.size(png) > 10_000);
        Path arrow = dir.resolve("f.arrow");
        assertEquals(0, ts("forecast", "--model", model.toString(), "--csv", csv.toString(), "--horizon", "5", "--out",
                arrow.toString(), "--threads", "1").code());
        assertTrue(Files.size(arrow) > 0);
    }

    @Test
    void aRunStoppedAndResumedEndsWithTheUninterruptedRunsWeights() throws IOException {
        List<String> common = List.of("--csv", csv.toString(), "--config", "tiny", "--lookback", "96", "--segment", "24",
                "--steps", "6", "--eval-every", "2", "--batch", "4", "--threads", "1");
        Path whole = dir.resolve("whole");
        Path parts = dir.resolve("parts");
        assertEquals(0, ts(args("train", common, "--out", whole.toString())).code());
        Run first = ts(args("train", common, "--out", parts.toString(), "--stop-at", "3"));
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("stopped   at step 3 of 6"), first.out());
        Run rest = ts("train", "--resume", "--out", parts.toString(), "--csv", csv.toString(), "--threads", "1");
        assertEquals(0, rest.code(), rest.err());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(whole.resolve("step-000000006/model.safetensors")),
                Files.readAllBytes(parts.resolve("step-000000006/model.safetensors"))));
        Run samples = ts("forecast", "--model", whole.toString(), "--csv", csv.toString(), "--horizon", "5",
                "--samples", "3", "--out", dir.resolve("s.csv").toString());
        assertEquals(1, samples.code());
        assertTrue(samples.err().contains("point model"), samples.err());
    }

    @Test
    void aPointDecoderIsKeptOnlyWhereItBeatsTheSkipBeyondTheNoise() {
        // a learning rate far too high for the residual: later checks are no better than the skip alone
        Run train = ts("train", "--csv", csv.toString(), "--config", "tiny", "--lookback", "96", "--segment", "24",
                "--steps", "6", "--eval-every", "2", "--batch", "4", "--lr", "0.05", "--threads", "1", "--out",
                dir.resolve("too-fast").toString());
        assertEquals(0, train.code(), train.err());
        List<String> checks = train.err().lines().filter(l -> l.startsWith("step ") && l.contains("validation MSE"))
                .toList();
        assertEquals(4, checks.size(), train.err());
        assertTrue(checks.get(0).endsWith("(best so far)"), checks.get(0));
        for (String later : checks.subList(1, 4)) {
            assertTrue(later.contains("not below the skip's") && later.contains("beyond the noise, t "), later);
        }
        assertTrue(train.out().contains("kept      step 0:"), train.out());
    }

    private static String[] args(String command, List<String> common, String... more) {
        List<String> all = new java.util.ArrayList<>(List.of(command));
        all.addAll(common);
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    @Test
    void badInputIsOneLineNamingTheFileLineAndColumn() throws IOException {
        Path bad = dir.resolve("bad.csv");
        List<String> lines = Files.readAllLines(csv);
        lines.set(5, lines.get(5).replaceFirst(",[^,]*,", ",abc,"));
        Files.write(bad, lines);
        Run run = ts("baseline", "--csv", bad.toString(), "--lookback", "48", "--horizons", "24");
        assertEquals(1, run.code());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().contains("line 6, column 'a'") && run.err().contains("'abc'"), run.err());

        Run target = ts("eval", "--model", model.toString(), "--csv", csv.toString(), "--target", "nope");
        assertEquals(1, target.code());
        assertTrue(target.err().contains("'nope'") && !target.err().contains("\tat "), target.err());

        Path smallTrain = dir.resolve("small.csv");
        Files.write(smallTrain, Files.readAllLines(csv).subList(0, 701));
        Run shorter = ts("train", "--csv", smallTrain.toString(), "--config", "tiny", "--lookback", "96", "--segment",
                "24", "--steps", "2", "--eval-every", "1", "--threads", "1", "--out", dir.resolve("small").toString());
        assertEquals(0, shorter.code(), shorter.err());
        assertTrue(shorter.err().contains("holds sequences of 16 segments, not 37"), shorter.err());

        Path shortFile = dir.resolve("short.csv");
        Files.write(shortFile, Files.readAllLines(csv).subList(0, 40));
        Run tooShort = ts("train", "--csv", shortFile.toString(), "--lookback", "48", "--segment", "24", "--out",
                dir.resolve("never").toString());
        assertEquals(1, tooShort.code());
        assertTrue(tooShort.err().contains("shorter than lookback + one segment"), tooShort.err());
        assertFalse(Files.exists(dir.resolve("never").resolve("latest")));

        Run notAModel = ts("eval", "--model", dir.toString(), "--csv", csv.toString());
        assertEquals(1, notAModel.code());
        assertEquals(1, notAModel.err().lines().count(), notAModel.err());
    }
}
