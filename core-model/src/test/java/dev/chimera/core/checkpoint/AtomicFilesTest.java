package dev.chimera.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    /**
     * Records the durability steps in order, each with what it acts on (for a force: the files
     * in the directory and the size of the forced file at that moment), then takes the real step.
     */
    private static final class Recorder implements AtomicFiles.Durability {
        final List<String> steps = new ArrayList<>();
        private final Path dir;

        Recorder(Path dir) {
            this.dir = dir;
        }

        @Override
        public void force(FileChannel written) throws IOException {
            try (Stream<Path> s = Files.list(dir)) {
                steps.add("force " + s.map(p -> p.getFileName().toString()).sorted().toList() + " "
                        + written.size() + " bytes");
            }
            AtomicFiles.SYSTEM.force(written);
        }

        @Override
        public void rename(Path from, Path to) throws IOException {
            steps.add("rename " + from.getFileName() + " -> " + to.getFileName());
            AtomicFiles.SYSTEM.rename(from, to);
        }

        @Override
        public void syncDirectory(Path d) {
            steps.add("sync " + (d.equals(dir) ? "dir" : d));
            AtomicFiles.SYSTEM.syncDirectory(d);
        }
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writeReplacesTheFileAndLeavesNoTemporaryBehind() throws IOException {
        Path f = dir.resolve("latest");
        AtomicFiles.writeString(f, "one\n");
        AtomicFiles.writeString(f, "two\n");
        assertEquals("two\n", Files.readString(f));
        assertEquals(List.of("latest"), names());
    }

    @Test
    void aFailingWriteKeepsTheOldContentAndRemovesItsTemporary() throws IOException {
        Path f = dir.resolve("latest");
        AtomicFiles.writeString(f, "old\n");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            AtomicFiles.writeFully(out, java.nio.ByteBuffer.wrap("half".getBytes()));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old\n", Files.readString(f));
        assertEquals(List.of("latest"), names());
    }

    /**
     * A missing or misplaced force leaves every file readable until a power cut, so only the
     * order of the steps shows it: the temporary file is forced with all its bytes, then renamed
     * over the target, then the directory is synced so that the rename itself is durable.
     */
    @Test
    void writeForcesTheDataBeforeTheRenameAndSyncsTheDirectoryAfter() throws IOException {
        Path f = dir.resolve("latest");
        AtomicFiles.writeString(f, "old\n");
        Recorder r = new Recorder(dir);
        byte[] data = "twelve bytes".getBytes(StandardCharsets.US_ASCII);
        AtomicFiles.write(f, out -> AtomicFiles.writeFully(out, ByteBuffer.wrap(data)), r);
        Matcher forced = Pattern.compile("force \\[(\\.latest\\.[0-9a-z]+\\.tmp), latest] 12 bytes")
                .matcher(r.steps.get(0));
        assertTrue(forced.matches(), "first step: " + r.steps);
        assertEquals(List.of(forced.group(), "rename " + forced.group(1) + " -> latest", "sync dir"), r.steps);
        assertEquals("twelve bytes", Files.readString(f));
        assertEquals(List.of("latest"), names());
    }

    /** A file inside a directory that is renamed into place later: forced once its body is written. */
    @Test
    void writeNewForcesTheWholeFileAndMoveSyncsTheTargetDirectoryAfterTheRename() throws IOException {
        Path staging = Files.createDirectory(dir.resolve(".ckpt.tmp"));
        Recorder inStaging = new Recorder(staging);
        AtomicFiles.writeNew(staging.resolve("model"), out -> AtomicFiles.writeFully(out, ByteBuffer.allocate(1000)),
                inStaging);
        assertEquals(List.of("force [model] 1000 bytes"), inStaging.steps);

        Recorder r = new Recorder(dir);
        AtomicFiles.move(staging, dir.resolve("ckpt"), r);
        assertEquals(List.of("rename .ckpt.tmp -> ckpt", "sync dir"), r.steps);
        assertEquals(1000, Files.size(dir.resolve("ckpt/model")));
    }

    @Test
    void writeNewRefusesAnExistingFile() throws IOException {
        Path f = dir.resolve("x");
        Files.writeString(f, "keep");
        assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.writeNew(f, out -> { }));
        assertEquals("keep", Files.readString(f));
    }

    @Test
    void sha256MatchesTheStandardTestVectors() throws IOException {
        // FIPS 180-2 appendix B.1 ("abc") and the digest of the empty message.
        Path abc = dir.resolve("abc");
        Files.writeString(abc, "abc");
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", AtomicFiles.sha256(abc));
        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", AtomicFiles.sha256(empty));
    }

    @Test
    void sha256OfAFileLargerThanOneReadChunk() throws IOException {
        // 3 MiB of one byte value crosses the 1 MiB read chunk; compare with the JDK digest of the whole array.
        byte[] data = new byte[3 << 20];
        java.util.Arrays.fill(data, (byte) 7);
        Path f = dir.resolve("big");
        Files.write(f, data);
        String expected;
        try {
            expected = java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        assertEquals(expected, AtomicFiles.sha256(f));
    }

    @Test
    void deleteRecursivelyRemovesATree() throws IOException {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("a/b"));
        Files.writeString(tree.resolve("a/b/c"), "x");
        Files.writeString(tree.resolve("d"), "y");
        AtomicFiles.deleteRecursively(tree);
        assertFalse(Files.exists(tree));
        AtomicFiles.deleteRecursively(tree); // absent: nothing to do
    }
}
