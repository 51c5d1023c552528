package dev.chimera.spark;

import dev.chimera.genomics.FastaSource;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.SequenceRecord;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskKilledException;
import org.apache.spark.api.java.function.Function;

/**
 * A Spark task: one slice's records through the model into its part file. The input is read with
 * FastaSource from its start, skipping the records before the slice, so plain, gzip and bgzip
 * FASTA and FASTQ all split the same way. Skipping costs a task at most one parse of its file,
 * which is cheap beside the model: htsjdk parsed E. coli in 1 kb records (4.6 Mb) in 0.06-0.16 s
 * warm, plain or gzip, where the shipped model scores 5-10 thousand bases a second a core. The
 * model comes from the executor's {@link ModelCache}. A part already in place (a retried task
 * whose first attempt committed, a resumed run) is left as it is.
 */
final class SliceTask implements Function<Slice, SliceResult> {
    private static final long serialVersionUID = 1L;

    private final TaskSettings settings;
    private final String out;
    private final Map<String, String> metadata;

    /** Writes to {@code out} with {@code metadata} (command, model, spans) in every part's footer. */
    SliceTask(TaskSettings settings, String out, Map<String, String> metadata) {
        this.settings = settings;
        this.out = out;
        this.metadata = new LinkedHashMap<>(metadata);
    }

    @Override
    public SliceResult call(Slice slice) throws IOException {
        Path target = JobOutput.part(Path.of(out), slice.index());
        if (Files.exists(target)) {
            return new SliceResult(slice.index(), false, 0, 0);
        }
        requireUnchanged(slice);
        long start = System.nanoTime();
        try (ModelCache.Lease lease = ModelCache.borrow(settings)) {
            RecordWork work = RecordWork.of(settings, lease.decoder());
            Map<String, String> meta = new LinkedHashMap<>(metadata);
            meta.putAll(work.notes());
            meta.put("input", slice.path());
            meta.put("first_record", Integer.toString(slice.first() + 1));
            PartTotals totals = new PartTotals();
            PartFile.write(target, work.schema(), meta, () -> totals.metadata(settings.kind()),
                    rows -> compute(slice, work, totals, rows));
            lease.reusable();
            return new SliceResult(slice.index(), true, totals.units, (System.nanoTime() - start) / 1e9);
        }
    }

    private void compute(Slice slice, RecordWork work, PartTotals totals, PartFile.Rows rows) throws IOException {
        NucleotideTokenizer tokenizer = new NucleotideTokenizer(settings.onInvalid());
        TaskContext task = TaskContext.get();
        try (FastaSource source = FastaSource.open(Path.of(slice.path()))) {
            for (int i = 0; i < slice.end(); i++) {
                if (!source.hasNext()) {
                    throw new UserException(slice.path() + " ended at record " + i + "; partition "
                            + slice.index() + " was planned up to record " + slice.end() + " (the file changed)");
                }
                SequenceRecord r = source.next();
                if (i < slice.first()) {
                    continue;
                }
                if (task != null && task.isInterrupted()) {
                    throw new TaskKilledException("cancelled");
                }
                rows.write(work.compute(r.id(), tokenizer.encode(r), r.where(), totals));
            }
        }
        if (totals.units != slice.units()) {
            throw new IllegalStateException(slice.path() + ": partition " + slice.index() + " ran " + totals.units
                    + " units, planned " + slice.units());
        }
    }

    /** Fails if the input is not the file the driver planned with. */
    private static void requireUnchanged(Slice slice) {
        Path input = Path.of(slice.path());
        if (Planner.size(input) != slice.bytes() || !Planner.modified(input).equals(slice.modified())) {
            throw new UserException(slice.path() + " changed after the job was planned (size or time), or this "
                    + "executor sees another file at that path");
        }
    }
}
