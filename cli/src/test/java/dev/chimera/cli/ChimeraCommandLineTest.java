package dev.chimera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.model.ModelConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class ChimeraCommandLineTest {
    @TempDir
    Path dir;

    /** Exit code, stdout and stderr of one invocation. */
    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    @Test
    void rootHelpListsTheSubcommands() {
        CliRun r = run("--help");
        assertEquals(0, r.code);
        assertTrue(r.out.contains("demo"), r.out);
        assertTrue(r.out.contains("bench"), r.out);
    }

    @Test
    void everySubcommandHasHelp() {
        List<String[]> paths = new ArrayList<>();
        collect(Chimera.commandLine(), new ArrayList<>(), paths);
        assertTrue(paths.size() >= 3, "expected demo, bench and bench gemm at least");
        for (String[] path : paths) {
            String[] args = java.util.Arrays.copyOf(path, path.length + 1);
            args[path.length] = "--help";
            CliRun r = run(args);
            assertEquals(0, r.code, String.join(" ", args) + ": " + r.err);
            assertTrue(r.out.startsWith("Usage: chimera"), String.join(" ", args) + " printed: " + r.out);
        }
    }

    @Test
    void aCommandNamedFirstIsTheOnlyOneBuiltAndHelpsAsInTheWholeTree() {
        CommandLine all = Chimera.commandLine();
        for (String name : all.getSubcommands().keySet()) {
            CommandLine one = Chimera.commandLine(name);
            if (name.equals("help")) {
                assertEquals(all.getSubcommands().keySet(), one.getSubcommands().keySet(), "help needs every command");
                continue;
            }
            assertEquals(List.of(name), List.copyOf(one.getSubcommands().keySet()), name);
            assertEquals(all.getSubcommands().get(name).getUsageMessage(), one.getSubcommands().get(name).getUsageMessage(),
                    name);
        }
        for (String first : new String[] {"--help", "strem", null}) {
            assertEquals(all.getSubcommands().keySet(), Chimera.commandLine(first).getSubcommands().keySet(),
                    "first argument " + first);
        }
    }

    /** Picocli formats every description (String.format): a bare '%' makes it warn on stderr and print the raw text. */
    @Test
    void everyHelpRendersWithoutPicocliWarnings() {
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            renderAll(Chimera.commandLine());
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", warnings.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void renderAll(CommandLine cl) {
        cl.getUsageMessage();
        cl.getSubcommands().values().forEach(ChimeraCommandLineTest::renderAll);
    }

    private static void collect(CommandLine cl, List<String> prefix, List<String[]> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            out.add(path.toArray(new String[0]));
            collect(e.getValue(), path, out);
        }
    }

    @Test
    void benchGemmJsonPrintsOneLinePerFormWithARealFigure() {
        CliRun r = run("bench", "gemm", "--size", "96", "--threads", "1", "--seconds", "0.05", "--reference", "none",
                "--json");
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.trim().split("\n");
        assertEquals(3, lines.length, r.out);
        Pattern p = Pattern.compile("\\{\"op\":\"gemm\",\"case\":\"square 96\",\"form\":\"(AB|ABt|AtB)\",\"m\":96,\"n\":96,"
                + "\"k\":96,\"threads\":1,\"gflops\":([0-9.]+)}");
        for (String line : lines) {
            Matcher m = p.matcher(line);
            assertTrue(m.matches(), line);
            assertTrue(Double.parseDouble(m.group(2)) > 0.1, line);
        }
    }

    @Test
    void benchGemmTableHasAHeaderAndOneRowPerCase() {
        CliRun r = run("bench", "gemm", "--size", "33", "--form", "ABt", "--threads", "2", "--seconds", "0.05",
                "--reference", "none");
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.trim().split("\n");
        assertEquals(4, lines.length, r.out);
        assertTrue(lines[3].startsWith("square 33") && lines[3].contains("ABt"), lines[3]);
    }

    @Test
    void badValuesAreOneLineErrorsWithExitCode1() {
        CliRun r = run("bench", "gemm", "--form", "AxB");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("--form must be AB, ABt, AtB or all, got 'AxB'"), r.err);
        assertEquals(1, r.err.trim().split("\n").length, "one line, no stack trace: " + r.err);

        CliRun zero = run("bench", "gemm", "--size", "0", "--reference", "none");
        assertEquals(1, zero.code);
        assertTrue(zero.err.contains("--size must be between 1 and 8192, got 0"), zero.err);
    }

    @Test
    void userMistakesInConfigSpanAndDeviceAreOneLineErrorsWithExitCode1() throws IOException {
        Path notJson = Files.writeString(dir.resolve("broken.json"), "{ \"dModel\": ");
        Path invalid = Files.writeString(dir.resolve("invalid.json"), ModelConfig.tiny().toJson()
                .replace("\"nLayers\" : 2", "\"nLayers\" : 0"));
        String[][] cases = {
            {"bench", "step", "--config", notJson.toString()},
            {"bench", "train-step", "--config", invalid.toString()},
            {"bench", "step", "--config", "tiny", "--span", "window:0"},
            {"bench", "long", "--config", "tiny", "--spans", "full,windw:8"},
            {"bench", "gemm", "--device", "cuda"}};
        String[] messages = {
            "chimera bench step: error: " + notJson + ": not valid JSON",
            "chimera bench train-step: error: " + invalid + ": model config: nLayers: 0 must be >= 1",
            "chimera bench step: error: --span must be full or window:W (W >= 1), got 'window:0'",
            "chimera bench long: error: --spans must be full or window:W (W >= 1), got 'windw:8'",
            "chimera bench gemm: error: --device must be one of cpu, cpu-scalar, gpu, got 'cuda'"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = run(cases[i]);
            assertEquals(1, r.code, String.join(" ", cases[i]) + ": " + r.err);
            assertTrue(r.err.startsWith(messages[i]), r.err);
            assertEquals(1, r.err.strip().lines().count(), "one line, no stack trace: " + r.err);
        }
    }

    /** Stands for a bug inside a command: core-model's shape checks throw IllegalArgumentException. */
    @Command(name = "broken")
    static final class Broken implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalArgumentException("inputs are batch 2 x length 8, the buffers batch 4 x length 8");
        }
    }

    @Test
    void anInternalIllegalArgumentExceptionInsideACommandPrintsItsStackTrace() {
        CommandLine cl = Chimera.commandLine();
        cl.addSubcommand(new Broken());
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(1, cl.execute("broken"));
        assertTrue(err.toString().startsWith("java.lang.IllegalArgumentException: inputs are batch 2 x length 8"),
                err.toString());
        assertTrue(err.toString().contains("at dev.chimera.cli.ChimeraCommandLineTest$Broken.call"), err.toString());
        assertFalse(err.toString().contains(": error: "), "not reported as the user's mistake: " + err);
    }

    @Test
    void deviceGpuWithoutAGpuRunsOnTheCpuSayingWhy() {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        CliRun r;
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            r = run("eval", "mqar", "--vocab", "16", "--seq", "16", "--pairs", "2", "--d-model", "16", "--layers", "2",
                    "--batch", "2", "--steps", "1", "--threads", "1", "--json", "--device", "gpu");
        } finally {
            System.setErr(saved);
        }
        assertEquals(0, r.code, r.err);
        String said = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        if (dev.chimera.cuda.Gpu.available()) {
            assertTrue(said.contains("chimera: --device gpu: ") && said.contains("not built yet"), said);
        } else {
            assertTrue(said.contains("chimera: --device gpu: no GPU: " + dev.chimera.cuda.Gpu.reason()
                    + "; running on the CPU"), said);
        }
        assertTrue(r.out.contains("\"accuracy\""), r.out);
    }

    @Test
    void unknownOptionsAreUsageErrorsWithExitCode2() {
        CliRun r = run("bench", "gemm", "--no-such-option");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--no-such-option"), r.err);
    }

    @Test
    void evalMqarPrintsOneJsonLinePerModelAndATableOtherwise() {
        String[] tiny = {"eval", "mqar", "--vocab", "16", "--seq", "16", "--pairs", "2", "--d-model", "16",
            "--layers", "2", "--batch", "2", "--steps", "2", "--threads", "1"};
        CliRun json = run(concat(tiny, "--json"));
        assertEquals(0, json.code, json.err);
        String[] lines = json.out.trim().split("\n");
        assertEquals(3, lines.length, json.out);
        assertTrue(lines[2].matches("\\{\"op\":\"eval-mqar\",\"arm\":\"hybrid\",\"pattern\":\"MA\",\"params\":\\d+,"
                + "\"seq\":16,\"pairs\":2,\"vocab\":16,\"steps\":2,\"batch\":2,\"accuracy\":[0-9.]+,"
                + "\"eval_loss\":[0-9.]+,\"seconds\":[0-9.]+}"), lines[2]);
        assertTrue(json.err.contains("hybrid: step 2/2"), json.err);

        CliRun table = run(concat(tiny, "--arms", "hybrid"));
        assertEquals(0, table.code, table.err);
        assertTrue(table.out.contains("hybrid     MA"), table.out);
        assertTrue(table.out.contains("target: the hybrid reaches at least 95% query accuracy"), table.out);

        CliRun bad = run("eval", "mqar", "--pairs", "200");
        assertEquals(1, bad.code);
        assertTrue(bad.err.contains("MQAR needs vocab >= 4 and 1 <= pairs < vocab/2"), bad.err);
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
