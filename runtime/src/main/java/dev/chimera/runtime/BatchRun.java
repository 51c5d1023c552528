package dev.chimera.runtime;

import dev.chimera.core.checkpoint.AtomicFiles;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The run of a batch command over the records of one input (a FASTA file, a table of series),
 * with its journal:
 *
 * <ol>
 *   <li>the whole input is read once and checked (format, characters, ids, lengths against the
 *       spans) before anything is written, so bad input fails in one line and leaves nothing;
 *   <li>records are computed in input order, each one's results appended to the journal
 *       ({@link RunJournal}, OUT.journal) as it completes;
 *   <li>the outputs are made from the journal, each written under a temporary name and renamed
 *       into place, then the journal is deleted.
 * </ol>
 *
 * A kill at any moment leaves either no output or a complete one, and the journal; {@code --resume}
 * keeps the journal's complete records (checking their ids against the input), cuts off a torn
 * tail, and computes the rest.
 */
public final class BatchRun {
    /** One record of an input as a run sees it. */
    public interface Record {
        /** The id the journal keeps, to check on resume that the input is the same. */
        String id();

        /** Where the record is, for messages, e.g. {@code in.fa: record 3 'chr3'}. */
        String where();

        /** Its size in the input's unit (bases, values), summed in {@link Summary#size}. */
        long size();
    }

    /** The input of a run, read twice: once to check every record, once to compute them. */
    public interface Input<R extends Record> {
        /** The input as messages name it, e.g. its file. */
        String name();

        /** A new pass over the records, in input order. */
        Pass<R> open() throws IOException;

        /** Called after the checking pass, e.g. to note what was read leniently. */
        void checked(Progress notes);
    }

    /** One pass over an input's records. */
    public interface Pass<R> extends Iterator<R>, Closeable {
    }

    /** One command's part: checking a record, computing it into the journal, making the outputs. */
    public interface Work<R extends Record> {
        /** Progress units of a record of {@code size} (bases, or positions run). */
        long units(long size);

        /** Fails (naming the record) if it cannot be computed, e.g. too long for a full span. */
        void check(R record);

        /** Computes record {@code index} and appends its frames, the last completing it. */
        void compute(long index, R record, RunJournal journal, LongConsumer progress) throws IOException;

        /** Makes the outputs from a journal of complete records (each atomically). */
        void assemble(Path journal) throws IOException;

        /** The output files, for messages. */
        List<Path> outputs();
    }

    /** What a run did; {@code size} sums the records' sizes. */
    public record Summary(long records, long size, long resumedRecords, long computedUnits, double seconds,
                          boolean nothingToDo) {
    }

    private BatchRun() {
    }

    /** Fails in one line, before any work, if {@code out} cannot be written. */
    public static void requireWritable(Path out, String option) {
        Path target = out.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new UserException(option + " " + out + ": is a directory, expected a file name");
        }
        Path dir = target.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserException(option + " " + out + ": cannot create the folder " + dir + " ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        if (!Files.isWritable(dir)) {
            throw new UserException(option + " " + out + ": the folder " + dir + " is not writable");
        }
    }

    /** Runs the batch: check, compute into the journal, assemble. See the class comment. */
    public static <R extends Record> Summary run(Input<R> input, boolean resume, Path out, String what, String unit,
                                                 Map<String, String> settings, Work<R> work, Progress notes,
                                                 PrintWriter err) throws IOException {
        Path journalPath = RunJournal.pathFor(out.toAbsolutePath());
        boolean journalExists = Files.exists(journalPath);
        if (journalExists && !resume) {
            throw new UserException(journalPath + " holds an interrupted run: pass --resume to continue it, or "
                    + "delete it to start again");
        }
        if (resume && !journalExists) {
            if (work.outputs().stream().allMatch(Files::exists)) {
                notes.note("--resume: " + out + " is complete (no journal left), nothing to do");
                return new Summary(0, 0, 0, 0, 0, true);
            }
            notes.note("--resume: no journal " + journalPath.getFileName() + ", starting a new run");
        }

        // 1. Read and check every record before writing anything.
        long[] totals = new long[3]; // records, size, units
        try (Pass<R> records = input.open()) {
            while (records.hasNext()) {
                R r = records.next();
                work.check(r);
                totals[0]++;
                totals[1] += r.size();
                totals[2] += work.units(r.size());
            }
        }
        input.checked(notes);

        // 2. Compute the records not in the journal.
        RunJournal journal = journalExists ? RunJournal.resume(journalPath, settings)
                : RunJournal.create(journalPath, settings);
        long resumed = journal.completed();
        BatchProgress progress = new BatchProgress(err, System.console() != null, what, unit, totals[0], totals[2]);
        try {
            if (resumed > totals[0]) {
                throw new UserException(journalPath + " holds " + resumed + " records but " + input.name()
                        + " has only " + totals[0] + "; it was written for another input");
            }
            if (journalExists) {
                notes.note(String.format(Locale.ROOT, "--resume: %,d of %,d records were done%s", resumed, totals[0],
                        journal.droppedBytes() > 0 ? String.format(Locale.ROOT,
                                "; dropped %,d bytes of the record that was in progress", journal.droppedBytes()) : ""));
            }
            long resumedUnits = 0;
            try (Pass<R> records = input.open()) {
                long index = 0;
                while (records.hasNext()) {
                    R r = records.next();
                    if (index < resumed) {
                        if (!journal.completedWithId(index, r.id())) {
                            throw new UserException(r.where() + ": the interrupted run's record " + (index + 1)
                                    + " had another id; the input changed, delete " + journalPath + " to start again");
                        }
                        resumedUnits += work.units(r.size());
                        if (index + 1 == resumed) {
                            progress.alreadyDone(resumed, resumedUnits);
                        }
                    } else {
                        work.compute(index, r, journal, progress::advance);
                        progress.recordDone();
                    }
                    index++;
                }
            }
        } catch (UncheckedIOException e) {
            journal.close();
            throw new UncheckedIOException("cannot write " + journalPath + ": " + e.getCause().getMessage(), e.getCause());
        } finally {
            journal.close();
        }
        progress.done();

        // 3. The outputs, then the journal goes.
        work.assemble(journalPath);
        Files.delete(journalPath);
        AtomicFiles.fsyncDirectory(journalPath.getParent());
        return new Summary(totals[0], totals[1], resumed, progress.units(), progress.seconds(), false);
    }
}
