package dev.chimera.runtime;

import picocli.CommandLine.Option;

/** The {@code --json} option: a command's results as JSON lines on stdout instead of text for people. */
public final class JsonOption {
    @Option(names = "--json", description = "Machine-readable output: one JSON object per line.")
    boolean json;

    public boolean enabled() {
        return json;
    }
}
