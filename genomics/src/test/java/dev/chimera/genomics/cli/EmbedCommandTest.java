package dev.chimera.genomics.cli;

import dev.chimera.core.kernel.VectorBackend;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.Embedder;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.TinyDnaModel;
import dev.chimera.genomics.cli.DnaCli.Run;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.RunJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dna embed}: vectors against the embedder for each pooling, the centre, bad input, resume after a kill. */
class EmbedCommandTest {
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

    private static final String[] IDS = {"a", "b", "c"};
    private static final String[] BASES = {TinyDnaModel.dna(21, 30) + "NAC", TinyDnaModel.dna(22, 300),
        TinyDnaModel.dna(23, 5)};

    private Path fasta() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < IDS.length; i++) {
            sb.append('>').append(IDS[i]).append('\n').append(BASES[i]).append('\n');
        }
        return Files.writeString(dir.resolve("in.fa"), sb.toString());
    }

    /** Each pooling's vectors, through the command, equal the embedder's; --echo is --pooling echo. */
    @Test
    void vectorsEqualTheEmbedderForEveryPooling() throws IOException {
        Path in = fasta();
        DnaModel m = DnaModel.open(model);
        ModelConfig c = InferenceSpan.parse("context").apply(m.config(), m.context());
        Map<String, List<float[]>> byPooling = new LinkedHashMap<>();
        for (String pooling : new String[] {"mean", "centred", "last", "echo", "--echo", "default"}) {
            Path out = dir.resolve("out/e-" + pooling + ".arrow");
            List<String> args = new ArrayList<>(List.of("embed", "--model", model.toString(), "--fasta", in.toString(),
                    "--out", out.toString(), "--chunk", "20", "--threads", "2"));
            if (pooling.equals("--echo")) {
                args.add("--echo");
            } else if (!pooling.equals("default")) {
                args.addAll(List.of("--pooling", pooling));
            }
            Run r = DnaCli.run(args.toArray(new String[0]));
            assertEquals(0, r.code(), r.err());
            Embedder.Pooling p = pooling.equals("--echo") ? Embedder.Pooling.ECHO
                    : pooling.equals("default") ? Embedder.Pooling.CENTRED : Embedder.Pooling.parse(pooling);
            assertTrue(r.out().contains("records       3 (338 bases), vectors of 16 float32, " + p.label() + " pooling"),
                    r.out());
            ArrowRows rows = ArrowRows.read(out);
            assertEquals(List.of("id", "embedding"), rows.columns());
            ArrowType.FixedSizeList type = (ArrowType.FixedSizeList) rows.schema().getFields().get(1).getType();
            assertEquals(16, type.getListSize());
            assertEquals(p.label(), rows.metadata().get("pooling"));
            assertEquals(p == Embedder.Pooling.CENTRED, rows.metadata().containsKey("centre"));
            float[] centre = p == Embedder.Pooling.CENTRED ? floats(rows.metadata().get("centre")) : null;
            List<float[]> got = new ArrayList<>();
            try (ComputePool pool = new ComputePool(1)) {
                Embedder embedder = new Embedder(m.decoder(c, 1000, new VectorBackend(pool)), 20, p, centre);
                for (int i = 0; i < IDS.length; i++) {
                    assertEquals(IDS[i], rows.rows().get(i).get(0));
                    float[] v = vector(rows.rows().get(i).get(1));
                    float[] want = embedder.embed(new NucleotideTokenizer().encode(BASES[i].getBytes(), IDS[i]),
                            IDS[i], null);
                    assertArrayEquals(want, v, "record " + IDS[i] + ", " + pooling + ": 1 or 2 threads, same bits");
                    got.add(v);
                }
            }
            byPooling.put(pooling, got);
        }
        for (int i = 0; i < IDS.length; i++) {
            assertArrayEquals(byPooling.get("echo").get(i), byPooling.get("--echo").get(i));
            assertArrayEquals(byPooling.get("centred").get(i), byPooling.get("default").get(i));
            for (String other : new String[] {"centred", "last", "echo"}) {
                assertFalse(Arrays.equals(byPooling.get("mean").get(i), byPooling.get(other).get(i)), other);
            }
        }
        Run both = DnaCli.run("embed", "--model", model.toString(), "--fasta", in.toString(), "--out",
                dir.resolve("both.arrow").toString(), "--echo", "--pooling", "mean");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--echo is --pooling echo; it cannot go with --pooling mean"), both.err());
        Run bad = DnaCli.run("embed", "--model", model.toString(), "--fasta", in.toString(), "--out",
                dir.resolve("bad.arrow").toString(), "--pooling", "max");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--pooling must be mean, centred, last or echo, got 'max'"), bad.err());
    }

    /**
     * The centre is the mean of the mean-pooled vectors of the 16 sequences that 'dna generate'
     * draws from BOS with seed 1 at temperature 1, of the training context less BOS (47 bases).
     */
    @Test
    void theCentreIsTheMeanEmbeddingOfTheModelsOwnSamples() throws IOException {
        Path out = dir.resolve("c.arrow");
        Run r = DnaCli.run("embed", "--model", model.toString(), "--fasta", fasta().toString(), "--out", out.toString(),
                "--pooling", "centred", "--chunk", "20");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("centre: 16 sequences of 47 bases sampled from the model"), r.err());
        float[] centre = floats(ArrowRows.read(out).metadata().get("centre"));

        Run generated = DnaCli.run("generate", "--model", model.toString(), "--length", "47", "--num", "16", "--seed",
                "1", "--temperature", "1");
        assertEquals(0, generated.code(), generated.err());
        List<String> samples = new ArrayList<>();
        for (String line : generated.out().lines().toList()) {
            if (line.startsWith(">")) {
                samples.add("");
            } else {
                samples.set(samples.size() - 1, samples.get(samples.size() - 1) + line);
            }
        }
        assertEquals(16, samples.size());
        DnaModel m = DnaModel.open(model);
        ModelConfig c = InferenceSpan.parse("context").apply(m.config(), m.context());
        try (ComputePool pool = new ComputePool(1)) {
            Embedder mean = new Embedder(m.decoder(c, 1000, new VectorBackend(pool)), 20, Embedder.Pooling.MEAN, null);
            double[] sum = new double[centre.length];
            for (String sample : samples) {
                float[] v = mean.embed(new NucleotideTokenizer().encode(sample.getBytes(), "sample"), "sample", null);
                for (int j = 0; j < sum.length; j++) {
                    sum[j] += v[j];
                }
            }
            for (int j = 0; j < sum.length; j++) {
                assertEquals((float) (sum[j] / 16), centre[j], "component " + j);
            }
        }
    }

    private static float[] floats(String commaSeparated) {
        String[] parts = commaSeparated.split(",");
        float[] v = new float[parts.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.parseFloat(parts[i]);
        }
        return v;
    }

    private static float[] vector(Object listOfFloats) {
        @SuppressWarnings("unchecked")
        List<Float> list = (List<Float>) listOfFloats;
        float[] v = new float[list.size()];
        for (int j = 0; j < v.length; j++) {
            v[j] = list.get(j);
        }
        return v;
    }

    @Test
    void badInputFailsInOneLineWithoutOutput() throws IOException {
        Path out = dir.resolve("out/e.arrow");
        Path bad = Files.writeString(dir.resolve("bad.fa"), ">a\nACGT\n>a\nAC\n");
        Run r = DnaCli.run("embed", "--model", model.toString(), "--fasta", bad.toString(), "--out",
                out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().trim().matches("dna embed: error: .*bad.fa: record 2 'a'.*duplicate record id.*"), r.err());
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertEquals(List.of(), s.toList());
        }
        Path skipped = Files.writeString(dir.resolve("skip.fa"), ">a\nACGT\n>b\n--\n");
        r = DnaCli.run("embed", "--model", model.toString(), "--fasta", skipped.toString(), "--out",
                out.toString(), "--on-invalid", "skip");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("record 2 'b': no bases left to embed"), r.err());
        r = DnaCli.run("embed", "--model", model.toString(), "--fasta", skipped.toString(), "--out",
                dir.resolve("e.tsv").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("expected a .arrow file name"), r.err());
    }

    @Test
    void resumeAfterAKillGivesTheUninterruptedOutput() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            sb.append(">r").append(i).append('\n').append(TinyDnaModel.dna(200 + i, 700 + 13 * i)).append('\n');
        }
        Path in = Files.writeString(dir.resolve("big.fa"), sb.toString());
        Path ref = dir.resolve("ref/e.arrow");
        Run r = DnaCli.run("embed", "--model", model.toString(), "--fasta", in.toString(), "--out",
                ref.toString(), "--echo", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        Path out = dir.resolve("run/e.arrow");
        Files.createDirectories(out.getParent());
        List<String> args = new ArrayList<>(List.of("embed", "--model", model.toString(), "--fasta", in.toString(),
                "--out", out.toString(), "--echo", "--threads", "1"));
        Path journal = RunJournal.pathFor(out.toAbsolutePath());
        Interruptions.runAndKill(args, journal, 2);
        assertFalse(Files.exists(out));
        byte[] killed = Files.readAllBytes(journal);
        Files.write(journal, Arrays.copyOf(killed, Interruptions.lastRecordEnd(journal) - 1));
        args.add("--resume");
        r = DnaCli.run(args.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        assertEquals(ArrowRows.read(ref).rows(), ArrowRows.read(out).rows());
        assertFalse(Files.exists(journal));
    }
}
