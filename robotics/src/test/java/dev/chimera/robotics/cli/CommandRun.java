package dev.chimera.robotics.cli;

import dev.chimera.runtime.UserErrorHandler;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** A command run in-process as the launcher runs it (with the user-error handler): its exit code, stdout and stderr. */
record CommandRun(int code, String out, String err) {

    static CommandRun of(Object command, String... args) {
        CommandLine cl = UserErrorHandler.install(new CommandLine(command));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CommandRun(code, out.toString(), err.toString());
    }
}
