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
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dna embed}: vectors against the embedder, echo, bad input, resume after a kill. */
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

    @Test
    void vectorsEqualTheEmbedderPlainAndEcho() throws IOException {
        Path in = fasta();
        DnaModel m = DnaModel.open(model);
        ModelConfig c = InferenceSpan.parse("context").apply(m.config(), m.context());
        List<float[]> plain = null;
        for (boolean echo : new boolean[] {false, true}) {
            Path out = dir.resolve("out/e" + echo + ".arrow");
            List<String> args = new ArrayList<>(List.of("embed", "--model", model.toString(), "--fasta", in.toString(),
                    "--out", out.toString(), "--chunk", "20", "--threads", "2"));
            if (echo) {
                args.add("--echo");
            }
            Run r = DnaCli.run(args.toArray(new String[0]));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("records       3 (338 bases), vectors of 16 float32" + (echo ? ", echo" : "")),
                    r.out());
            ArrowRows rows = ArrowRows.read(out);
            assertEquals(List.of("id", "embedding"), rows.columns());
            ArrowType.FixedSizeList type = (ArrowType.FixedSizeList) rows.schema().getFields().get(1).getType();
            assertEquals(16, type.getListSize());
            List<float[]> got = new ArrayList<>();
            try (ComputePool pool = new ComputePool(1)) {
                Embedder embedder = new Embedder(m.decoder(c, 1000, new VectorBackend(pool)), 20, echo);
                for (int i = 0; i < IDS.length; i++) {
                    assertEquals(IDS[i], rows.rows().get(i).get(0));
                    @SuppressWarnings("unchecked")
                    List<Float> list = (List<Float>) rows.rows().get(i).get(1);
                    float[] v = new float[list.size()];
                    for (int j = 0; j < v.length; j++) {
                        v[j] = list.get(j);
                    }
                    float[] want = embedder.embed(new NucleotideTokenizer().encode(BASES[i].getBytes(), IDS[i]),
                            IDS[i], null);
                    assertArrayEquals(want, v, "record " + IDS[i] + (echo ? ", echo" : "") + ": 1 or 2 threads, same bits");
                    got.add(v);
                }
            }
            if (!echo) {
                plain = got;
            } else {
                for (int i = 0; i < IDS.length; i++) {
                    assertFalse(Arrays.equals(plain.get(i), got.get(i)), "echo pools other states");
                }
            }
        }
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
