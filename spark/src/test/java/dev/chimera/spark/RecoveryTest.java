package dev.chimera.spark;

import static dev.chimera.spark.JobFixtures.CHUNK;
import static dev.chimera.spark.JobFixtures.assertSameDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.spark.JobFixtures.Run;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.parquet.example.data.Group;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * No record missing and none twice through the two failures the job answers for: a task attempt
 * that fails (Spark retries it: {@code local[2,2]} allows two attempts) before or after its part
 * was committed, and a driver that stops halfway (a new run with {@code --resume} computes only
 * the parts that are missing). The output is checked against {@code dna score}'s, record for record.
 */
class RecoveryTest {
    private static final int PARTITIONS = 8;
    /**
     * The scalar reference backend: what is tested here is the job around the model, and the scalar
     * kernels run fast from a cold JVM, where the Vector API's are slow until C2 compiles them.
     */
    private static final String DEVICE = "cpu-scalar";
    private static final AtomicInteger INDUCED = new AtomicInteger();
    private static final AtomicInteger COMPLETED = new AtomicInteger();

    @TempDir
    static Path shared;
    static Path model;
    static Path fasta;
    static List<List<Object>> reference;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() throws IOException {
        model = JobFixtures.model(shared.resolve("model"));
        List<String[]> records = new ArrayList<>();
        for (String[] r : JobFixtures.records(3, "r", 20)) {
            records.add(new String[] {r[0], r[1].substring(0, Math.min(r[1].length(), 120))});
        }
        fasta = JobFixtures.fasta(shared.resolve("in.fa"), records);
        Path arrow = shared.resolve("reference.arrow");
        Run dna = JobFixtures.dna("score", "--model", model.toString(), "--fasta", fasta.toString(), "--out",
                arrow.toString(), "--chunk", CHUNK, "--threads", "1", "--device", DEVICE);
        assertEquals(0, dna.code(), dna.err());
        reference = JobFixtures.arrowRows(arrow);
    }

    private String[] args(Path out, String chunk, boolean resume) {
        List<String> a = new ArrayList<>(List.of("score", "--model", model.toString(), "--input", fasta.toString(),
                "--out", out.toString(), "--partitions", Integer.toString(PARTITIONS), "--chunk", chunk, "--threads",
                "1", "--device", DEVICE));
        if (resume) {
            a.add("--resume");
        }
        return a.toArray(String[]::new);
    }

    /** A run of the score job prepared as its command would, for the test to execute with a wrapped task. */
    private JobRun prepare(Path out) throws IOException {
        CommandLine cl = DnaSparkJob.commandLine(LocalSpark::session);
        CommandLine.ParseResult parsed = cl.parseArgs(args(out, CHUNK, false));
        ScoreJob job = (ScoreJob) parsed.subcommand().commandSpec().userObject();
        return JobRun.prepare(LocalSpark::session, job.options, TaskSettings.Kind.SCORE, null,
                new PrintWriter(new StringWriter()));
    }

    @Test
    void attemptsFailingBeforeAndAfterTheirCommitAreRetriedAndEveryRecordIsWrittenOnce() throws IOException {
        Path out = dir.resolve("out");
        JobRun run = prepare(out);
        int slices = run.plan().slices().size();
        assertTrue(slices >= 4, "slices 1 and 3 exist: " + slices);
        INDUCED.set(0);
        JobRun.Summary s = run.execute(FailFirstAttempts::new);
        assertEquals(2, INDUCED.get(), "both induced failures happened");
        assertEquals(slices, s.partitions());
        assertEquals(slices - 1, s.computedPartitions(),
                "slice 3's second attempt found its part committed by the first and left it as it was");
        assertSameAsReference(out);
    }

