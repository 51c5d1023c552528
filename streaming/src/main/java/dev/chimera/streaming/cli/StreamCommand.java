package dev.chimera.streaming.cli;

import picocli.CommandLine.Command;

/** {@code chimera stream}: observations in and forecasts out on Chronicle queues. */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = "The stream consumer (run) and its tools: replay a time-series file into a queue, print a queue's records.",
        subcommands = {RunCommand.class, ReplayCommand.class, TailCommand.class})
public final class StreamCommand {
}
