package dev.chimera.genomics.cli;

import dev.chimera.core.checkpoint.AtomicFiles;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.FastaSource;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.NucleotideTokenizer.OnInvalid;
import dev.chimera.genomics.SequenceRecord;
import dev.chimera.runtime.BatchProgress;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.Progress;
import dev.chimera.runtime.RunJournal;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The run of a batch command over the records of one FASTA/FASTQ file, with its journal:
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
final class BatchRun {
    /** One command's part: checking a record, computing it into the journal, making the outputs. */
    interface Work {
        /** Progress units of a record of {@code bases} bases (bases, or positions run). */
        long units(long bases);

        /** Fails (naming the record) if it cannot be computed, e.g. too long for a full span. */
        void check(SequenceRecord record, byte[] tokens);

        /** Computes record {@code index} and appends its frames, the last completing it. */
        void compute(long index, SequenceRecord record, byte[] tokens, RunJournal journal, LongConsumer progress)
                throws IOException;

        /** Makes the outputs from a journal of complete records (each atomically). */
        void assemble(Path journal) throws IOException;

        /** The output files, for messages. */
        List<Path> outputs();
    }

    /** What a run did. */
    record Summary(long records, long bases, long resumedRecords, long computedUnits, double seconds,
                   boolean nothingToDo) {
    }

    private BatchRun() {
    }

    /** Opens a DNA model, every failure one line naming the directory. */
    static DnaModel openModel(Path dir) {
        try {
            return DnaModel.open(dir);
        } catch (IOException e) {
            throw new UserException("--model " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The config the model runs with: spans chosen by --span from those it was trained with and its context. */
    static ModelConfig inferenceConfig(DnaModel model, BatchOptions o) {
        return o.span.apply(model.config(), model.context());
    }

    /** A decoder of the model's weights with the config given. */
    static Decoder decoder(DnaModel model, ModelConfig config, BatchOptions o, ComputePool pool) {
        try {
            return model.decoder(config, o.maxLength, pool);
        } catch (IOException e) {
            throw new UserException("--model " + model.directory() + ": " + e.getMessage(), e);
        }
    }

    /** The settings every batch run records in its journal; a resume must match them all. */
    static Map<String, String> settings(String command, DnaModel model, ModelConfig config, BatchOptions o) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("command", command);
        s.put("model", model.checkpoint().directory().toAbsolutePath().normalize() + " step " + model.steps());
        s.put("spans", InferenceSpan.describe(config));
        s.put("chunk", Integer.toString(o.chunk));
        s.put("on_invalid", o.onInvalid.name().toLowerCase(Locale.ROOT));
        Path fasta = o.fasta.toAbsolutePath().normalize();
        s.put("input", fasta.toString());
        try {
            s.put("input_bytes", Long.toString(Files.size(fasta)));
            s.put("input_modified", Files.getLastModifiedTime(fasta).toString());
        } catch (IOException e) {
            // FastaSource reports a missing or unreadable input in its own words.
        }
        return s;
    }

    /** Fails in one line, before any work, if {@code out} cannot be written. */
    static void requireWritable(Path out, String option) {
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
    static Summary run(BatchOptions o, Path out, String what, String unit, Map<String, String> settings, Work work,
                       Progress notes, PrintWriter err) throws IOException {
        Path journalPath = RunJournal.pathFor(out.toAbsolutePath());
        boolean journalExists = Files.exists(journalPath);
        if (journalExists && !o.resume) {
            throw new UserException(journalPath + " holds an interrupted run: pass --resume to continue it, or "
                    + "delete it to start again");
        }
        if (o.resume && !journalExists) {
            if (work.outputs().stream().allMatch(Files::exists)) {
                notes.note("--resume: " + out + " is complete (no journal left), nothing to do");
                return new Summary(0, 0, 0, 0, 0, true);
            }
            notes.note("--resume: no journal " + journalPath.getFileName() + ", starting a new run");
        }

        // 1. Read and check every record before writing anything.
        long[] totals = new long[3]; // records, bases, units
        NucleotideTokenizer tokenizer = new NucleotideTokenizer(o.onInvalid);
        try (FastaSource source = FastaSource.open(o.fasta)) {
            while (source.hasNext()) {
                SequenceRecord r = source.next();
                byte[] tokens = tokenizer.encode(r);
                work.check(r, tokens);
                totals[0]++;
                totals[1] += tokens.length;
                totals[2] += work.units(tokens.length);
            }
        }
        if (tokenizer.invalidCount() > 0) {
            notes.note(String.format(Locale.ROOT, "%s %,d invalid characters (--on-invalid %s)",
                    o.onInvalid == OnInvalid.MASK ? "read as N" : "dropped", tokenizer.invalidCount(),
                    o.onInvalid.name().toLowerCase(Locale.ROOT)));
        }

        // 2. Compute the records not in the journal.
        RunJournal journal = journalExists ? RunJournal.resume(journalPath, settings)
                : RunJournal.create(journalPath, settings);
        long resumed = journal.completed();
        BatchProgress progress = new BatchProgress(err, System.console() != null, what, unit, totals[0], totals[2]);
        try {
            if (resumed > totals[0]) {
                throw new UserException(journalPath + " holds " + resumed + " records but " + o.fasta + " has only "
                        + totals[0] + "; it was written for another input");
            }
            if (journalExists) {
                notes.note(String.format(Locale.ROOT, "--resume: %,d of %,d records were done%s", resumed, totals[0],
                        journal.droppedBytes() > 0 ? String.format(Locale.ROOT,
                                "; dropped %,d bytes of the record that was in progress", journal.droppedBytes()) : ""));
            }
            long resumedUnits = 0;
            try (FastaSource source = FastaSource.open(o.fasta)) {
                long index = 0;
                while (source.hasNext()) {
                    SequenceRecord r = source.next();
                    if (index < resumed) {
                        if (!journal.completedWithId(index, r.id())) {
                            throw new UserException(r.where() + ": the interrupted run's record " + (index + 1)
                                    + " had another id; the input changed, delete " + journalPath + " to start again");
                        }
                        resumedUnits += work.units(tokenizer.encode(r).length);
                        if (index + 1 == resumed) {
                            progress.alreadyDone(resumed, resumedUnits);
                        }
                    } else {
                        work.compute(index, r, tokenizer.encode(r), journal, progress::advance);
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
