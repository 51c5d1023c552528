package dev.chimera.genomics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.DemoPart;
import dev.chimera.runtime.UserErrorHandler;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The DNA part of the README's first command, end to end on the real genome and the shipped model. */
class DnaDemoTest {

    /** The root command as far as the DNA part needs it: {@code chimera dna ...}, with the root's error handling. */
    @Command(name = "chimera", subcommands = DnaCommand.class)
    static final class Root {
    }

    private static int chimera(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = UserErrorHandler.install(new CommandLine(new Root()));
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    @Test
    void theDemoScoresGeneratesAndEmbedsAndTheShippedModelBeatsMarkov() throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new DnaDemo().run(new DemoPart.Context(new PrintWriter(out, true), new PrintWriter(err, true), 2,
                DnaDemoTest::chimera));
        String text = out.toString();
        assertEquals(0, code, err.toString());
        // The README's held-out figures: the shipped model below the best Markov model.
        assertTrue(text.contains("markov order 12                1.9198"), text);
        Matcher best = Pattern.compile("best: chimera, step \\d+, T \\d+, (\\d\\.\\d{4}) bits/base").matcher(text);
        assertTrue(best.find(), text);
        assertTrue(Double.parseDouble(best.group(1)) < 1.9198, best.group());
        // Scored regions: real ones well below their shuffled copies.
        Matcher real = Pattern.compile("(?m)^   K-12-MG1655:\\d+-\\d+ +3000 +(\\d\\.\\d+)$").matcher(text);
        Matcher shuffled = Pattern.compile("(?m)^   K-12-MG1655:\\d+-\\d+_shuffled +3000 +(\\d\\.\\d+)$").matcher(text);
        for (int i = 0; i < 3; i++) {
            assertTrue(real.find() && shuffled.find(), text);
            assertTrue(Double.parseDouble(real.group(1)) < Double.parseDouble(shuffled.group(1)) - 0.1, text);
        }
        assertTrue(text.contains(">generated_2 "), text);
        assertEquals(9, Pattern.compile("(?m) dim 128  cosine ").matcher(text).results().count(), text);
        assertTrue(text.strip().endsWith(" s)"), "ends with step 5's time: " + text);
    }
}
