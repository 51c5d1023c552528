package dev.chimera.robotics.cli;

import dev.chimera.runtime.Checkout;
import dev.chimera.runtime.DemoPart;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The robotics part of {@code chimera demo}: the tokenizer table over the scripted demonstrations
 * ({@code robot tokenizers}), then the shipped BEAST policy and the binning policy it is compared
 * with, each closed-loop in the simulator on a few held-out episodes ({@code robot eval}).
 */
public final class RobotDemo implements DemoPart {
    static final String BEAST_MODEL = "robot-beast";
    static final String BINNING_MODEL = "robot-binning";

    @Option(names = "--robot-episodes", paramLabel = "N", defaultValue = "20",
            description = "Held-out episodes each policy runs in the robotics part (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Override
    public List<String> description() {
        return List.of("  robotics: BEAST B-spline tokens against per-step binning and FAST on scripted pick-and-place "
                + "demonstrations, then the shipped BEAST and binning policies (models/" + BEAST_MODEL + ", models/"
                + BINNING_MODEL + ") on held-out simulated episodes");
    }

    @Override
    public int run(Context context) throws IOException {
        PrintWriter out = context.out();
        out.println("== robotics: action tokenizers on 200 scripted pick-and-place demonstrations (50 Hz, 1 s chunks)");
        out.flush();
        int code = context.commands().run(out, context.err(), "robot", "tokenizers");
        if (code != 0) {
            return code;
        }
        String threads = Integer.toString(context.threads());
        for (String name : List.of(BEAST_MODEL, BINNING_MODEL)) {
            Path dir = Checkout.shippedModel(name);
            out.println();
            out.println("== robotics: " + dir + " closed-loop on " + episodes + " held-out episodes");
            out.flush();
            if (!Files.isDirectory(dir)) {
                out.println("SKIPPED: " + dir + " is not here; train it with the command in the README");
                out.flush();
                continue;
            }
            code = context.commands().run(out, context.err(), "robot", "eval", "--model", dir.toString(), "--episodes",
                    Integer.toString(episodes), "--threads", threads);
            if (code != 0) {
                return code;
            }
        }
        return 0;
    }
}
