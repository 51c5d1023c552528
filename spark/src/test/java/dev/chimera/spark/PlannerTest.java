package dev.chimera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.genomics.NucleotideTokenizer.OnInvalid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the driver cuts records into slices: all of them once, in order, in about equal work, no slice across files. */
class PlannerTest {
    @TempDir
    static Path dir;
    static TaskSettings settings;

    @BeforeAll
    static void model() throws IOException {
        Path model = JobFixtures.model(dir.resolve("model"));
        settings = new TaskSettings(TaskSettings.Kind.SCORE, null, model.toString(), "context", 1 << 17, 16, 1, "cpu",
                OnInvalid.ERROR, null);
    }

    private static Planner.Plan plan(List<Path> files, int partitions) {
        try (ModelCache.Lease lease = ModelCache.borrow(settings)) {
            Planner.Plan plan = Planner.plan(files, OnInvalid.ERROR, RecordWork.of(settings, lease.decoder()),
                    partitions);
            lease.reusable();
            return plan;
        }
    }

    private static Path file(String name, int... lengths) throws IOException {
        List<String[]> records = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            records.add(new String[] {name + i, "ACGT".repeat(lengths[i] / 4 + 1).substring(0, lengths[i])});
        }
        return JobFixtures.fasta(dir.resolve(name + ".fa"), records);
    }

    private static List<Integer> records(Planner.Plan plan) {
        return plan.slices().stream().map(s -> s.end() - s.first()).toList();
    }

    @Test
    void everyRecordIsInExactlyOneSliceInFileOrderAndNoSliceCrossesAFile() throws IOException {
        List<Path> files = List.of(file("x", 5, 80, 3, 300, 7, 7, 7, 120, 1), file("y", 60, 60), file("z", 999));
        for (int partitions : new int[] {1, 2, 3, 7, 100}) {
            Planner.Plan plan = plan(files, partitions);
            assertTrue(plan.slices().size() <= partitions + files.size() - 1, partitions + ": " + plan.slices());
            int[] next = new int[files.size()]; // the next record each file's slices must start at
            long units = 0;
            for (int i = 0; i < plan.slices().size(); i++) {
                Slice s = plan.slices().get(i);
                assertEquals(i, s.index());
                assertTrue(s.input() >= (i == 0 ? 0 : plan.slices().get(i - 1).input()), "inputs in order");
                assertEquals(next[s.input()], s.first(), partitions + ": " + s);
                assertTrue(s.end() > s.first(), "not empty");
                next[s.input()] = s.end();
                units += s.units();
            }
            assertEquals(List.of(9, 2, 1), List.of(next[0], next[1], next[2]));
            assertEquals(plan.units(), units);
            assertEquals(530 + 120 + 999, plan.bases());
        }
    }

    @Test
    void equalRecordsSplitEvenlyAndALongRecordIsASliceOfItsOwn() throws IOException {
        int[] forty = new int[40];
        java.util.Arrays.fill(forty, 100);
        Planner.Plan even = plan(List.of(file("even", forty)), 4);
        assertEquals(List.of(10, 10, 10, 10), records(even));

        Planner.Plan skewed = plan(List.of(file("skewed", 10, 10, 1000, 10, 10, 10)), 4);
        assertEquals(List.of(2, 1, 3), records(skewed),
                "the 1,000-base record's midpoint is in bucket 1, the records after it are in bucket 3");
    }
}
