package dev.chimera.robotics.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.robotics.data.Trajectories;
import dev.chimera.robotics.data.TrajectoryCsv;
import dev.chimera.robotics.sim.Demonstrations;
import dev.chimera.robotics.tokenize.BeastSettings;
import dev.chimera.robotics.tokenize.Continuity;
import dev.chimera.robotics.tokenize.TokenizerHarness;
import dev.chimera.runtime.JsonOption;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code chimera robot tokenizers}: BEAST against per-step binning and FAST on the scripted
 * demonstrations or a user's trajectory CSV ({@link TrajectoryCsv}), measured by
 * {@link TokenizerHarness}: tokens per chunk, reconstruction MSE, jerk, boundary jumps and the time
 * to encode and decode a chunk.
 */
@Command(name = "tokenizers", mixinStandardHelpOptions = true,
        description = "Compares action tokenizers (BEAST B-splines, per-step binning, FAST) on held-out episodes.")
public final class TokenizersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--csv", paramLabel = "F",
            description = "Trajectories: columns episode,timestamp,<one per DoF> (default: the scripted demonstrations).")
    Path csv;

    @Option(names = "--gripper", paramLabel = "COL", split = ",",
            description = "DoF columns of --csv that are binary grippers.")
    List<String> grippers = List.of();

    @Option(names = "--chunk", paramLabel = "T", description = "Steps per chunk (default: 1 s of data, at least 4).")
    Integer chunk;

    @Option(names = "--rate", paramLabel = "HZ",
            description = "Sampling rate of --csv (default: from the median timestamp step).")
    Double rate;

    @Option(names = "--control-points", paramLabel = "N",
            description = "BEAST control points per DoF (default: the fewest from T/4 up to T-2 whose training MSE is "
                    + "under half of binning's, else the lowest).")
    int controlPoints;

    @Option(names = "--degree", paramLabel = "P", defaultValue = "4",
            description = "BEAST spline degree, lowered to N-1 (default: ${DEFAULT-VALUE}).")
    int degree;

    @Option(names = "--continuity", paramLabel = "c0|c1", defaultValue = "c0",
            description = "BEAST joins chunks in position (c0) or also in velocity (c1) (default: ${DEFAULT-VALUE}).")
    String continuity;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        Continuity joint = continuity();
        Trajectories data = data();
        int steps = chunk != null ? chunk : Math.max(4, (int) Math.round(data.rateHz()));
        if (steps < joint.pinned() + 1) {
            throw usage("--chunk must be at least " + (joint.pinned() + 1) + " with --continuity " + continuity
                    + ", got " + steps);
        }
        if (controlPoints != 0 && (controlPoints < joint.pinned() + 1 || controlPoints > steps)) {
            throw usage("--control-points must be between " + (joint.pinned() + 1) + " and the chunk's " + steps
                    + " steps, got " + controlPoints);
        }
        if (degree < 1) {
            throw usage("--degree must be at least 1, got " + degree);
        }
        TokenizerHarness.Report report = TokenizerHarness.run(data, new TokenizerHarness.Settings(steps, controlPoints,
                degree, BeastSettings.DEFAULT_LAMBDA, joint, 300));
        PrintWriter out = spec.commandLine().getOut();
        if (json.enabled()) {
            printJson(out, report, steps);
        } else {
            printTable(out, report, data, steps);
        }
        out.flush();
        return 0;
    }

    private Continuity continuity() {
        try {
            return Continuity.parse(continuity);
        } catch (IllegalArgumentException e) {
            throw usage("--continuity must be c0 or c1, got '" + continuity + "'");
        }
    }

    private Trajectories data() {
        if (rate != null && !(rate > 0 && Double.isFinite(rate))) {
            throw usage("--rate must be a positive number of Hz, got " + rate);
        }
        if (chunk != null && chunk < 2) {
            throw usage("--chunk must be at least 2 steps, got " + chunk);
        }
        if (csv == null) {
            if (!grippers.isEmpty() || rate != null) {
                throw usage("--gripper and --rate describe a --csv file; the demonstrations know theirs");
            }
            return Demonstrations.defaultActions();
        }
        return TrajectoryCsv.read(csv, grippers, rate == null ? 0 : rate);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static void printJson(PrintWriter out, TokenizerHarness.Report report, int steps) {
        for (TokenizerHarness.Score s : report.scores()) {
            JsonLine line = new JsonLine().put("method", s.method())
                    .put("tokens_per_chunk", s.tokensPerChunk(), 3)
                    .put("mse", s.mse(), 12)
                    .put("jerk_rms", s.jerkRms(), 3)
                    .put("boundary_jump", s.boundaryJump(), 12)
                    .put("encode_us", s.encodeUs(), 3)
                    .put("decode_us", s.decodeUs(), 3);
            if (s.method().equals("beast")) {
                line.put("control_points", report.beast().controlPoints()).put("degree", report.beast().degree())
                        .put("continuity", report.beast().continuity().name().toLowerCase(Locale.ROOT));
            }
            line.put("chunk", steps).put("rate", report.rateHz(), 6).put("data_jerk_rms", report.dataJerkRms(), 3)
                    .put("train_episodes", report.trainEpisodes()).put("test_episodes", report.testEpisodes())
                    .put("held_out", report.heldOut());
            out.println(line);
        }
    }

    private void printTable(PrintWriter out, TokenizerHarness.Report report, Trajectories data, int steps) {
        int grippers = 0;
        for (boolean g : data.gripper()) {
            grippers += g ? 1 : 0;
        }
        out.printf(Locale.ROOT, "data: %s, %d DoF (%d gripper), %.6g Hz, chunks of %d steps (%.3g s)%n",
                csv == null ? "scripted demonstrations" : csv.toString(), data.dof(), grippers, report.rateHz(), steps,
                steps / report.rateHz());
        out.printf(Locale.ROOT, "episodes: %d to fit, %d to measure%s%n", report.trainEpisodes(), report.testEpisodes(),
                report.heldOut() ? "" : " (fewer than 5 episodes: fitted and measured on the same ones)");
        BeastSettings b = report.beast();
        out.printf(Locale.ROOT, "BEAST: N = %d control points, degree %d, %s, lambda %.0e%n", b.controlPoints(),
                b.degree(), b.continuity(), b.lambda());
        out.println("units: normalised (1st..99th percentile of each DoF -> -1..1); jerk over the continuous DoF");
        out.printf(Locale.ROOT, "%-8s %13s %12s %12s %14s %10s %10s%n", "method", "tokens/chunk", "mse", "jerk_rms",
                "boundary_jump", "encode_us", "decode_us");
        for (TokenizerHarness.Score s : report.scores()) {
            out.printf(Locale.ROOT, "%-8s %13.2f %12.4e %12.4g %14.4e %10.2f %10.2f%n", s.method(), s.tokensPerChunk(),
                    s.mse(), s.jerkRms(), s.boundaryJump(), s.encodeUs(), s.decodeUs());
        }
        out.printf(Locale.ROOT, "%-8s %13s %12s %12.4g%n", "data", "", "", report.dataJerkRms());
    }
}
