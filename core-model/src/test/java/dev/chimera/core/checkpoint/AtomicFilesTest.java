package dev.chimera.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

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
