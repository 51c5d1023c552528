package dev.chimera.genomics.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledSetTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void labelsFromHeadersAnywhereInTheDescriptionSorted() throws IOException {
        Path f = write("h.fa", ">r1 label=tata len=4\nACGT\n>r2 some text label=cpg\nGGCC\n>r3 label=tata\nAAAA\n");
        LabelledSet s = LabelledSet.forTraining(f.toString(), "--train");
        assertEquals(List.of("cpg", "tata"), s.labels());
        assertEquals(List.of("r1", "r2", "r3"), s.examples().stream().map(Example::id).toList());
        assertArrayEquals(new int[] {1, 0, 1}, s.examples().stream().mapToInt(Example::label).toArray());
        assertArrayEquals(new byte[] {2, 2, 1, 1}, s.examples().get(1).tokens());
        assertArrayEquals(new int[] {1, 2}, s.classCounts());
    }

    @Test
    void oneFilePerClassInTheOrderGiven() throws IOException {
        Path a = write("a.fa", ">x label=ignored\nACGT\n>y\nAC\n");
        Path b = write("b.fa", ">z\nTTTT\n");
        LabelledSet s = LabelledSet.forTraining("promoter=" + a + ",other=" + b, "--train");
        assertEquals(List.of("promoter", "other"), s.labels());
        assertArrayEquals(new int[] {0, 0, 1}, s.examples().stream().mapToInt(Example::label).toArray());
        LabelledSet again = LabelledSet.against("other=" + b, "--test", s.labels());
        assertEquals(1, again.examples().get(0).label());
    }

    @Test
    void errorsNameTheFileAndRecord() throws IOException {
        Path noLabel = write("n.fa", ">r1 label=a\nACGT\n>r2 no label here\nACGT\n");
        assertMessage("n.fa: record 2 'r2': no label", () -> LabelledSet.forTraining(noLabel.toString(), "--train"));
        Path single = write("s.fa", ">r1 label=a\nACGT\n>r2 label=a\nACGT\n");
        assertMessage("--train " + single + ": all 2 records are of class 'a'; a classifier needs at least two classes",
                () -> LabelledSet.forTraining(single.toString(), "--train"));
        Path empty = write("e.fa", "");
        assertMessage("e.fa: empty file", () -> LabelledSet.forTraining(empty.toString(), "--train"));
        Path unknown = write("u.fa", ">r1 label=a\nACGT\n>r2 label=c\nACGT\n");
        assertMessage("u.fa: record 2 'r2': label 'c' is not one of the model's classes (a, b)",
                () -> LabelledSet.against(unknown.toString(), "--test", List.of("a", "b")));
        Path two = write("t.fa", ">r1 label=a label=b\nACGT\n");
        assertMessage("t.fa: record 1 'r1': two labels in the header, 'a' and 'b'",
                () -> LabelledSet.forTraining(two.toString(), "--train"));
        assertMessage("'b.fa' is not NAME=FILE", () -> LabelledSet.forTraining("a=" + noLabel + ",b.fa", "--train"));
        assertMessage("class 'a' is given twice",
                () -> LabelledSet.forTraining("a=" + noLabel + ",a=" + single, "--train"));
        Path badChar = write("x.fa", ">r1 label=a\nAC-T\n>r2 label=b\nACGT\n");
        assertMessage("x.fa: record 1 'r1': invalid character '-' at position 3",
                () -> LabelledSet.forTraining(badChar.toString(), "--train"));
    }

    private static void assertMessage(String expectedPart, org.junit.jupiter.api.function.Executable run) {
        UserException e = assertThrows(UserException.class, run);
        if (!e.getMessage().contains(expectedPart) || e.getMessage().contains("\n")) {
            throw new AssertionError("expected one line containing \"" + expectedPart + "\", got: " + e.getMessage());
        }
    }
}
