package dev.chimera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.DemoPart;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo runs each domain's part in turn and ends with the time; the DNA part's own test is DnaDemoTest. */
class DemoCommandTest {

    /** A part that prints its name, or fails with exit code 3. */
    private record Part(String name, boolean fails) implements DemoPart {
        @Override
        public List<String> description() {
            return List.of(name);
        }

        @Override
        public int run(Context context) {
            context.out().println(name + " on " + context.threads() + " threads");
            return fails ? 3 : 0;
        }
    }

    private static String[] run(List<DemoPart> parts, int[] code) throws IOException {
        StringWriter out = new StringWriter();
        PrintWriter w = new PrintWriter(out, true);
        code[0] = DemoCommand.run(parts, new DemoPart.Context(w, w, 2, (o, e, args) -> 0), System.nanoTime());
        return out.toString().split("\n", -1);
    }

    @Test
    void partsRunInTurnThenTheTime() throws IOException {
        int[] code = new int[1];
        String[] lines = run(List.of(new Part("dna", false), new Part("series", false)), code);
        assertEquals(0, code[0]);
        assertEquals(List.of("dna on 2 threads", "", "series on 2 threads", ""), List.of(lines).subList(0, 4));
        assertTrue(lines[4].matches("demo finished in \\d+ s"), lines[4]);
    }

    @Test
    void aFailingPartEndsTheDemoWithItsCode() throws IOException {
        int[] code = new int[1];
        String[] lines = run(List.of(new Part("dna", true), new Part("series", false)), code);
        assertEquals(3, code[0]);
        assertEquals(List.of("dna on 2 threads", ""), List.of(lines));
    }

    @Test
    void theHelpNamesEveryPartAndItsOptions() {
        CliRun r = CliRun.run("demo", "--help");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("Runs each domain's job end to end"), r.out);
        assertTrue(r.out.contains("DNA: the E. coli K-12 MG1655 genome"), r.out);
        assertTrue(r.out.contains("--model=DIR"), r.out);
        assertTrue(r.out.contains("--threads=T"), r.out);
    }
}
