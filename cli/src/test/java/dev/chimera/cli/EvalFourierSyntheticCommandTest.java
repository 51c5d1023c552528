package dev.chimera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** chimera eval fourier-synthetic with tiny settings: the table, the JSON lines, progress and errors. */
class EvalFourierSyntheticCommandTest {
    private static final String[] TINY = {"eval", "fourier-synthetic", "--epochs", "2", "--samples", "120",
        "--threads", "2"};

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    /** The tiny settings on the given datasets and seeds, plus extra options (picocli appends repeated list options). */
    private static String[] tiny(String datasets, String seeds, String... extra) {
        return with(with(extra), "--datasets", datasets, "--seeds", seeds);
    }

    private static String[] with(String... extra) {
        return with(TINY, extra);
    }

    private static String[] with(String[] base, String... extra) {
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return args;
    }

    @Test
    void tablePerDatasetWithThePapersFiguresBeside() {
        CliRun r = run(tiny("gaussian,beta", "1,2"));
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith("Fourier head synthetic experiment"), r.out);
        assertTrue(r.out.contains("120 samples (96 train, 24 test), 50 bins"), r.out);
        assertTrue(r.out.contains("NOTE: not the paper's protocol: 2 epochs, fewer than the paper's 500"), r.out);
        assertTrue(r.out.contains("\ngaussian: ") && r.out.contains("\nbeta: ") && !r.out.contains("\ngmm2: "), r.out);
        Pattern row = Pattern.compile("  (linear|fourier N=\\d+) +(\\d\\.\\d{4}) ± (\\d\\.\\d{4}) +(\\d\\.\\d{4}) +"
                + "(\\d\\.\\d{4}) ± (\\d\\.\\d{4}) +(\\d\\.\\d{4})");
        Matcher m = row.matcher(r.out);
        int rows = 0;
        StringBuilder heads = new StringBuilder();
        while (m.find()) {
            rows++;
            heads.append(m.group(1)).append(';');
            assertTrue(Double.parseDouble(m.group(2)) > 0, m.group());
        }
        assertEquals(4, rows, r.out);
        assertEquals("linear;fourier N=14;linear;fourier N=16;", heads.toString());
        assertTrue(r.out.contains("0.1695 ± 0.0523") && r.out.contains("0.1297 ± 0.0369"),
                "gaussian: the repo's linear and gamma 1e-6 Fourier figures: " + r.out);
        assertTrue(r.out.contains("wall time"), r.out);
        assertTrue(r.err.contains("[8/8]"), "one progress line per run on stderr: " + r.err);
    }

    @Test
    void jsonIsOneObjectPerDatasetAndHead() {
        CliRun r = run(tiny("gmm2", "1,2", "--json", "--gamma", "0"));
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.trim().split("\n");
        assertEquals(2, lines.length, r.out);
        String number = "(\\d+\\.\\d{4})";
        Pattern linear = Pattern.compile("\\{\"experiment\":\"fourier-synthetic\",\"dataset\":\"gmm2\",\"head\":\"linear\","
                + "\"frequencies\":null,\"gamma\":null,\"samples\":120,\"epochs\":2,\"seeds\":\"1,2\",\"kl_mean\":" + number
                + ",\"kl_std\":" + number + ",\"smoothness_mean\":" + number + ",\"uniform_kl\":" + number
                + ",\"paper_kl_mean\":0\\.2376,\"paper_kl_std\":0\\.0318,\"paper_smoothness\":0\\.0680,"
                + "\"train_seconds\":\\d+\\.\\d}");
        assertTrue(linear.matcher(lines[0]).matches(), lines[0]);
        assertTrue(lines[1].startsWith("{\"experiment\":\"fourier-synthetic\",\"dataset\":\"gmm2\",\"head\":\"fourier\","
                + "\"frequencies\":6,\"gamma\":0.00000000,"), lines[1]);
        assertTrue(lines[1].contains("\"paper_kl_mean\":0.1289,\"paper_kl_std\":0.0157,\"paper_smoothness\":0.0344"),
                "gamma 0 is the paper's table: " + lines[1]);
    }

    @Test
    void aGammaWithoutReferenceFiguresPrintsDashes() {
        CliRun r = run(tiny("beta", "5", "--gamma", "1e-3"));
        assertEquals(0, r.code, r.err);
        Matcher m = Pattern.compile("  fourier N=16 +(\\d\\.\\d{4}) +(\\d\\.\\d{4}) +- +-").matcher(r.out);
        assertTrue(m.find(), "one seed: no std; no paper figure for gamma 1e-3: " + r.out);
    }

    @Test
    void badValuesAreOneLineErrors() {
        String[][] cases = {
            {"--datasets", "gaussian,gmm3"}, {"--datasets", "beta,beta"}, {"--epochs", "0"}, {"--seeds", "1,1"},
            {"--samples", "5"}, {"--gamma", "-1"}, {"--threads", "0"}};
        String[] messages = {"unknown synthetic dataset 'gmm3'", "--datasets names 'beta' twice", "--epochs must be >= 1",
            "--seeds names 1 twice", "--samples must be >= 10", "--gamma must be finite and >= 0", "--threads must be >= 1"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = run("eval", "fourier-synthetic", cases[i][0], cases[i][1]);
            assertEquals(1, r.code, String.join(" ", cases[i]) + ": " + r.err);
            assertTrue(r.err.contains(messages[i]), r.err);
            assertEquals(1, r.err.trim().split("\n").length, "one line: " + r.err);
        }
    }
}
