package dev.chimera.core.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Durable, atomic file writes (DESIGN convention 9) and SHA-256 digests.
 *
 * <p>An atomic write goes to a temporary file in the target's directory, is flushed to the
 * device with {@code force(true)}, renamed over the target with {@code ATOMIC_MOVE} (POSIX
 * {@code rename(2)}: a reader sees the old file or the new one, never a mixture), and then the
 * directory itself is fsynced so that the rename survives a power cut. Directory fsync is not
 * possible on every platform (Windows refuses to open a directory); there it is skipped, which
 * is the best the platform allows.
 *
 * <p>Temporary names start with a dot and end in {@code .tmp} so that a crash leaves an
 * obviously stale file that no reader mistakes for the real one. They are created with the
 * process's default permissions (not the owner-only permissions of
 * {@link Files#createTempFile}), so the final file has the permissions a plain write would give.
 */
public final class AtomicFiles {

    /** Writes the body of a file through a channel positioned at its start. */
    @FunctionalInterface
    public interface Body {
        void write(FileChannel out) throws IOException;
    }

    /**
     * The steps that make a write durable. A seam, not an extension point: everything here uses
     * {@link #SYSTEM}; a test passes a recorder, because a missing or misplaced force changes
     * nothing a test can read back, only what survives a power cut.
     */
    interface Durability {
        /** Flushes a written file's data and metadata to the device. */
        void force(FileChannel written) throws IOException;

        /** Renames atomically, never copying. */
        void rename(Path from, Path to) throws IOException;

        /** {@link #fsyncDirectory}. */
        void syncDirectory(Path dir);
    }

    static final Durability SYSTEM = new Durability() {
        @Override
        public void force(FileChannel written) throws IOException {
            written.force(true);
        }

        @Override
        public void rename(Path from, Path to) throws IOException {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        }

        @Override
        public void syncDirectory(Path dir) {
            fsyncDirectory(dir);
        }
    };

    private static final int CHUNK = 1 << 20;

    private AtomicFiles() {
    }

    /** Replaces {@code target} atomically with what {@code body} writes; on failure the target is untouched. */
    public static void write(Path target, Body body) throws IOException {
        write(target, body, SYSTEM);
    }

    /** {@link #write(Path, Body)} through the given durability steps. */
    static void write(Path target, Body body, Durability durability) throws IOException {
        Path dir = parent(target);
        Path tmp = createUnique(dir, "." + target.getFileName() + ".", ".tmp", false);
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                body.write(out);
                durability.force(out);
            }
            durability.rename(tmp, target);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        durability.syncDirectory(dir);
    }

    /** {@link #write} of a UTF-8 string. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> writeFully(out, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
    }

    /**
     * Creates a new file (failing if it exists), writes it and forces it to the device, without a
     * rename: for files inside a directory that is itself renamed into place once complete.
     */
    public static void writeNew(Path file, Body body) throws IOException {
        writeNew(file, body, SYSTEM);
    }

    /** {@link #writeNew(Path, Body)} through the given durability steps. */
    static void writeNew(Path file, Body body, Durability durability) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            body.write(out);
            durability.force(out);
        }
    }

    /** Renames a file or directory atomically (never a copy) and fsyncs the target's directory. */
    public static void move(Path from, Path to) throws IOException {
        move(from, to, SYSTEM);
    }

    /** {@link #move(Path, Path)} through the given durability steps. */
    static void move(Path from, Path to, Durability durability) throws IOException {
        durability.rename(from, to);
        durability.syncDirectory(parent(to));
    }

    /**
     * Flushes a directory's entries (creations, renames, deletions) to the device where the
     * platform allows it. Best effort: Windows cannot open a directory and some file systems
     * reject fsync on one; there the rename has still happened, only its durability across a
     * power cut is up to the file system.
     */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not possible here (see above); nothing more can be done
        }
    }

    /**
     * Creates a new, empty file or directory named {@code prefix + random + suffix} in {@code dir}
     * with default permissions, retrying on the (unlikely) clash with an existing name.
     */
    public static Path createUnique(Path dir, String prefix, String suffix, boolean directory) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            Path p = dir.resolve(prefix + random + suffix);
            try {
                return directory ? Files.createDirectory(p) : Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    /** Writes all of {@code buffer}; a channel may write less than asked in one call. */
    public static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    /** The SHA-256 of a file's bytes as 64 lower-case hex digits (what {@code sha256sum} prints). */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (in.read(buffer) >= 0) {
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Deletes a file, or a directory and everything under it, without following symbolic links. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static Path parent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null) {
            throw new IllegalArgumentException("cannot write " + file + ": it has no parent directory");
        }
        return parent;
    }
}
