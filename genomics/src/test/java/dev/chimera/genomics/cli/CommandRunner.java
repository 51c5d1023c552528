package dev.chimera.genomics.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code dna ...} in process with the chimera root command's handling of user errors (one line, exit 1). */
final class CommandRunner {
    /** Exit code, stdout and stderr of one invocation. */
    record Run(int code, String out, String err) {
    }

    private CommandRunner() {
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new DnaCommand());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.IOException
                    || e instanceof java.io.UncheckedIOException) {
                commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cl;
    }

    static Run run(String... args) {
        CommandLine cl = commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
