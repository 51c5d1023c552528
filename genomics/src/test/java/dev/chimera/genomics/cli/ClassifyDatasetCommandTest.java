package dev.chimera.genomics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.genomics.FastaSource;
import dev.chimera.genomics.SequenceRecord;
import dev.chimera.genomics.cli.DnaCli.Run;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dna classify dataset} on a hand-made GFF3: one sequence of 1000 bases with a '+' CDS at
 * 101-400, a '-' CDS at 501-800 and a tRNA at 851-900; windows of 50 every 25, test part the last
 * 30% (from base 701). Worked out by hand:
 * <pre>
 *   coding '+'   starts 100..350 (0-based)      11 windows, all training
 *   coding '-'   starts 500..750                 7 training (<= 650), 3 test (>= 700), 675 straddles
 *   intergenic   starts 0 25 50 400 425 450      training
 *                starts 800 900 925 950          test
 * </pre>
 */
class ClassifyDatasetCommandTest {
    private static final Pattern ID = Pattern.compile("c1:(\\d+)-(\\d+)\\(([+-])\\)");
    private static final String FEATURES = "##gff-version 3\n##sequence-region c1 1 1000\n"
            + "c1\tt\tregion\t1\t1000\t.\t+\t.\tID=c1\n"
            + "c1\tt\tCDS\t101\t400\t.\t+\t0\tID=g1\n"
            + "c1\tt\tCDS\t501\t800\t.\t-\t0\tID=g2\n"
            + "c1\tt\ttRNA\t851\t900\t.\t+\t.\tID=t1\n";

    @TempDir
    Path dir;

    private static String genome() {
        Random r = new Random(5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            sb.append("ACGT".charAt(r.nextInt(4)));
        }
        return sb.toString();
    }

    private static String reverseComplement(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = s.length() - 1; i >= 0; i--) {
            sb.append("TGCA".charAt("ACGT".indexOf(s.charAt(i))));
        }
        return sb.toString();
    }

    /** Window starts (0-based) by "label strand" of one output file, each window's bases checked against the genome. */
    private static Map<String, List<Integer>> windows(Path file, String genome) {
        Map<String, List<Integer>> out = new TreeMap<>();
        for (SequenceRecord r : FastaSource.readAll(file)) {
            Matcher m = ID.matcher(r.id());
            assertTrue(m.matches(), r.id());
            int start = Integer.parseInt(m.group(1)) - 1;
            int end = Integer.parseInt(m.group(2));
            assertEquals(50, end - start);
            String forward = genome.substring(start, end);
            String expected = m.group(3).equals("+") ? forward : reverseComplement(forward);
            assertEquals(expected, new String(r.bases(), StandardCharsets.US_ASCII), r.id());
            String label = r.description().replace("label=", "");
            String key = label.equals("coding") ? "coding " + m.group(3) : label;
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(start);
        }
        out.values().forEach(l -> l.sort(null));
        return out;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int p = from; p <= to; p += 25) {
            l.add(p);
        }
        return l;
    }

    @Test
    void windowsByHandFromEmbeddedOrSeparateSequences() throws IOException {
        String genome = genome();
        String fasta = ">c1\n" + genome + "\n";
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gz)) {
            out.write((FEATURES + "##FASTA\n" + fasta).getBytes(StandardCharsets.US_ASCII));
        }
        Path embedded = Files.write(dir.resolve("a.gff3.gz"), gz.toByteArray());
        Path plain = Files.writeString(dir.resolve("b.gff3"), FEATURES);
        Path sequences = Files.writeString(dir.resolve("b.fa"), fasta);
        List<String> texts = new ArrayList<>();
        for (String[] source : new String[][] {{"--gff", embedded.toString()},
            {"--gff", plain.toString(), "--fasta", sequences.toString()}}) {
            Path train = dir.resolve("train" + texts.size() + ".fa");
            Path test = dir.resolve("test" + texts.size() + ".fa");
            List<String> args = new ArrayList<>(List.of("classify", "dataset", "--window", "50", "--stride", "25",
                    "--test-fraction", "0.3", "--max-per-class", "1000", "--out-train", train.toString(), "--out-test",
                    test.toString()));
            args.addAll(List.of(source));
            Run r = DnaCli.run(args.toArray(new String[0]));
            assertEquals(0, r.code(), r.err());
            Map<String, List<Integer>> trainWindows = windows(train, genome);
            Map<String, List<Integer>> testWindows = windows(test, genome);
            assertEquals(range(100, 350), trainWindows.get("coding +"));
            assertEquals(range(500, 650), trainWindows.get("coding -"));
            assertEquals(List.of(0, 25, 50, 400, 425, 450), trainWindows.get("intergenic"));
            assertEquals(null, testWindows.get("coding +"));
            assertEquals(range(700, 750), testWindows.get("coding -"));
            assertEquals(List.of(800, 900, 925, 950), testWindows.get("intergenic"));
            texts.add(Files.readString(train) + Files.readString(test));
        }
        assertEquals(texts.get(0), texts.get(1), "the same windows from embedded or separate sequences");

        Run capped = DnaCli.run("classify", "dataset", "--gff", embedded.toString(), "--window", "50", "--stride", "25",
                "--test-fraction", "0.3", "--max-per-class", "5", "--out-train", dir.resolve("c.fa").toString(),
                "--out-test", dir.resolve("d.fa").toString(), "--json");
        assertEquals(0, capped.code(), capped.err());
        assertTrue(capped.out().contains("\"train_coding\":5,\"train_intergenic\":5,\"test_coding\":2,"
                + "\"test_intergenic\":2,\"candidates_train_coding\":18,\"candidates_train_intergenic\":6,"
                + "\"candidates_test_coding\":3,\"candidates_test_intergenic\":4"), capped.out());
    }

    @Test
    void missingSequencesAreOneLineErrors() throws IOException {
        Path noFasta = Files.writeString(dir.resolve("n.gff3"), FEATURES);
        Run r = DnaCli.run("classify", "dataset", "--gff", noFasta.toString(), "--out-train",
                dir.resolve("t.fa").toString(), "--out-test", dir.resolve("u.fa").toString());
        assertEquals(1, r.code());
        assertEquals("dna classify dataset: error: " + noFasta + ": no ##FASTA line, so no sequences in the file; give "
                + "them with --fasta", r.err().strip());
        Path other = Files.writeString(dir.resolve("o.fa"), ">c2\nACGT\n");
        r = DnaCli.run("classify", "dataset", "--gff", noFasta.toString(), "--fasta", other.toString(), "--out-train",
                dir.resolve("t.fa").toString(), "--out-test", dir.resolve("u.fa").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().strip().endsWith(noFasta + ": features on sequence 'c1', which the sequences given do not "
                + "hold (1 sequences)"), r.err());
        assertTrue(Files.notExists(dir.resolve("t.fa")));
    }
}
