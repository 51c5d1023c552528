package dev.chimera.robotics.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.robotics.policy.ActionPolicy;
import dev.chimera.robotics.policy.PolicyEvaluation;
import dev.chimera.robotics.policy.PolicyModel;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.JsonOption;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code chimera robot eval}: a trained policy, closed-loop in the simulator, on held-out episodes. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Runs a policy in the pick-and-place simulator on held-out episodes: success rate, planning time, jerk.")
public final class RobotEvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Option(names = "--model", required = true, description = "A policy directory from 'robot train'.")
    Path model;

    @Option(names = "--episodes", defaultValue = "200", description = "Held-out episodes (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--seed", defaultValue = "" + PolicyEvaluation.HELD_OUT_SEED,
            description = "Seed of the first episode; no demonstration uses these (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (episodes < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--episodes must be >= 1, got " + episodes);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (ComputePool pool = new ComputePool(compute.threads())) {
            PolicyModel policy = PolicyModel.open(model, compute.backend(pool));
            PolicyEvaluation.Result r = PolicyEvaluation.run(new ActionPolicy(policy), episodes, seed);
            print(out, r, json.enabled());
        }
        return 0;
    }

    /** One line: JSON with the keys, or words. */
    public static void print(PrintWriter out, PolicyEvaluation.Result r, boolean json) {
        if (json) {
            out.println(new JsonLine().put("policy", r.policy()).put("success_rate", r.successRate(), 4)
                    .put("episodes", r.episodes()).put("ms_per_chunk", r.msPerChunk(), 3).put("jerk_rms", r.jerkRms(), 2).put("grasp_rate", (double) r.grasps() / r.episodes(), 4));
        } else {
            out.printf(Locale.ROOT, "%-8s success %5.1f %% of %d held-out episodes (object grasped in %.1f %%), %.2f ms per "
                    + "chunk, jerk rms %.1f%n", r.policy(), 100 * r.successRate(), r.episodes(),
                    100.0 * r.grasps() / r.episodes(), r.msPerChunk(), r.jerkRms());
        }
        out.flush();
    }
}
