package dev.chimera.runtime;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/**
 * A domain's part of {@code chimera demo}: its job end to end on built-in defaults. The demo
 * command (cli) runs the parts in turn; each is also a picocli mixin of the demo, so the options it
 * declares (the DNA part's {@code --model}) are the demo's. A new domain adds its part to cli's
 * list without touching the others.
 */
public interface DemoPart {
    /** What the part shows, for the demo's {@code --help}: one or more lines. */
    List<String> description();

    /** Runs the part, printing its results to {@code context.out()}; its exit code (0 when it finished). */
    int run(Context context) throws IOException;

    /**
     * What every part is given: where to print, the demo's thread count, and a way to run other
     * chimera commands in this process (a part shows its domain's commands at work).
     */
    record Context(PrintWriter out, PrintWriter err, int threads, Commands commands) {
    }

    /** Runs {@code chimera ARGS} in this process, printing to the writers given; returns its exit code. */
    @FunctionalInterface
    interface Commands {
        int run(PrintWriter out, PrintWriter err, String... args);
    }
}
