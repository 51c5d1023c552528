package dev.chimera.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Exit code, stdout and stderr of one in-process invocation of the chimera command line. */
final class CliRun {
    int code;
    String out;
    String err;

    static CliRun run(String... args) {
        CommandLine cl = Chimera.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        CliRun r = new CliRun();
        r.code = cl.execute(args);
        r.out = out.toString();
        r.err = err.toString();
        return r;
    }
}
