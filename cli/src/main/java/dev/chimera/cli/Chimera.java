package dev.chimera.cli;

import dev.chimera.runtime.UserErrorHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code chimera} command: the root of every subcommand the {@code ./chimera} launcher runs.
 * Exit codes: 0 success, 1 failure (a one-line message, no stack trace, for anything the user
 * can fix; an internal error with its stack trace: {@link UserErrorHandler}), 2 usage error.
 */
@Command(name = "chimera",
        mixinStandardHelpOptions = true,
        versionProvider = Chimera.Version.class,
        description = "Hybrid Transformer-Mamba2 sequence models: DNA, time series, robot actions.",
        subcommands = {DemoCommand.class, EvalCommand.class, BenchCommand.class, dev.chimera.genomics.cli.DnaCommand.class,
                dev.chimera.timeseries.cli.TsCommand.class, dev.chimera.streaming.cli.StreamCommand.class,
                dev.chimera.robotics.cli.RobotCommand.class,
                CommandLine.HelpCommand.class})
public final class Chimera {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by main and the tests. */
    static CommandLine commandLine() {
        return UserErrorHandler.install(new CommandLine(new Chimera()));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Chimera.class.getPackage().getImplementationVersion();
            return new String[] {"chimera " + (v == null ? "development build" : v) + ", Java "
                    + System.getProperty("java.version")};
        }
    }
}
