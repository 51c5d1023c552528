package dev.chimera.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** User errors and I/O failures are one line with exit code 1; anything else keeps its stack trace. */
class UserErrorHandlerTest {

    @Command(name = "chimera", subcommands = Fails.class)
    static final class Root {
    }

    /** Throws what --what names, as a command's own code would. */
    @Command(name = "fails")
    static final class Fails implements Callable<Integer> {
        @Option(names = "--what")
        String what;

        @Override
        public Integer call() throws IOException {
            switch (what) {
                case "user":
                    throw new UserException("--x: 'y' is not a z");
                case "io":
                    throw new IOException("/no/such/file: cannot read");
                case "unchecked-io":
                    throw new UncheckedIOException("cannot write /full/disk", new IOException("no space"));
                default:
                    throw new IllegalArgumentException("tensor shape (4, 8) does not match (8, 4)");
            }
        }
    }

    private record Run(int code, String err) {
    }

    private static Run run(String what) {
        CommandLine cl = UserErrorHandler.install(new CommandLine(new Root()));
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute("fails", "--what", what), err.toString());
    }

    @Test
    void aUserErrorIsOneLineWithExitCode1() {
        Run r = run("user");
        assertEquals(1, r.code());
        assertEquals("chimera fails: error: --x: 'y' is not a z", r.err().strip());
    }

    @Test
    void ioFailuresAreOneLineToo() {
        assertEquals("chimera fails: error: /no/such/file: cannot read", run("io").err().strip());
        Run unchecked = run("unchecked-io");
        assertEquals(1, unchecked.code());
        assertEquals("chimera fails: error: cannot write /full/disk", unchecked.err().strip());
    }

    @Test
    void anInternalIllegalArgumentExceptionKeepsItsStackTrace() {
        Run r = run("internal");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("java.lang.IllegalArgumentException: tensor shape (4, 8) does not match (8, 4)"),
                r.err());
        assertTrue(r.err().contains("at dev.chimera.runtime.UserErrorHandlerTest$Fails.call"), r.err());
        assertFalse(r.err().contains(": error: "), "not reported as the user's mistake: " + r.err());
    }
}
