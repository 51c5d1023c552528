package dev.chimera.spark;

import static dev.chimera.spark.JobFixtures.CHUNK;
import static dev.chimera.spark.JobFixtures.assertSameDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.spark.JobFixtures.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The job on {@code local[2]} against {@code dna score} and {@code dna embed} run in-process on the
 * same seeded records: the same ids in the same order and the same numbers bit for bit (the same
 * Scorer and Embedder, chunk and thread count), read back through Spark's own Parquet reader.
 */
class DnaSparkJobTest {
    @TempDir
    static Path shared;
    static Path model;
    static Path fasta;
    static Path fastqGz;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() throws IOException {
        model = JobFixtures.model(shared.resolve("model"));
        fasta = JobFixtures.fasta(shared.resolve("a.fa"), JobFixtures.records(1, "a", 24));
        fastqGz = JobFixtures.fastqGz(shared.resolve("b.fq.gz"), JobFixtures.records(2, "b", 8));
    }

    @Test
    void scoresEqualDnaScoreRecordForRecordOverAFastaAndAGzippedFastq() throws IOException {
        Path out = dir.resolve("scores");
        Run job = JobFixtures.job("score", "--model", model.toString(), "--input", fasta.toString(),
                fastqGz.toString(), "--out", out.toString(), "--partitions", "5", "--chunk", CHUNK, "--threads", "1");
        assertEquals(0, job.code(), job.err());
        assertTrue(job.out().contains("records       32 ("), job.out());

        List<List<Object>> expected = new ArrayList<>();
        for (Path in : List.of(fasta, fastqGz)) {
            Path arrow = dir.resolve(in.getFileName() + ".arrow");
            Run dna = JobFixtures.dna("score", "--model", model.toString(), "--fasta", in.toString(), "--out",
                    arrow.toString(), "--chunk", CHUNK, "--threads", "1");
            assertEquals(0, dna.code(), dna.err());
            expected.addAll(JobFixtures.arrowRows(arrow));
        }
        List<Row> rows = JobFixtures.sparkRows(out);
        StructType schema = rows.get(0).schema();
        assertEquals(List.of("id", "length", "log_likelihood", "bits_per_base", "scored_bases", "file"),
                List.of(schema.fieldNames()));
        assertEquals(List.of(DataTypes.StringType, DataTypes.LongType, DataTypes.DoubleType, DataTypes.DoubleType,
                DataTypes.LongType), Stream.of(schema.fields()).limit(5).map(f -> f.dataType()).toList());
        assertEquals(expected.size(), rows.size());
        int nan = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            List<Object> e = expected.get(i);
            String id = (String) e.get(0);
            assertEquals(id, r.getString(0), "row " + i);
            assertEquals((long) e.get(1), r.getLong(1), id);
            assertSameDouble((double) e.get(2), r.getDouble(2), id + " log_likelihood");
            assertSameDouble((double) e.get(3), r.getDouble(3), id + " bits_per_base");
            assertEquals((long) e.get(4), r.getLong(4), id);
            nan += Double.isNaN(r.getDouble(3)) ? 1 : 0;
        }
        assertEquals(2, nan, "the all-N record of each input scores nothing: NaN bits per base");
        try (Stream<Path> files = Files.list(out)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            int parts = names.size() - 2;
            assertTrue(parts >= 2 && parts <= 5 + 2 - 1, "5 partitions over 2 files: at most 6 slices, got " + parts);
            List<String> expectedNames = new ArrayList<>(List.of("_SUCCESS", "_chimera_job"));
            for (int p = 0; p < parts; p++) {
                expectedNames.add(String.format("part-%05d.parquet", p));
            }
            assertEquals(expectedNames, names);
            assertTrue(job.out().contains("partitions    " + parts + " (" + parts + " computed by this run)"), job.out());
        }
    }

    /**
     * With no pooling option the job is {@code dna embed}'s default, centred: the same vectors bit for
     * bit, so the same centre, which the driver computes once and every part's footer and the
     * manifest hold as dna embed's Arrow metadata does; {@code --resume} recomputes it and accepts
     * only the same pooling.
     */
    @Test
    void defaultEmbeddingsAreCentredAsDnaEmbedsRecordForRecordWithTheCentreInEveryFooter() throws IOException {
        Path out = dir.resolve("centred");
        List<String> args = List.of("embed", "--model", model.toString(), "--input", fasta.toString(), "--out",
                out.toString(), "--partitions", "4", "--chunk", CHUNK, "--threads", "1");
        Run job = JobFixtures.job(args.toArray(new String[0]));
        assertEquals(0, job.code(), job.err());
        assertTrue(job.out().startsWith("records       24 ("), job.out());
        assertTrue(job.out().contains(" bases), centred pooling\n"), job.out());
        assertEquals(1, job.err().lines().filter(l -> l.startsWith("centre: 16 sequences of 31 bases sampled from "
                + "the model and embedded (")).count(), "the centre is computed once, on the driver: " + job.err());

        Path arrow = dir.resolve("centred.arrow");
        Run dna = JobFixtures.dna("embed", "--model", model.toString(), "--fasta", fasta.toString(), "--out",
                arrow.toString(), "--chunk", CHUNK, "--threads", "1");
        assertEquals(0, dna.code(), dna.err());
        assertSameVectors(arrow, out);

        Map<String, String> expected = JobFixtures.arrowMetadata(arrow);
        assertEquals("centred", expected.get("pooling"));
        assertEquals(16, expected.get("centre").split(",").length);
        List<Path> parts = JobFixtures.parts(out);
        assertEquals(4, parts.size());
        for (Path part : parts) {
            Map<String, String> footer = PartFile.footer(part);
            for (String key : List.of("pooling", "pooling_detail", "centre", "centre_detail", "spans")) {
                assertEquals(expected.get(key), footer.get(key), part.getFileName() + " " + key);
            }
            assertEquals("chimera dna embed --pooling centred (spark)", footer.get("command"));
        }
        List<String> manifest = Files.readAllLines(out.resolve(JobOutput.MANIFEST));
        assertTrue(manifest.contains("pooling=centred"), manifest.toString());
        assertTrue(manifest.contains("centre=" + expected.get("centre")), manifest.toString());

        List<String> resume = new ArrayList<>(args);
        resume.add("--resume");
        Run again = JobFixtures.job(resume.toArray(new String[0]));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("partitions    4 (0 computed by this run)"), again.out());
        resume.addAll(List.of("--pooling", "mean"));
        Run other = JobFixtures.job(resume.toArray(new String[0]));
        assertEquals(1, other.code());
        assertEquals("dna-spark embed: error: " + out.resolve(JobOutput.MANIFEST) + ": the earlier run had pooling = "
                + "centred, this one has mean; resume with the same settings and inputs, or choose another --out",
                other.err().strip());
    }

    /** Each pooling's vectors equal {@code dna embed --pooling}'s bit for bit; {@code --echo} is {@code --pooling echo}. */
    @ParameterizedTest
    @CsvSource({"--pooling last, --pooling last, last", "--echo, --pooling echo, echo"})
    void embeddingsEqualDnaEmbedRecordForRecord(String jobOption, String dnaOption, String label) throws IOException {
        Path out = dir.resolve("vectors");
        List<String> args = new ArrayList<>(List.of("embed"));
        args.addAll(List.of(jobOption.split(" ")));
        args.addAll(List.of("--model", model.toString(), "--input", fasta.toString(), "--out", out.toString(),
                "--partitions", "4", "--chunk", CHUNK, "--threads", "1", "--json"));
        Run job = JobFixtures.job(args.toArray(new String[0]));
        assertEquals(0, job.code(), job.err());
        assertTrue(job.out().startsWith("{\"op\":\"dna-spark-embed\",\"records\":24,"), job.out());
        assertTrue(job.out().contains(",\"pooling\":\"" + label + "\","), job.out());

        Path arrow = dir.resolve("vectors.arrow");
        List<String> dnaArgs = new ArrayList<>(List.of("embed"));
        dnaArgs.addAll(List.of(dnaOption.split(" ")));
        dnaArgs.addAll(List.of("--model", model.toString(), "--fasta", fasta.toString(), "--out", arrow.toString(),
                "--chunk", CHUNK, "--threads", "1"));
        Run dna = JobFixtures.dna(dnaArgs.toArray(new String[0]));
        assertEquals(0, dna.code(), dna.err());
        assertSameVectors(arrow, out);
        for (Path part : JobFixtures.parts(out)) {
            Map<String, String> footer = PartFile.footer(part);
            assertEquals(label, footer.get("pooling"), part.getFileName().toString());
            assertFalse(footer.containsKey("centre"), part.getFileName().toString());
        }
    }

    /** The rows Spark reads from the job's {@code out} equal dna embed's Arrow file's, every float bit for bit. */
    private static void assertSameVectors(Path arrow, Path out) throws IOException {
        List<List<Object>> expected = JobFixtures.arrowRows(arrow);
        List<Row> rows = JobFixtures.sparkRows(out);
        assertEquals(DataTypes.FloatType,
                ((ArrayType) rows.get(0).schema().fields()[1].dataType()).elementType());
        assertEquals(24, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            String id = (String) expected.get(i).get(0);
            assertEquals(id, rows.get(i).getString(0), "row " + i);
            List<?> e = (List<?>) expected.get(i).get(1);
            List<Float> v = rows.get(i).getList(1);
            assertEquals(16, v.size(), id);
            for (int j = 0; j < e.size(); j++) {
                assertEquals(Float.floatToIntBits((Float) e.get(j)), Float.floatToIntBits(v.get(j)),
                        id + " element " + j);
            }
        }
    }

    @Test
    void theModelIsReadOncePerJvmWhateverThePartitions() throws IOException {
        Path own = JobFixtures.model(dir.resolve("own-model"));
        int before = ModelCache.loads();
        for (String kind : List.of("score", "embed")) {
            Run job = JobFixtures.job(kind, "--model", own.toString(), "--input", fasta.toString(), "--out",
                    dir.resolve(kind).toString(), "--partitions", "8", "--threads", "1", "--device", "cpu-scalar");
            assertEquals(0, job.code(), job.err());
            assertTrue(job.out().matches("(?s).*partitions    (\\d+) \\(\\1 computed by this run\\).*"), job.out());
        }
        assertEquals(1, ModelCache.loads() - before,
                "local mode: the driver's checks and every task of both jobs share one read of the model");
    }

    @Test
    void aBadRecordFailsOnTheDriverInOneLineBeforeAnyOutput() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.fa"), ">ok\nACGT\n>bad\nACGXT\n");
        Path out = dir.resolve("never");
        Run job = JobFixtures.job("score", "--model", model.toString(), "--input", bad.toString(), "--out",
                out.toString());
        assertEquals(1, job.code());
        assertEquals("dna-spark score: error: " + bad + ": record 2 'bad': invalid character 'X' at position 4 "
                + "(expected A C G T U N or an IUPAC code; --on-invalid mask or skip accepts it)", job.err().strip());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void anUnknownDeviceIsAOneLineErrorOnTheDriver() {
        Run job = JobFixtures.job("score", "--model", model.toString(), "--input", fasta.toString(), "--out",
                dir.resolve("o").toString(), "--device", "abacus");
        assertEquals(1, job.code());
        assertTrue(job.err().startsWith("dna-spark score: error: --device abacus: "), job.err());
        assertEquals(1, job.err().strip().lines().count(), job.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        Run job = JobFixtures.job("score", "--model", model.toString(), "--input", fasta.toString(), "--out",
                dir.resolve("o").toString(), "--partitions", "0");
        assertEquals(2, job.code());
        assertTrue(job.err().startsWith("--partitions must be >= 1, got 0"), job.err());
        Run both = JobFixtures.job("embed", "--echo", "--pooling", "mean", "--model", model.toString(), "--input",
                fasta.toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, both.code());
        assertTrue(both.err().startsWith("--echo is --pooling echo; it cannot go with --pooling mean"), both.err());
        Run bad = JobFixtures.job("embed", "--pooling", "max", "--model", model.toString(), "--input",
                fasta.toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--pooling must be mean, centred, last or echo, got 'max'"), bad.err());
        assertFalse(Files.exists(dir.resolve("o")), "nothing written");
    }
}
