package dev.chimera.genomics.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Random;
import picocli.CommandLine;

/** Runs {@code dna ...} in-process with the chimera root command's handling of user errors. */
final class DnaCli {
    private DnaCli() {
    }

    /** Exit code, stdout and stderr of one invocation. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = new CommandLine(new DnaCommand());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.IOException
                    || e instanceof java.io.UncheckedIOException) {
                commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** A FASTA record body: random bases with some local structure, 70 a line. */
    static String dna(Random rnd, int n) {
        StringBuilder sb = new StringBuilder();
        char prev = 'A';
        for (int i = 0; i < n; i++) {
            prev = rnd.nextDouble() < 0.4 ? (prev == 'A' ? 'T' : 'A') : "ACGT".charAt(rnd.nextInt(4));
            sb.append(prev);
            if (i % 70 == 69) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
