package dev.chimera.genomics.cli;

import dev.chimera.core.kernel.VectorBackend;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.Scorer;
import dev.chimera.genomics.TinyDnaModel;
import dev.chimera.genomics.cli.DnaCli.Run;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.RunJournal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code dna score}: outputs against the scorer, every bad input one line with no output, resume after a kill. */
class ScoreCommandTest {
    private static final int CONTEXT = 48;
    @TempDir
    static Path shared;
    static Path model;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainModel() {
        model = TinyDnaModel.train(shared.resolve("model"), "full", CONTEXT);
    }

    /** Three records: one short with N, one longer than the context, one short. */
    private Path fasta() throws IOException {
        String text = ">short1 a description\n" + TinyDnaModel.dna(11, 30) + "NNAC\n"
                + ">long\n" + wrap(TinyDnaModel.dna(12, 500)) + ">short2\n" + TinyDnaModel.dna(13, 7) + "\n";
        return Files.writeString(dir.resolve("in.fa"), text);
    }

    private static String wrap(String bases) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bases.length(); i += 60) {
            sb.append(bases, i, Math.min(bases.length(), i + 60)).append('\n');
        }
        return sb.toString();
    }

    private static double parse(String s) {
        return "NaN".equals(s) ? Double.NaN : Double.parseDouble(s);
    }

    @Test
    void tsvArrowAndPerPositionOutputsAgreeWithTheScorer() throws IOException {
        Path in = fasta();
        Path tsv = dir.resolve("out/scores.tsv");
        Run r = DnaCli.run("score", "--model", model.toString(), "--fasta", in.toString(), "--out",
                tsv.toString(), "--per-position", "--chunk", "16", "--threads", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("records       3 (541 bases, 539 scored)"), r.out());
        assertTrue(r.out().contains("spans         [window:48]"), r.out());
        Path positions = dir.resolve("out/scores.positions.arrow");
        assertTrue(Files.exists(positions));
        try (Stream<Path> s = Files.list(dir.resolve("out"))) {
            assertEquals(2, s.count(), "the two outputs, no journal or temporary file left");
        }
        List<String> lines = Files.readAllLines(tsv);
        assertEquals("id\tlength\tlog_likelihood\tbits_per_base\tscored_bases", lines.get(0));
        assertEquals(4, lines.size());

        // The same numbers as the Scorer over a decoder of the model with --span context.
        DnaModel m = DnaModel.open(model);
        ModelConfig c = InferenceSpan.parse("context").apply(m.config(), m.context());
        String[] ids = {"short1", "long", "short2"};
        List<byte[]> records = new ArrayList<>();
        NucleotideTokenizer tok = new NucleotideTokenizer();
        records.add(tok.encode((TinyDnaModel.dna(11, 30) + "NNAC").getBytes(), "a"));
        records.add(tok.encode(TinyDnaModel.dna(12, 500).getBytes(), "b"));
        records.add(tok.encode(TinyDnaModel.dna(13, 7).getBytes(), "c"));
        double[] want = new double[3];
        try (ComputePool pool = new ComputePool(1)) {
            Scorer scorer = new Scorer(m.decoder(c, 1000, new VectorBackend(pool)), 16);
            for (int i = 0; i < 3; i++) {
                Scorer.Score s = scorer.score(records.get(i), ids[i], null, null);
                want[i] = s.logLikelihood();
                String[] f = lines.get(i + 1).split("\t");
                assertEquals(ids[i], f[0]);
                assertEquals(records.get(i).length, Long.parseLong(f[1]));
                assertEquals(s.logLikelihood(), parse(f[2]), 1e-6, "TSV keeps 6 decimals");
                assertEquals(s.bitsPerBase(), parse(f[3]), 1e-6);
                assertEquals(s.scored(), Long.parseLong(f[4]));
            }
        }

        ArrowRows pos = ArrowRows.read(positions);
        assertEquals(List.of("id", "position", "base", "log_prob"), pos.columns());
        assertEquals(541, pos.rows().size());
        double[] sums = new double[3];
        int row = 0;
        for (int i = 0; i < 3; i++) {
            for (int p = 0; p < records.get(i).length; p++, row++) {
                List<Object> x = pos.rows().get(row);
                assertEquals(ids[i], x.get(0));
                assertEquals(p + 1L, x.get(1), "1-based positions");
                assertEquals(NucleotideTokenizer.name(records.get(i)[p]), x.get(2));
                double lp = (Double) x.get(3);
                assertEquals(records.get(i)[p] == NucleotideTokenizer.N, Double.isNaN(lp), "NaN exactly at N");
                if (!Double.isNaN(lp)) {
                    sums[i] += lp;
                }
            }
            // Threads 2 in the command, 1 here, same chunks: the same bits.
            assertEquals(want[i], sums[i], 0.0, "per-position values of " + ids[i] + " sum to its log-likelihood");
        }

        Path arrow = dir.resolve("out/scores.arrow");
        r = DnaCli.run("score", "--model", model.toString(), "--fasta", in.toString(), "--out", arrow.toString(),
                "--chunk", "16", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("{\"op\":\"dna-score\",\"records\":3,\"bases\":541,\"scored_bases\":539"),
                r.out());
        ArrowRows scores = ArrowRows.read(arrow);
        assertEquals(List.of("id", "length", "log_likelihood", "bits_per_base", "scored_bases"), scores.columns());
        assertEquals("chimera dna score", scores.metadata().get("command"));
        for (int i = 0; i < 3; i++) {
            List<Object> x = scores.rows().get(i);
            assertEquals(ids[i], x.get(0));
            assertEquals((long) records.get(i).length, x.get(1));
            assertEquals(want[i], (Double) x.get(2), 0.0, "the Arrow file keeps every bit");
            assertEquals(-want[i] / (Math.log(2) * (Long) x.get(4)), (Double) x.get(3), 1e-12);
        }
    }

    // ------------------------------------------------------------ bad input: one line, exit 1, no output

    private void assertFailsCleanly(Run r, String... fragments) throws IOException {
        assertEquals(1, r.code(), r.out() + r.err());
        String err = r.err().trim();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("dna score: error: "), err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' in: " + err);
        }
        Path out = dir.resolve("out");
        if (Files.exists(out)) {
            try (Stream<Path> s = Files.list(out)) {
                assertEquals(List.of(), s.toList(), "no output, journal or temporary file");
            }
        }
    }

    private Run score(Path fasta) {
        return DnaCli.run("score", "--model", model.toString(), "--fasta", fasta.toString(), "--out",
                dir.resolve("out/s.tsv").toString(), "--per-position");
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(text.getBytes(StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }

    @Test
    void emptyFile() throws IOException {
        assertFailsCleanly(score(Files.writeString(dir.resolve("e.fa"), "")), "e.fa", "empty file");
    }

    @Test
    void noHeaderLine() throws IOException {
        assertFailsCleanly(score(Files.writeString(dir.resolve("h.fa"), "ACGTACGT\n>a\nAC\n")), "h.fa",
                "no FASTA/FASTQ header");
    }

    @Test
    void binaryGarbage() throws IOException {
        byte[] junk = new byte[4000];
        new java.util.Random(3).nextBytes(junk);
        junk[0] = 0;
        assertFailsCleanly(score(Files.write(dir.resolve("g.fa"), junk)), "g.fa", "binary data");
    }

    @Test
    void truncatedGzip() throws IOException {
        byte[] gz = gzip(">a\n" + wrap(TinyDnaModel.dna(1, 20_000)) + ">b\n" + wrap(TinyDnaModel.dna(2, 20_000)));
        assertFailsCleanly(score(Files.write(dir.resolve("t.fa.gz"), Arrays.copyOf(gz, gz.length / 2))), "t.fa.gz",
                "truncated or corrupt gzip");
    }

    @Test
    void invalidCharacters() throws IOException {
        Path f = Files.writeString(dir.resolve("i.fa"), ">a\nACGT\n>b\nAC-GT\n");
        assertFailsCleanly(score(f), "i.fa: record 2 'b'", "invalid character '-' at position 3", "--on-invalid");
    }

    @Test
    void invalidCharactersMaskedOrSkipped() throws IOException {
        Path f = Files.writeString(dir.resolve("i.fa"), ">a\nACGT\n>b\nAC-GT\n");
        Run r = DnaCli.run("score", "--model", model.toString(), "--fasta", f.toString(), "--out",
                dir.resolve("out/m.tsv").toString(), "--on-invalid", "mask");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("read as N 1 invalid characters (--on-invalid mask)"), r.err());
        assertTrue(Files.readAllLines(dir.resolve("out/m.tsv")).get(2).matches("b\t5\t-[0-9.]+\t[0-9.]+\t4"),
                Files.readString(dir.resolve("out/m.tsv")));
        r = DnaCli.run("score", "--model", model.toString(), "--fasta", f.toString(), "--out",
                dir.resolve("out/k.tsv").toString(), "--on-invalid", "skip");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readAllLines(dir.resolve("out/k.tsv")).get(2).matches("b\t4\t-[0-9.]+\t[0-9.]+\t4"));
    }

    @Test
    void duplicateIds() throws IOException {
        assertFailsCleanly(score(Files.writeString(dir.resolve("d.fa"), ">a\nAC\n>b\nGT\n>a\nTT\n")), "record 3 'a'",
                "duplicate record id");
    }

    @Test
    void zeroLengthRecord() throws IOException {
        assertFailsCleanly(score(Files.writeString(dir.resolve("z.fa"), ">a\nAC\n>b\n>c\nGT\n")), "record 2 'b'",
                "zero-length record");
    }

    @Test
    void missingInput() throws IOException {
        assertFailsCleanly(score(dir.resolve("nothing.fa")), "nothing.fa: no such file");
    }

    @Test
    void recordTooLongForAFullSpan() throws IOException {
        Path f = Files.writeString(dir.resolve("long.fa"), ">a\nACGT\n>b\n" + TinyDnaModel.dna(3, 300) + "\n");
        Run r = DnaCli.run("score", "--model", model.toString(), "--fasta", f.toString(), "--out",
                dir.resolve("out/s.tsv").toString(), "--span", "trained", "--max-length", "100");
        assertFailsCleanly(r, "long.fa: record 2 'b'", "needs 300 positions", "at most 100");
    }

    @Test
    void aCheckpointOfAnotherKind() throws IOException {
        Path other = TinyDnaModel.train(dir.resolve("other"), "full", 2, 16, 2, Map.of("task", "forecast"));
        Run r = DnaCli.run("score", "--model", other.toString(), "--fasta", fasta().toString(), "--out",
                dir.resolve("out/s.tsv").toString());
        assertFailsCleanly(r, "other", "task 'forecast'", "not a DNA language model");
        Path none = TinyDnaModel.train(dir.resolve("none"), "full", 2, 16, 2, Map.of());
        r = DnaCli.run("score", "--model", none.toString(), "--fasta", fasta().toString(), "--out",
                dir.resolve("out/s.tsv").toString());
        assertFailsCleanly(r, "task not recorded");
    }

    @Test
    void anEmptyModelDirectory() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Run r = DnaCli.run("score", "--model", empty.toString(), "--fasta", fasta().toString(), "--out",
                dir.resolve("out/s.tsv").toString());
        assertFailsCleanly(r, "--model " + empty, "not a Chimera checkpoint directory");
    }

    @Test
    void anUnwritableOutputPath() throws IOException {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Run r = DnaCli.run("score", "--model", model.toString(), "--fasta", fasta().toString(), "--out",
                file.resolve("s.tsv").toString());
        assertFailsCleanly(r, "--out " + file.resolve("s.tsv"), "cannot create the folder");
        Files.createDirectories(dir.resolve("out/dir.tsv"));
        r = DnaCli.run("score", "--model", model.toString(), "--fasta", fasta().toString(), "--out",
                dir.resolve("out/dir.tsv").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("is a directory"), r.err());
    }

    @Test
    void usageErrorsExitTwo() throws IOException {
        Run r = DnaCli.run("score", "--model", model.toString(), "--fasta", fasta().toString(), "--out",
                dir.resolve("out/s.csv").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("expected a .tsv or .arrow file name"), r.err());
        r = DnaCli.run("score", "--model", model.toString(), "--fasta", fasta().toString(), "--out",
                dir.resolve("s.tsv").toString(), "--span", "window:0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("context|trained|full|window:W"), r.err());
    }

    // ------------------------------------------------------------ interruptions

    @Test
    void aLeftoverJournalNeedsResumeAndAFinishedRunHasNothingToResume() throws IOException {
        Path in = fasta();
        Path out = dir.resolve("out/s.tsv");
        Files.createDirectories(out.getParent());
        Files.writeString(RunJournal.pathFor(out.toAbsolutePath()), "junk");
        Run r = DnaCli.run("score", "--model", model.toString(), "--fasta", in.toString(), "--out",
                out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("holds an interrupted run: pass --resume"), r.err());
        Files.delete(RunJournal.pathFor(out.toAbsolutePath()));
        assertEquals(0, DnaCli.run("score", "--model", model.toString(), "--fasta", in.toString(), "--out",
                out.toString()).code());
        byte[] first = Files.readAllBytes(out);
        r = DnaCli.run("score", "--model", model.toString(), "--fasta", in.toString(), "--out", out.toString(),
                "--resume");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("is complete (no journal left), nothing to do"), r.err());
        assertArrayEquals(first, Files.readAllBytes(out));
    }

    /** A FASTA big enough that a child JVM is still scoring when it is killed. */
    private Path bigFasta() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            sb.append(">rec").append(i).append('\n').append(wrap(TinyDnaModel.dna(100 + i, 1200 + 17 * i)));
        }
        return Files.writeString(dir.resolve("big.fa"), sb.toString());
    }

    /**
     * The uninterrupted run, then a run killed part-way (SIGKILL) whose journal is resumed as the
     * kill left it, and cut at several places (a torn last frame, right after the last complete
     * record, inside that record's frame, a few bytes past it): every resume gives exactly the
     * uninterrupted outputs, and nothing is at the output path until the run completes.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tsv", "arrow"})
    void resumeAfterAKillGivesTheUninterruptedOutput(String format) throws Exception {
        Path in = bigFasta();
        Path refOut = dir.resolve("ref/s." + format);
        List<String> common = List.of("--model", model.toString(), "--fasta", in.toString(), "--chunk", "500",
                "--threads", "1");
        List<String> args = new ArrayList<>(List.of("score", "--out", refOut.toString()));
        args.addAll(common);
        if (format.equals("arrow")) {
            args.add("--per-position");
        }
        Run ref = DnaCli.run(args.toArray(new String[0]));
        assertEquals(0, ref.code(), ref.err());

        Path out = dir.resolve("run/s." + format);
        Files.createDirectories(out.getParent());
        Path journal = RunJournal.pathFor(out.toAbsolutePath());
        List<String> runArgs = new ArrayList<>(args);
        runArgs.set(2, out.toString());
        Interruptions.runAndKill(runArgs, journal, 3);
        assertFalse(Files.exists(out), "no output while the run is incomplete");
        byte[] killed = Files.readAllBytes(journal);

        List<byte[]> variants = new ArrayList<>();
        variants.add(killed);
        variants.add(Arrays.copyOf(killed, killed.length - 5)); // a torn last frame
        int lastRecordEnd = Interruptions.lastRecordEnd(journal);
        variants.add(Arrays.copyOf(killed, lastRecordEnd));      // exactly at a record's end
        variants.add(Arrays.copyOf(killed, lastRecordEnd - 3));   // inside the last complete record's frame
        variants.add(Arrays.copyOf(killed, lastRecordEnd + 7));   // a few bytes of what followed it
        List<String> resumeArgs = new ArrayList<>(runArgs);
        resumeArgs.add("--resume");
        for (int v = 0; v < variants.size(); v++) {
            Files.write(journal, variants.get(v));
            Run r = DnaCli.run(resumeArgs.toArray(new String[0]));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().contains("records were done"), r.err());
            assertFalse(Files.exists(journal), "the journal is gone once the outputs are written");
            if (format.equals("tsv")) {
                assertArrayEquals(Files.readAllBytes(refOut), Files.readAllBytes(out), "variant " + v);
            } else {
                assertEquals(ArrowRows.read(refOut).rows(), ArrowRows.read(out).rows(), "variant " + v);
                Path refPos = ScoreCommand.defaultPositions(refOut);
                Path pos = ScoreCommand.defaultPositions(out);
                assertEquals(ArrowRows.read(refPos).rows(), ArrowRows.read(pos).rows(), "variant " + v);
            }
            Files.delete(out);
        }
    }
}
