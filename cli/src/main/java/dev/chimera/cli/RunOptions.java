package dev.chimera.cli;

import picocli.CommandLine.Option;

/** Options every compute command shares: the thread count and machine-readable output. */
final class RunOptions {
    @Option(names = "--threads", paramLabel = "T", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--json", description = "Machine-readable output: one JSON object per line.")
    boolean json;

    int threads() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) {
            throw new Chimera.UserError("--threads must be >= 1, got " + t);
        }
        return t;
    }
}
