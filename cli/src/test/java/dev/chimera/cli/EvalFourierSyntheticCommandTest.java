package dev.chimera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * chimera eval fourier-synthetic with tiny settings: the table with its intervals and paired
 * differences, the JSON lines, the seed options, progress and errors.
 */
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
        assertTrue(r.out.contains("KL mean of last 2 epochs"), "2 epochs: both are averaged: " + r.out);
        String ci = "(-?\\d+\\.\\d{4}) ± (\\d+\\.\\d{4}) \\[(-?\\d+\\.\\d{4}), (-?\\d+\\.\\d{4})\\]";
        Pattern row = Pattern.compile("  (linear|fourier N=\\d+) +" + ci + " +" + ci + " +(\\d\\.\\d{4}) +"
                + "(\\d\\.\\d{4}) ± (\\d\\.\\d{4}) +(\\d\\.\\d{4})");
        Matcher m = row.matcher(r.out);
        int rows = 0;
        StringBuilder heads = new StringBuilder();
        while (m.find()) {
            rows++;
            heads.append(m.group(1)).append(';');
            for (int g : new int[] {2, 6}) {
                double mean = Double.parseDouble(m.group(g));
                double low = Double.parseDouble(m.group(g + 2));
                double high = Double.parseDouble(m.group(g + 3));
                assertTrue(mean > 0 && low <= mean && mean <= high, m.group());
                // Two seeds: the half-width is t(0.975, 1) = 12.706 times std / sqrt(2).
                double half = 12.706204736174694 * Double.parseDouble(m.group(g + 1)) / Math.sqrt(2);
                assertEquals(half, high - mean, 1e-3, m.group());
            }
        }
        assertEquals(4, rows, r.out);
        assertEquals("linear;fourier N=14;linear;fourier N=16;", heads.toString());
        Matcher diff = Pattern.compile("  fourier-linear +" + ci + " +" + ci + "\n  Fourier - linear, paired over 2 "
                + "seed\\(s\\): last epoch p = \\d\\.\\d{4}, (not significant|significant, \\w+ lower); last 2 epochs p = "
                + "\\d\\.\\d{4}, (not significant|significant, \\w+ lower)\n").matcher(r.out);
        assertTrue(diff.find() && diff.find() && !diff.find(), "a difference row and verdict per dataset: " + r.out);
        assertTrue(r.out.contains("0.1695 ± 0.0523") && r.out.contains("0.1297 ± 0.0369"),
                "gaussian: the repo's linear and gamma 1e-6 Fourier figures: " + r.out);
        assertTrue(Pattern.compile("\nFourier - linear KL, significant when its paired 95% t-interval excludes 0:\n"
                + "  gaussian  last epoch: [a-zA-Z ,]+; last 2 epochs: [a-zA-Z ,]+\n"
                + "  beta      last epoch: [a-zA-Z ,]+; last 2 epochs: [a-zA-Z ,]+\nwall time").matcher(r.out).find(),
                r.out);
        assertTrue(r.err.contains("[8/8]"), "one progress line per run on stderr: " + r.err);
        assertTrue(r.err.contains("(mean of the last 2 epochs "), r.err);
    }

    @Test
    void jsonIsOneObjectPerDatasetAndHead() {
        CliRun r = run(tiny("gmm2", "1,2", "--json", "--gamma", "0"));
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.trim().split("\n");
        assertEquals(2, lines.length, r.out);
        String number = "(-?\\d+\\.\\d{4})";
        String nulls = "\"diff_mean\":null,\"diff_std\":null,\"diff_ci95_low\":null,\"diff_ci95_high\":null,"
                + "\"diff_p_value\":null,\"significant\":null,\"diff_last10_mean\":null,\"diff_last10_std\":null,"
                + "\"diff_last10_ci95_low\":null,\"diff_last10_ci95_high\":null,\"diff_last10_p_value\":null,"
                + "\"significant_last10\":null";
        Pattern linear = Pattern.compile("\\{\"experiment\":\"fourier-synthetic\",\"dataset\":\"gmm2\",\"head\":\"linear\","
                + "\"frequencies\":null,\"gamma\":null,\"samples\":120,\"epochs\":2,\"seeds\":\"1,2\",\"kl_mean\":" + number
                + ",\"kl_std\":" + number + ",\"smoothness_mean\":" + number + ",\"uniform_kl\":" + number
                + ",\"paper_kl_mean\":0\\.2376,\"paper_kl_std\":0\\.0318,\"paper_smoothness\":0\\.0680,"
                + "\"train_seconds\":\\d+\\.\\d,\"kl_ci95_low\":" + number + ",\"kl_ci95_high\":" + number
                + ",\"averaged_epochs\":2,\"kl_last10_mean\":" + number + ",\"kl_last10_std\":" + number
                + ",\"kl_last10_ci95_low\":" + number + ",\"kl_last10_ci95_high\":" + number + "," + nulls + "}");
        assertTrue(linear.matcher(lines[0]).matches(), lines[0]);
        assertTrue(lines[1].startsWith("{\"experiment\":\"fourier-synthetic\",\"dataset\":\"gmm2\",\"head\":\"fourier\","
                + "\"frequencies\":6,\"gamma\":0.00000000,"), lines[1]);
        assertTrue(lines[1].contains("\"paper_kl_mean\":0.1289,\"paper_kl_std\":0.0157,\"paper_smoothness\":0.0344"),
                "gamma 0 is the paper's table: " + lines[1]);
        Matcher diff = Pattern.compile("\"diff_mean\":" + number + ",\"diff_std\":" + number + ",\"diff_ci95_low\":"
                + number + ",\"diff_ci95_high\":" + number + ",\"diff_p_value\":" + number
                + ",\"significant\":(true|false),\"diff_last10_mean\":" + number + ",\"diff_last10_std\":" + number
                + ",\"diff_last10_ci95_low\":" + number + ",\"diff_last10_ci95_high\":" + number
                + ",\"diff_last10_p_value\":" + number + ",\"significant_last10\":(true|false)}$").matcher(lines[1]);
        assertTrue(diff.find(), "the Fourier line carries the paired difference: " + lines[1]);
        double klLinear = Double.parseDouble(field(lines[0], "kl_mean"));
        double klFourier = Double.parseDouble(field(lines[1], "kl_mean"));
        assertEquals(klFourier - klLinear, Double.parseDouble(diff.group(1)), 2e-4, "the mean of the differences");
        double low = Double.parseDouble(diff.group(3));
        double high = Double.parseDouble(diff.group(4));
        assertEquals(low > 0 || high < 0, Boolean.parseBoolean(diff.group(6)), "significant: the interval excludes 0");
        assertEquals(Double.parseDouble(diff.group(5)) < 0.05, Boolean.parseBoolean(diff.group(6)), lines[1]);
    }

    private static String field(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":([^,}]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return m.group(1);
    }

    @Test
    void seedsAreAListWithRangesOrACountOfTheDefaultSequence() {
        CliRun count = run(with("--datasets", "gmm2", "--seed-count", "5", "--json"));
        assertEquals(0, count.code, count.err);
        assertTrue(count.out.contains("\"seeds\":\"1,2,3,42,4\""), count.out);
        CliRun range = run(with("--datasets", "gmm2", "--seeds", "7,2-4", "--json"));
        assertEquals(0, range.code, range.err);
        assertTrue(range.out.contains("\"seeds\":\"7,2,3,4\""), range.out);
        CliRun help = run("eval", "fourier-synthetic", "--help");
        assertTrue(help.out.contains("default: 12"), help.out);
    }

    @Test
    void aGammaWithoutReferenceFiguresPrintsDashes() {
        CliRun r = run(tiny("beta", "5", "--gamma", "1e-3"));
        assertEquals(0, r.code, r.err);
        Matcher m = Pattern.compile("  fourier N=16 +(\\d\\.\\d{4}) +(\\d\\.\\d{4}) +(\\d\\.\\d{4}) +- +-\n")
                .matcher(r.out);
        assertTrue(m.find(), "one seed: no std or interval; no paper figure for gamma 1e-3: " + r.out);
        assertTrue(r.out.contains("paired over 1 seed(s): last epoch one seed, no interval; last 2 epochs one seed, "
                + "no interval"), r.out);
    }

    @Test
    void badValuesAreOneLineErrors() {
        String[][] cases = {
            {"--datasets", "gaussian,gmm3"}, {"--datasets", "beta,beta"}, {"--epochs", "0"}, {"--seeds", "1,1"},
            {"--seeds", "1-3,2"}, {"--seeds", "5-3"}, {"--seeds", "x"}, {"--seed-count", "0"},
            {"--seeds", "1,2", "--seed-count", "2"},
            {"--samples", "5"}, {"--gamma", "-1"}, {"--threads", "0"}};
        String[] messages = {"unknown synthetic dataset 'gmm3'", "--datasets names 'beta' twice", "--epochs must be >= 1",
            "--seeds names 1 twice", "--seeds names 2 twice", "--seeds: the range 5-3 must run upwards",
            "--seeds: 'x' is not a seed", "--seed-count must be >= 1", "give --seeds or --seed-count, not both",
            "--samples must be >= 10", "--gamma must be finite and >= 0", "--threads must be >= 1"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = with(new String[] {"eval", "fourier-synthetic"}, cases[i]);
            CliRun r = run(args);
            assertEquals(1, r.code, String.join(" ", cases[i]) + ": " + r.err);
            assertTrue(r.err.contains(messages[i]), r.err);
            assertEquals(1, r.err.trim().split("\n").length, "one line: " + r.err);
        }
    }
}
