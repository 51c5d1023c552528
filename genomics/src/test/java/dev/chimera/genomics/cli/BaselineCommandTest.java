package dev.chimera.genomics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselineCommandTest {
    @TempDir
    Path dir;
    Path train;
    Path eval;
    Path genome;

    @BeforeEach
    void files() throws IOException {
        Random rnd = new Random(8);
        train = Files.writeString(dir.resolve("train.fa"), ">t1\n" + DnaCli.dna(rnd, 20_000) + "\n>t2\n" + DnaCli.dna(rnd, 5_000) + "\n");
        eval = Files.writeString(dir.resolve("eval.fa"), ">e1\n" + DnaCli.dna(rnd, 3_000) + "\n");
        genome = Files.writeString(dir.resolve("genome.fa"), ">g1\n" + DnaCli.dna(rnd, 10_000) + "\n>g2\n" + DnaCli.dna(rnd, 10_000) + "\n");
    }

    @Test
    void tableForSeparateTrainAndEvalFiles() {
        DnaCli.Run r = DnaCli.run("baseline", "--train", train.toString(), "--eval", eval.toString(), "--max-order", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("train    25,000 bases"), r.out());
        assertTrue(r.out().contains("eval     3,000 bases (3,000 scored, 0 N"), r.out());
        for (int k = 0; k <= 4; k++) {
            assertTrue(Pattern.compile("(?m)^markov order " + k + " +[0-9]\\.[0-9]{4}$").matcher(r.out()).find(), r.out());
        }
        for (String c : new String[] {"gzip -9, given train", "gzip -9, eval alone", "xz -9e, given train", "xz -9e, eval alone"}) {
            assertTrue(r.out().contains(c), r.out());
        }
        assertTrue(r.out().contains("best: markov order"), r.out());
        assertTrue(r.err().contains("counting (order 0-4)"), r.err());
    }

    @Test
    void jsonLinesForAHoldoutSplit() {
        DnaCli.Run r = DnaCli.run("baseline", "--fasta", genome.toString(), "--holdout-fraction", "0.2", "--json", "--no-compressors");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().trim().split("\n");
        assertEquals(1 + 13 + 1, lines.length, r.out());
        assertTrue(lines[0].matches("\\{\"op\":\"dna-baseline\",\"data\":\".*genome.fa, last 0.2 of each record held out\","
                + "\"records\":2,\"train_bases\":16000,\"eval_bases\":4000,\"eval_scored\":4000,\"eval_n\":0,\"max_order\":12}"),
                lines[0]);
        for (int k = 0; k <= 12; k++) {
            assertTrue(lines[1 + k].matches("\\{\"op\":\"dna-baseline\",\"model\":\"markov\",\"order\":" + k
                    + ",\"bits_per_base\":[0-9]\\.[0-9]{4}}"), lines[1 + k]);
        }
        assertTrue(lines[14].matches("\\{\"op\":\"dna-baseline\",\"best\":\"markov order [0-9]+\",\"bits_per_base\":[0-9.]+}"),
                lines[14]);
        // The data has order-1 structure: order 1 beats order 0 clearly.
        double b0 = Double.parseDouble(lines[1].replaceAll(".*:([0-9.]+)}", "$1"));
        double b1 = Double.parseDouble(lines[2].replaceAll(".*:([0-9.]+)}", "$1"));
        assertTrue(b1 < b0 - 0.05, b0 + " vs " + b1);
    }

    private static void assertUserError(DnaCli.Run r, String... expected) {
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals("", r.out(), "no partial output");
        String[] lines = r.err().trim().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("dna baseline: error: "), r.err());
        for (String x : expected) {
            assertTrue(last.contains(x), "'" + x + "' in " + last);
        }
    }

    @Test
    void badInputIsOneLineWithTheFileAndNoOutput() throws IOException {
        assertUserError(DnaCli.run("baseline", "--fasta", dir.resolve("missing.fa").toString()), "missing.fa: no such file");
        Path bad = Files.writeString(dir.resolve("bad.fa"), ">a\nACGT\n>b\nAC-GT\n");
        assertUserError(DnaCli.run("baseline", "--fasta", bad.toString(), "--max-order", "2"),
                "bad.fa: record 2 'b': invalid character '-' at position 3");
        assertUserError(DnaCli.run("baseline", "--train", train.toString(), "--eval", bad.toString(), "--max-order", "2"),
                "bad.fa: record 2 'b'");
        Path dup = Files.writeString(dir.resolve("dup.fa"), ">a\nACGT\n>a\nACGT\n");
        assertUserError(DnaCli.run("baseline", "--fasta", dup.toString()), "dup.fa: record 2 'a'", "duplicate");
        Path tiny = Files.writeString(dir.resolve("tiny.fa"), ">a\nACGT\n");
        assertUserError(DnaCli.run("baseline", "--fasta", tiny.toString(), "--holdout-fraction", "0.05"), "no bases held out");
    }

    @Test
    void onInvalidMaskReadsNAndSaysHowMany() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.fa"), ">a\n" + Files.readString(genome).split("\n", 2)[1]
                .replace(">g2", "").replace("\n", "").substring(0, 5000) + "--\n");
        DnaCli.Run r = DnaCli.run("baseline", "--fasta", bad.toString(), "--on-invalid", "MASK", "--max-order", "3", "--no-compressors");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("read as N 2 invalid characters (--on-invalid mask)"), r.err());
        assertTrue(r.out().contains("eval     500 bases (498 scored, 2 N not scored"), r.out());
    }

    @Test
    void usageErrorsExitWithTwo() {
        String t = train.toString();
        String e = eval.toString();
        assertEquals(2, DnaCli.run("baseline", "--train", t).code());
        assertEquals(2, DnaCli.run("baseline", "--train", t, "--eval", e, "--fasta", t).code());
        assertEquals(2, DnaCli.run("baseline", "--train", t, "--eval", e, "--holdout-fraction", "0.2").code());
        assertEquals(2, DnaCli.run("baseline", "--fasta", t, "--holdout-fraction", "1.5").code());
        assertEquals(2, DnaCli.run("baseline", "--fasta", t, "--max-order", "13").code());
        DnaCli.Run r = DnaCli.run("baseline", "--fasta", t, "--on-invalid", "drop");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("expected error, mask or skip, got 'drop'"), r.err());
        assertEquals(2, DnaCli.run().code(), "the group alone asks for a command");
    }

    @Test
    void helpSaysWhatRunsWithoutAFile() {
        DnaCli.Run r = DnaCli.run("baseline", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("E. coli K-12 MG1655"), r.out());
        assertTrue(r.out().contains("--holdout-fraction"), r.out());
    }
}
