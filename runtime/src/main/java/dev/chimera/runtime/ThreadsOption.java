package dev.chimera.runtime;

import picocli.CommandLine.Option;

/** The {@code --threads} option of every command that computes: the size of its compute pool. */
public final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "T", description = "Compute threads (default: all cores).")
    Integer threads;

    /** The option's value, or all cores when it is omitted; below 1 is a {@link UserException}. */
    public int count() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) {
            throw new UserException("--threads must be >= 1, got " + t);
        }
        return t;
    }
}
