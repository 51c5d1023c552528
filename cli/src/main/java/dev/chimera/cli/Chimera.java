package dev.chimera.cli;

import dev.chimera.runtime.UserErrorHandler;
import java.util.List;
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
        description = "Hybrid Transformer-Mamba2 sequence models: DNA, time series, robot actions.")
public final class Chimera {

    /** The top-level commands, in the order the help lists them. */
    private static final List<Class<?>> COMMANDS = List.of(DemoCommand.class, EvalCommand.class, BenchCommand.class,
            dev.chimera.genomics.cli.DnaCommand.class, dev.chimera.timeseries.cli.TsCommand.class,
            dev.chimera.streaming.cli.StreamCommand.class, dev.chimera.robotics.cli.RobotCommand.class,
            CommandLine.HelpCommand.class);

    public static void main(String[] args) {
        System.exit(commandLine(args.length > 0 ? args[0] : null).execute(args));
    }

    /** The command line with every command, shared by the tests. */
    static CommandLine commandLine() {
        return commandLine(null);
    }

    /**
     * The command line for arguments that begin with {@code first}: only that command when it names
     * one, every command otherwise ({@code help}, an option, a misspelt name, no command). Picocli
     * builds the model of every command it is given, about 150 ms for all of them at start-up, which
     * a restarting stream consumer should not pay.
     */
    static CommandLine commandLine(String first) {
        List<Class<?>> named = COMMANDS.stream().filter(c -> c != CommandLine.HelpCommand.class
                && c.getAnnotation(Command.class).name().equals(first)).toList();
        CommandLine root = new CommandLine(new Chimera());
        for (Class<?> command : named.isEmpty() ? COMMANDS : named) {
            root.addSubcommand(command);
        }
        return UserErrorHandler.install(root);
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
