package dev.chimera.robotics.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.robotics.data.DemoFiles;
import dev.chimera.robotics.data.Episode;
import dev.chimera.robotics.sim.Demonstrations;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.UserException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chimera robot demos}: scripted pick-and-place demonstrations ({@link Demonstrations}) written
 * to a CSV or Arrow IPC file ({@link DemoFiles}), with a one-line summary.
 */
@Command(name = "demos", mixinStandardHelpOptions = true,
        description = "Writes scripted pick-and-place demonstrations (50 Hz) to a .csv or .arrow file.")
public final class DemosCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--episodes", paramLabel = "N", defaultValue = "200",
            description = "Episodes to record (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "7",
            description = "Seed of the layouts and the expert's jitter (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "FILE", required = true,
            description = "Output file; its extension picks the format: .csv or .arrow.")
    Path out;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        if (episodes < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--episodes must be >= 1, got " + episodes);
        }
        try {
            DemoFiles.format(out);
        } catch (UserException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out " + e.getMessage());
        }
        long start = System.nanoTime();
        List<Episode> demos = Demonstrations.generate(episodes, seed);
        double generateSeconds = (System.nanoTime() - start) / 1e9;
        DemoFiles.write(out, demos, Demonstrations.RATE_HZ);
        long frames = demos.stream().mapToLong(Episode::frames).sum();
        long succeeded = demos.stream().filter(Episode::success).count();
        double rate = (double) succeeded / episodes;
        PrintWriter o = spec.commandLine().getOut();
        if (json.enabled()) {
            o.println(new JsonLine().put("command", "demos").put("out", out.toString()).put("episodes", episodes)
                    .put("seed", seed).put("frames", frames).put("rate_hz", Demonstrations.RATE_HZ, 1)
                    .put("success_rate", rate, 4).put("generate_seconds", generateSeconds, 3));
        } else {
            o.println(String.format(Locale.ROOT, "wrote %d episodes, %d frames (%.1f s at %.0f Hz) to %s; "
                    + "expert success %.1f%% (%d/%d)", episodes, frames, frames / Demonstrations.RATE_HZ,
                    Demonstrations.RATE_HZ, out, 100.0 * rate, succeeded, episodes));
        }
        o.flush();
        return 0;
    }
}
