package dev.chimera.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run journal: records survive, a torn or corrupt tail is cut at the last complete record, settings must match. */
class RunJournalTest {
    @TempDir
    Path dir;

    private static final Map<String, String> SETTINGS = Map.of("command", "test", "input", "/x.fa");

    /** Three records, the second with two parts; then a part of a fourth that never completed. */
    private Path journal() throws IOException {
        Path file = dir.resolve("out.tsv.journal");
        try (RunJournal j = RunJournal.create(file, SETTINGS)) {
            j.appendRecord((byte) 'R', 0, "r0", bytes("zero"));
            j.appendPart((byte) 'P', bytes("one-a"));
            j.appendPart((byte) 'P', bytes("one-b"));
            j.appendRecord((byte) 'R', 1, "r1", bytes("one"));
            j.appendRecord((byte) 'R', 2, "r2 é", bytes("two"));
            j.appendPart((byte) 'P', bytes("three-a"));
        }
        return file;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> replay(Path file) throws IOException {
        List<String> seen = new ArrayList<>();
        RunJournal.replay(file, new RunJournal.Visitor() {
            @Override
            public void part(byte type, byte[] payload) {
                seen.add((char) type + ":" + new String(payload, StandardCharsets.UTF_8));
            }

            @Override
            public void record(byte type, long index, String id, byte[] payload) {
                seen.add("" + (char) type + index + " " + id + ":" + new String(payload, StandardCharsets.UTF_8));
            }
        });
        return seen;
    }

    @Test
    void replayVisitsCompleteRecordsAndTheirPartsInOrder() throws IOException {
        Path file = journal();
        assertEquals(List.of("R0 r0:zero", "P:one-a", "P:one-b", "R1 r1:one", "R2 r2 é:two"), replay(file));
        assertEquals(SETTINGS, RunJournal.settings(file));
    }

    /** Cut at every byte offset: resume keeps exactly the records whose frames are whole, and appends after them. */
    @Test
    void resumeAfterACutAtAnyByteKeepsWholeRecordsOnly() throws IOException {
        Path file = journal();
        byte[] whole = Files.readAllBytes(file);
        int headerEnd = -1;
        for (int cut = whole.length; cut >= 8; cut--) {
            Files.write(file, Arrays.copyOf(whole, cut));
            RunJournal j;
            try {
                j = RunJournal.resume(file, SETTINGS);
            } catch (UserException e) {
                assertTrue(e.getMessage().contains("settings frame is torn"), e.getMessage());
                headerEnd = Math.max(headerEnd, cut);
                continue;
            }
            int kept = (int) j.completed();
            j.appendRecord((byte) 'R', kept, "new", bytes("new"));
            j.close();
            List<String> seen = replay(file);
            assertEquals("R" + kept + " new:new", seen.get(seen.size() - 1), "cut at " + cut);
            assertEquals(kept + 1, seen.stream().filter(s -> s.startsWith("R")).count(), "cut at " + cut);
            assertTrue(seen.stream().noneMatch(s -> s.equals("P:three-a")), "the unfinished record's part is gone");
        }
        assertTrue(headerEnd > 8, "cuts inside the settings frame are reported");
    }

    @Test
    void aCorruptFrameEndsTheJournalThere() throws IOException {
        Path file = journal();
        byte[] b = Files.readAllBytes(file);
        int at = indexOf(b, bytes("one-b"));
        b[at] ^= 1; // checksum no longer matches: record 1 and everything after are cut
        Files.write(file, b);
        try (RunJournal j = RunJournal.resume(file, SETTINGS)) {
            assertEquals(1, j.completed());
            assertTrue(j.completedWithId(0, "r0"));
            assertFalse(j.completedWithId(0, "r1"));
            assertTrue(j.droppedBytes() > 0);
        }
        assertEquals(List.of("R0 r0:zero"), replay(file));
    }

    @Test
    void settingsMustMatchAndAJournalIsNeverOverwritten() throws IOException {
        Path file = journal();
        UserException e = assertThrows(UserException.class,
                () -> RunJournal.resume(file, Map.of("command", "test", "input", "/y.fa")));
        assertTrue(e.getMessage().contains("input = /x.fa, this one has /y.fa"), e.getMessage());
        e = assertThrows(UserException.class, () -> RunJournal.create(file, SETTINGS));
        assertTrue(e.getMessage().contains("already there"), e.getMessage());
        Files.writeString(file, "something else entirely");
        e = assertThrows(UserException.class, () -> RunJournal.resume(file, SETTINGS));
        assertTrue(e.getMessage().contains("not a run journal"), e.getMessage());
        try (RunJournal j = RunJournal.create(dir.resolve("b.journal"), SETTINGS)) {
            assertThrows(IllegalStateException.class, () -> j.appendRecord((byte) 'R', 1, "skips 0", new byte[0]));
            assertThrows(IllegalArgumentException.class, () -> j.appendPart((byte) 'H', new byte[0]));
        }
        try (FileChannel ch = FileChannel.open(dir.resolve("b.journal"), StandardOpenOption.READ)) {
            assertTrue(ch.size() > 8);
        }
    }

    @Test
    void aNewJournalAppearsWithItsSettingsAndNothingBeside() throws IOException {
        Path file = dir.resolve("c.tsv.journal");
        try (RunJournal j = RunJournal.create(file, SETTINGS)) {
            // Readable at once by another reader (the header was renamed into place whole) ...
            assertEquals(SETTINGS, RunJournal.settings(file));
            assertEquals(0, j.completed());
            j.appendRecord((byte) 'R', 0, "r0", bytes("zero"));
        }
        // ... no temporary file is left in the folder, and appends follow the header.
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList());
        }
        assertEquals(List.of("R0 r0:zero"), replay(file));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
