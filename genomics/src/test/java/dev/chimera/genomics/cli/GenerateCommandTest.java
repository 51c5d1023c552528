package dev.chimera.genomics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    @TempDir
    Path dir;
    Path model;

    @BeforeEach
    void model() throws IOException {
        model = TestModels.save(dir.resolve("model"), DnaModel.info(8), 7);
    }

    @Test
    void writesFastaRecordsOf60ColumnsWithTheSettingsInTheHeaders() {
        DnaCli.Run r = DnaCli.run("generate", "--model", model.toString(), "--length", "130", "--num", "3",
                "--prompt", "acgtn", "--temperature", "0.8", "--seed", "5", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(12, lines.size(), r.out());
        for (int i = 0; i < 3; i++) {
            assertEquals(">generated_" + (i + 1) + " model=" + model + " step=5 length=130 prompt_length=5 prompt=ACGTN"
                    + " temperature=0.8 top_k=0 seed=5", lines.get(4 * i));
            assertEquals(60, lines.get(4 * i + 1).length());
            assertEquals(60, lines.get(4 * i + 2).length());
            assertEquals(10, lines.get(4 * i + 3).length());
            for (int j = 1; j <= 3; j++) {
                assertTrue(lines.get(4 * i + j).matches("[ACGT]+"), lines.get(4 * i + j));
            }
        }
        assertNotEquals(lines.get(1), lines.get(5), "sequences of one run differ");
    }

    @Test
    void theSameSeedGivesTheSameSequencesAndTheFileEqualsStdout() throws IOException {
        String[] args = {"generate", "--model", model.toString(), "--length", "70", "--num", "2", "--seed", "9"};
        DnaCli.Run a = DnaCli.run(args);
        DnaCli.Run b = DnaCli.run(args);
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out());
        DnaCli.Run c = DnaCli.run("generate", "--model", model.toString(), "--length", "70", "--num", "2", "--seed", "10");
        assertNotEquals(a.out().lines().skip(1).findFirst(), c.out().lines().skip(1).findFirst());

        Path file = dir.resolve("out.fa");
        DnaCli.Run d = DnaCli.run("generate", "--model", model.toString(), "--length", "70", "--num", "2", "--seed", "9",
                "--out", file.toString());
        assertEquals(0, d.code(), d.err());
        assertEquals("", d.out());
        assertEquals(a.out(), Files.readString(file));
    }

    @Test
    void topKOneIsGreedyWhateverTheSeed() {
        DnaCli.Run a = DnaCli.run("generate", "--model", model.toString(), "--length", "50", "--top-k", "1", "--seed", "1");
        DnaCli.Run b = DnaCli.run("generate", "--model", model.toString(), "--length", "50", "--top-k", "1", "--seed", "2");
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out().lines().skip(1).toList(), b.out().lines().skip(1).toList());
    }

    @Test
    void badInputIsAOneLineErrorWithStatus1() throws IOException {
        DnaCli.Run prompt = DnaCli.run("generate", "--model", model.toString(), "--length", "5", "--prompt", "ACXG");
        assertEquals(1, prompt.code());
        assertEquals("dna generate: error: --prompt: invalid character 'X' at position 3 (expected A C G T U N or an "
                + "IUPAC code)", prompt.err().strip());

        Path other = TestModels.save(dir.resolve("other"), Map.of("task", "mqar"), 1);
        DnaCli.Run notDna = DnaCli.run("generate", "--model", other.toString(), "--length", "5");
        assertEquals(1, notDna.code());
        assertEquals(1, notDna.err().strip().lines().count(), notDna.err());
        assertTrue(notDna.err().contains("not a DNA language model"), notDna.err());

        Path empty = Files.createDirectories(dir.resolve("empty"));
        DnaCli.Run none = DnaCli.run("generate", "--model", empty.toString(), "--length", "5");
        assertEquals(1, none.code());
        assertEquals(1, none.err().strip().lines().count(), none.err());
        assertTrue(none.err().contains("is not a Chimera checkpoint directory"), none.err());

        DnaCli.Run topK = DnaCli.run("generate", "--model", model.toString(), "--length", "5", "--top-k", "5");
        assertEquals(2, topK.code());
        assertTrue(topK.err().contains("--top-k must be in 0..4"), topK.err());
    }
}
