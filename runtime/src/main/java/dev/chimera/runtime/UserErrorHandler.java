package dev.chimera.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * How every chimera command reports what escapes it (DESIGN convention 8: exit code 1 for a
 * failure). A {@link UserException} or an I/O failure is the user's to fix, so it is one line,
 * {@code chimera <cmd>: error: <message>}, and exit code 1. Anything else is an internal error: it
 * is rethrown, and picocli prints it with its stack trace and exits with code 1, so that a bug
 * (an {@link IllegalArgumentException} from a shape check, say) is never mistaken for a mistake of
 * the user's.
 */
public final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {

    /** Sets this handler on {@code commandLine} and the subcommands it has; returns it. */
    public static CommandLine install(CommandLine commandLine) {
        commandLine.setExecutionExceptionHandler(new UserErrorHandler());
        return commandLine;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult)
            throws Exception {
        if (e instanceof UserException || e instanceof IOException || e instanceof UncheckedIOException) {
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": error: " + e.getMessage());
            return commandLine.getCommandSpec().exitCodeOnExecutionException();
        }
        throw e;
    }
}
