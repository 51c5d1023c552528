package dev.chimera.streaming.consumer;

import dev.chimera.runtime.UserException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The consumer's snapshots: every series' state and the counters, with the index of the last input
 * they reflect, in one file {@code state.snapshot} of a directory. A snapshot is written whole to a
 * temporary file, forced to disk and renamed over the last one, so a kill at any moment leaves either
 * the old snapshot or the new one, never a mixture; a checksum catches a damaged file.
 *
 * <p>File: magic {@code CHIMSNAP}, format version, the fingerprint of the model and settings that
 * made it (a snapshot is refused by a consumer of another model or other settings), the last input
 * index (-1: none), the state ({@link StreamForecaster#write}), and a CRC32C of all before it.
 */
public final class SnapshotStore {
    private static final byte[] MAGIC = "CHIMSNAP".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    static final String FILE = "state.snapshot";

    private final Path dir;
    private final String fingerprint;

    /** A snapshot read back: the last input index it reflects. */
    public record Restored(long lastIndex) {
    }

    public SnapshotStore(Path dir, String fingerprint) {
        this.dir = dir;
        this.fingerprint = fingerprint;
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserException("--snapshot-dir " + dir + ": is a file; expected a directory (new or one this "
                    + "consumer wrote)");
        }
    }

    public Path file() {
        return dir.resolve(FILE);
    }

    /** Snapshot bytes, without their checksum: the first {@code length} bytes of {@code bytes}. */
    public record Encoded(byte[] bytes, int length) {
    }

    /** A byte stream whose buffer is kept from one snapshot to the next and read in place. */
    private static final class ReusedBuffer extends ByteArrayOutputStream {
        ReusedBuffer() {
            super(1 << 16);
        }

        Encoded contents() {
            return new Encoded(buf, count);
        }
    }

    private final ReusedBuffer buffer = new ReusedBuffer();

    /**
     * The state as snapshot bytes, made on the consumer's thread (a copy of the series' values, no
     * more: the checksum and the write happen in {@link #write}, on any thread). The bytes live in a
     * buffer this store reuses: write them before the next encode.
     */
    public Encoded encode(long lastIndex, StreamForecaster forecaster) {
        buffer.reset();
        try {
            DataOutputStream out = new DataOutputStream(buffer);
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(fingerprint);
            out.writeLong(lastIndex);
            forecaster.write(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.contents();
    }

    /**
     * Writes encoded snapshot bytes and their checksum atomically: a temporary file, forced, renamed
     * over the last snapshot.
     */
    public void write(Encoded encoded) {
        CRC32C crc = new CRC32C();
        crc.update(encoded.bytes(), 0, encoded.length());
        ByteBuffer checksum = ByteBuffer.allocate(Long.BYTES).putLong(crc.getValue()).flip();
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(FILE + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer body = ByteBuffer.wrap(encoded.bytes(), 0, encoded.length());
                while (body.hasRemaining()) {
                    ch.write(body);
                }
                while (checksum.hasRemaining()) {
                    ch.write(checksum);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new UserException("--snapshot-dir " + dir + ": its file system cannot rename atomically, so a "
                        + "snapshot could be lost to a crash; use a directory on a local disk");
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // the rename itself reaches the disk
            } catch (IOException e) {
                // some file systems cannot sync a directory; the rename is still atomic
            }
        } catch (IOException e) {
            throw new UncheckedIOException("--snapshot-dir " + dir + ": cannot write a snapshot: " + e.getMessage(), e);
        }
    }

    /**
     * Restores the last snapshot into {@code forecaster}; null when there is none. A snapshot of
     * another model or settings, or a damaged one, is a one-line error: nothing is guessed.
     */
    public Restored restore(StreamForecaster forecaster) {
        Path file = file();
        if (!Files.exists(file)) {
            return null;
        }
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (all.length < MAGIC.length + 8 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new UserException(file + ": not a Chimera stream snapshot; expected one 'stream run' wrote");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 8);
        if (crc.getValue() != ByteBuffer.wrap(all, all.length - 8, 8).getLong()) {
            throw new UserException(file + ": damaged (checksum mismatch); remove it to start over from the input's "
                    + "first record");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 8))) {
            in.skipNBytes(MAGIC.length);
            int version = in.readInt();
            if (version != VERSION) {
                throw new UserException(file + ": snapshot format " + version + "; this build reads " + VERSION);
            }
            String made = in.readUTF();
            if (!made.equals(fingerprint)) {
                throw new UserException("--snapshot-dir " + dir + " holds the state of another model or other settings ("
                        + made + "; now " + fingerprint + "); use a new --snapshot-dir, or the same options as before");
            }
            long lastIndex = in.readLong();
            forecaster.read(in);
            return new Restored(lastIndex);
        } catch (IOException e) {
            throw new UserException(file + ": truncated snapshot (" + e.getMessage() + ")");
        }
    }
}
