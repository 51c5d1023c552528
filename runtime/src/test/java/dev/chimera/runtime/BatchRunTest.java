package dev.chimera.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A batch run over an input that is not DNA: check, compute into the journal, assemble, resume. */
class BatchRunTest {
    @TempDir
    Path dir;

    private record Word(String id, String text) implements BatchRun.Record {
        @Override
        public String where() {
            return "words: '" + id + "'";
        }

        @Override
        public long size() {
            return text.length();
        }
    }

    private static BatchRun.Input<Word> input(List<Word> words) {
        return new BatchRun.Input<>() {
            @Override
            public String name() {
                return "words";
            }

            @Override
            public BatchRun.Pass<Word> open() {
                Iterator<Word> it = words.iterator();
                return new BatchRun.Pass<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Word next() {
                        return it.next();
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public void checked(Progress notes) {
            }
        };
    }

    /** Journals each word's length; the output lists "id length" lines. Counts the words it computed. */
    private final class Lengths implements BatchRun.Work<Word> {
        final Path out = dir.resolve("lengths.txt");
        final List<String> computed = new ArrayList<>();

        @Override
        public long units(long size) {
            return size;
        }

        @Override
        public void check(Word w) {
            if (w.text().isEmpty()) {
                throw new UserException(w.where() + ": empty");
            }
        }

        @Override
        public void compute(long index, Word w, RunJournal journal, LongConsumer progress) throws IOException {
            computed.add(w.id());
            journal.appendRecord((byte) 'L', index, w.id(), ByteBuffer.allocate(8).putLong(w.size()).array());
            progress.accept(w.size());
        }

        @Override
        public void assemble(Path journal) throws IOException {
            StringBuilder text = new StringBuilder();
            RunJournal.replay(journal, new RunJournal.Visitor() {
                @Override
                public void part(byte type, byte[] payload) {
                    throw new AssertionError("no parts written");
                }

                @Override
                public void record(byte type, long index, String id, byte[] payload) {
                    text.append(id).append(' ').append(ByteBuffer.wrap(payload).getLong()).append('\n');
                }
            });
            Files.writeString(out, text);
        }

        @Override
        public List<Path> outputs() {
            return List.of(out);
        }
    }

    private static final List<Word> WORDS = List.of(new Word("a", "one"), new Word("b", "three"), new Word("c", "xy"));

    private BatchRun.Summary run(List<Word> words, boolean resume, Lengths work) throws IOException {
        PrintWriter err = new PrintWriter(new StringWriter());
        return BatchRun.run(input(words), resume, work.out, "measuring", "letters", Map.of("command", "test"), work,
                new Progress(err, false, ""), err);
    }

    @Test
    void aRunChecksComputesAndAssemblesLeavingNoJournal() throws IOException {
        Lengths work = new Lengths();
        BatchRun.Summary s = run(WORDS, false, work);
        assertEquals(3, s.records());
        assertEquals(10, s.size());
        assertEquals(10, s.computedUnits());
        assertEquals("a 3\nb 5\nc 2\n", Files.readString(work.out));
        assertFalse(Files.exists(RunJournal.pathFor(work.out.toAbsolutePath())));
    }

    @Test
    void badInputFailsBeforeAnythingIsWritten() {
        Lengths work = new Lengths();
        UserException e = assertThrows(UserException.class,
                () -> run(List.of(new Word("a", "one"), new Word("b", "")), false, work));
        assertEquals("words: 'b': empty", e.getMessage());
        assertTrue(work.computed.isEmpty());
        assertFalse(Files.exists(RunJournal.pathFor(work.out.toAbsolutePath())));
    }

    @Test
    void resumeComputesOnlyWhatTheJournalLacks() throws IOException {
        Path journal = RunJournal.pathFor(dir.resolve("lengths.txt").toAbsolutePath());
        try (RunJournal j = RunJournal.create(journal, Map.of("command", "test"))) {
            j.appendRecord((byte) 'L', 0, "a", ByteBuffer.allocate(8).putLong(3).array());
        }
        Lengths fresh = new Lengths();
        UserException e = assertThrows(UserException.class, () -> run(WORDS, false, fresh));
        assertTrue(e.getMessage().contains("holds an interrupted run: pass --resume"), e.getMessage());

        Lengths resumed = new Lengths();
        BatchRun.Summary s = run(WORDS, true, resumed);
        assertEquals(List.of("b", "c"), resumed.computed);
        assertEquals(1, s.resumedRecords());
        assertEquals(7, s.computedUnits());
        assertEquals("a 3\nb 5\nc 2\n", Files.readString(resumed.out));
    }

    @Test
    void aJournalOfAnotherInputIsRefused() throws IOException {
        Path journal = RunJournal.pathFor(dir.resolve("lengths.txt").toAbsolutePath());
        try (RunJournal j = RunJournal.create(journal, Map.of("command", "test"))) {
            j.appendRecord((byte) 'L', 0, "z", ByteBuffer.allocate(8).putLong(1).array());
        }
        UserException e = assertThrows(UserException.class, () -> run(WORDS, true, new Lengths()));
        assertTrue(e.getMessage().startsWith("words: 'a': the interrupted run's record 1 had another id"),
                e.getMessage());
    }
}