    @Test
    void aRunStoppedHalfwayResumesWithOnlyTheMissingPartsAndEveryRecordOnce() throws Exception {
        Path out = dir.resolve("out");
        JobRun first = prepare(out);
        int slices = first.plan().slices().size();
        SparkContext sc = LocalSpark.session().sparkContext();
        COMPLETED.set(0);
        assertThrows(RuntimeException.class, () -> first.execute(StopDriverAfterThree::new),
                "the driver 'died' mid-job");
        awaitNoActiveStage(sc);
        int committed = parts(out);
        assertTrue(committed >= 3 && committed < slices, committed + " of " + slices + " parts committed at the stop");
        assertFalse(Files.exists(out.resolve(JobOutput.SUCCESS)));
        Path torn = Files.writeString(out.resolve(".part-00007.parquet.x1.tmp"), "a killed task's leftover");

        Run again = JobFixtures.job(args(out, CHUNK, false));
        assertEquals(1, again.code(), again.err());
        assertEquals("dna-spark score: error: --out " + out + " holds a run already (" + committed + " of " + slices + " parts "
                + "written); pass --resume to continue it, or choose another --out", again.err().strip());
        Run otherChunk = JobFixtures.job(args(out, "8", true));
        assertEquals(1, otherChunk.code(), otherChunk.err());
        assertEquals("dna-spark score: error: " + out.resolve(JobOutput.MANIFEST) + ": the earlier run had chunk = 16, "
                + "this one has 8; resume with the same settings and inputs, or choose another --out",
                otherChunk.err().strip());

        Run resumed = JobFixtures.job(args(out, CHUNK, true));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("partitions    " + slices + " (" + (slices - committed)
                        + " computed by this run)"),
                resumed.out());
        assertFalse(Files.exists(torn), "the leftover temporary file was removed");
        assertSameAsReference(out);

        Run done = JobFixtures.job(args(out, CHUNK, true));
        assertEquals(0, done.code(), done.err());
        assertTrue(done.out().contains("partitions    " + slices + " (0 computed by this run)"), done.out());
    }

    private static void assertSameAsReference(Path out) throws IOException {
        assertTrue(Files.exists(out.resolve(JobOutput.SUCCESS)));
        List<Group> rows = JobFixtures.partRows(out);
        assertEquals(reference.size(), rows.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            Group r = rows.get(i);
            String id = (String) reference.get(i).get(0);
            assertEquals(id, r.getString("id", 0), "row " + i);
            assertTrue(ids.add(id), id + " written twice");
            assertSameDouble((double) reference.get(i).get(2), r.getDouble("log_likelihood", 0), id + " log_likelihood");
        }
    }

    private static int parts(Path out) throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            return (int) files.filter(p -> p.getFileName().toString().matches("part-\\d{5}\\.parquet")).count();
        }
    }

    private static void awaitNoActiveStage(SparkContext sc) throws InterruptedException {
        for (int i = 0; i < 200 && sc.statusTracker().getActiveStageIds().length > 0; i++) {
            Thread.sleep(50);
        }
        assertEquals(0, sc.statusTracker().getActiveStageIds().length, "the cancelled tasks ended");
    }

    /** Slice 1's first attempt fails before computing, slice 3's after its part was committed. */
    static final class FailFirstAttempts implements Function<Slice, SliceResult> {
        private final Function<Slice, SliceResult> task;

        FailFirstAttempts(Function<Slice, SliceResult> task) {
            this.task = task;
        }

        @Override
        public SliceResult call(Slice slice) throws Exception {
            boolean first = TaskContext.get().attemptNumber() == 0;
            if (first && slice.index() == 1) {
                INDUCED.incrementAndGet();
                throw new IllegalStateException("induced failure before the part was written");
            }
            SliceResult r = task.call(slice);
            if (first && slice.index() == 3) {
                INDUCED.incrementAndGet();
                throw new IllegalStateException("induced failure after the part was committed");
            }
            return r;
        }
    }

    /**
     * The driver's death, as far as the job can tell: once three tasks have committed their parts,
     * no task starts any more (one that Spark launches fails at once) and every job is cancelled
     * (from the task's thread, which in local mode is in the driver's JVM). A task already running
     * stops at its next record, or commits if it is past its last.
     */
    static final class StopDriverAfterThree implements Function<Slice, SliceResult> {
        private final Function<Slice, SliceResult> task;

        StopDriverAfterThree(Function<Slice, SliceResult> task) {
            this.task = task;
        }

        @Override
        public SliceResult call(Slice slice) throws Exception {
            if (COMPLETED.get() >= 3) {
                throw new IllegalStateException("the driver is gone");
            }
            SliceResult r = task.call(slice);
            if (COMPLETED.incrementAndGet() == 3) {
                SparkContext.getOrCreate().cancelAllJobs();
            }
            return r;
        }
    }
}
