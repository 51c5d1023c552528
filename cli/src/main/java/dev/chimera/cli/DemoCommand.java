package dev.chimera.cli;

import dev.chimera.genomics.cli.DnaDemo;
import dev.chimera.robotics.cli.RobotDemo;
import dev.chimera.streaming.cli.StreamDemo;
import dev.chimera.timeseries.cli.TsDemo;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.DemoPart;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code chimera demo}: every domain's job end to end on built-in defaults, one part after another
 * ({@link DemoPart}; each domain owns its part and its options), then the total time. The GEMM and
 * train-step benchmarks live in {@code chimera bench}.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = "Runs each domain's job end to end on built-in defaults, in a few minutes on 2 cores:")
final class DemoCommand implements Callable<Integer> {
    private CommandSpec spec;

    @Mixin
    ComputeOptions compute;

    /** The DNA part; a mixin, so that its --model is the demo's option. */
    @Mixin
    DnaDemo dna;

    /** The time-series part; its options are --ts-model, --ts-csv and --ts-plot. */
    @Mixin
    TsDemo timeSeries;

    /** The stream consumer's part; its option is --stream-csv. */
    @Mixin
    StreamDemo stream;

    /** The robotics part; its option is --robot-episodes. */
    @Mixin
    RobotDemo robot;

    /** The parts in the order they run; a new domain adds its part as a mixin above and here. */
    private List<DemoPart> parts() {
        return List.of(dna, timeSeries, stream, robot);
    }

    /**
     * Takes the command's spec and adds each part's description to the help. Picocli calls this
     * after it has made the mixins, which is why the parts can be asked here and not in the
     * annotation.
     */
    @Spec
    void spec(CommandSpec commandSpec) {
        spec = commandSpec;
        List<String> lines = new ArrayList<>(List.of(commandSpec.usageMessage().description()));
        for (DemoPart part : parts()) {
            lines.addAll(part.description());
        }
        commandSpec.usageMessage().description(lines.toArray(new String[0]));
    }

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        CommandLine cl = spec.commandLine();
        int threadCount = compute.threads();
        return run(parts(), new DemoPart.Context(cl.getOut(), cl.getErr(), threadCount, DemoCommand::chimera), t0);
    }

    /** Runs the parts in turn, a blank line between two, then the time since {@code t0}; stops at a part that fails. */
    static int run(List<DemoPart> parts, DemoPart.Context context, long t0) throws IOException {
        PrintWriter out = context.out();
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                out.println();
            }
            int code = parts.get(i).run(context);
            if (code != 0) {
                return code;
            }
        }
        out.println();
        out.printf(Locale.ROOT, "demo finished in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        out.flush();
        return 0;
    }

    /** Runs {@code chimera ARGS} in this process on the given writers; returns its exit code. */
    private static int chimera(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = Chimera.commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }
}
