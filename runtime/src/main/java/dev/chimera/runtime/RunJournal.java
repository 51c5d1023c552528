package dev.chimera.runtime;

import dev.chimera.core.checkpoint.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The append-only journal of a batch run (DESIGN convention 9): what each completed record
 * produced, written as it completes, from which the outputs are made at the end and from which
 * an interrupted run resumes.
 *
 * <p>Layout: the 8 bytes {@code CHMJRNL1}, then frames, each {@code int32 n, n bytes of body,
 * int32 CRC-32 of the body} (big-endian). A body is a type byte and a payload. The first frame
 * is the run's settings ({@code key=value} lines, UTF-8). Every later frame is either a part of
 * the record in progress (e.g. a window of per-position values) or a record frame, type byte
 * with its high bit set, whose payload starts with the record's index (int64, 0, 1, 2, ... in
 * input order) and id (int32 length + UTF-8), and which completes that record.
 *
 * <p>Each frame is one write to the file, and the file is forced to disk at least once a second
 * while records complete and when the journal is closed. A kill at any moment therefore leaves
 * whole frames followed by at most one torn frame, and maybe parts of a record that did not
 * complete; {@link #resume} keeps everything up to the last record frame whose length and
 * checksum are intact and cuts the rest off, so a resumed run continues with the next record,
 * never recomputes a completed one and never duplicates one.
 */
public final class RunJournal implements Closeable {
    /** Appended to the output's file name to name its journal. */
    public static final String SUFFIX = ".journal";
    private static final byte[] MAGIC = "CHMJRNL1".getBytes(StandardCharsets.US_ASCII);
    private static final byte SETTINGS = 'H';
    private static final int RECORD_FLAG = 0x80;
    /** Larger frames are taken for corruption. */
    private static final int MAX_FRAME = 1 << 30;
    private static final long SYNC_NANOS = 1_000_000_000L;

    private final Path file;
    private final FileChannel channel;
    /** 64-bit fingerprints of the completed records' ids (8 bytes a record, however long the ids). */
    private final Fingerprints completed;
    private final long dropped;
    private long lastSync = System.nanoTime();
    private boolean closed;

    private RunJournal(Path file, FileChannel channel, Fingerprints completed, long dropped) {
        this.file = file;
        this.channel = channel;
        this.completed = completed;
        this.dropped = dropped;
    }

    /** The journal of output {@code out}: {@code out} + {@value #SUFFIX}, in the same folder. */
    public static Path pathFor(Path out) {
        return out.resolveSibling(out.getFileName() + SUFFIX);
    }

    /**
     * Starts a new journal with the run's settings; fails if the file exists. The magic bytes and
     * the settings frame are written beside it and renamed into place whole, so a kill while they
     * are written leaves no journal (the next run starts afresh) rather than one too short to
     * resume, and a reader never sees a journal without its settings.
     */
    public static RunJournal create(Path file, Map<String, String> settings) throws IOException {
        if (Files.exists(file)) {
            throw new UserException(file + ": a journal is already there (an interrupted run?)");
        }
        ByteBuffer header = frameBytes(SETTINGS, encode(settings));
        AtomicFiles.write(file, out -> {
            writeFully(out, ByteBuffer.wrap(MAGIC));
            writeFully(out, header);
        });
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
        ch.position(ch.size());
        return new RunJournal(file, ch, new Fingerprints(), 0);
    }

    /**
     * Opens an existing journal to continue its run: its settings must equal {@code settings}
     * (the same command, model, input and options), what follows its last complete record is
     * cut off, and new frames are appended after it.
     */
    public static RunJournal resume(Path file, Map<String, String> settings) throws IOException {
        Scan scan = scan(file, null, Long.MAX_VALUE);
        Map<String, String> written = scan.settings;
        for (String key : union(written, settings)) {
            String was = written.get(key);
            String now = settings.get(key);
            if (was == null ? now != null : !was.equals(now)) {
                throw new UserException(file + ": the interrupted run had " + key + " = " + was + ", this one has "
                        + now + "; resume with the same settings, or delete the journal to start again");
            }
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
        long size = ch.size();
        if (scan.committedEnd < size) {
            ch.truncate(scan.committedEnd);
            ch.force(true);
        }
        ch.position(scan.committedEnd);
        return new RunJournal(file, ch, scan.ids, size - scan.committedEnd);
    }

    /** Records completed, in input order: records 0 .. completed() - 1. */
    public long completed() {
        return completed.size;
    }

    /** Whether completed record {@code index} had the id {@code id} (compared by a 64-bit fingerprint). */
    public boolean completedWithId(long index, String id) {
        if (index < 0 || index >= completed.size) {
            throw new IndexOutOfBoundsException("record " + index + " of " + completed.size + " completed");
        }
        return completed.values[(int) index] == fingerprint(id);
    }

    /** Bytes after the last complete record that {@link #resume} cut off. */
    public long droppedBytes() {
        return dropped;
    }

    public Path file() {
        return file;
    }

    /** Appends a part of the record in progress (type: an ASCII letter other than 'H'). */
    public void appendPart(byte type, byte[] payload) throws IOException {
        checkType(type);
        frame(type, payload);
    }

    /**
     * Appends the frame that completes record {@code index}, which must be the next one
     * ({@link #completed()}); forces the file to disk if a second has passed since it last was.
     */
    public void appendRecord(byte type, long index, String id, byte[] payload) throws IOException {
        checkType(type);
        if (index != completed.size) {
            throw new IllegalStateException("record " + index + " completed after " + completed.size + " records");
        }
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(8 + 4 + idBytes.length + payload.length);
        body.putLong(index).putInt(idBytes.length).put(idBytes).put(payload);
        frame((byte) (type | RECORD_FLAG), body.array());
        completed.add(fingerprint(id));
        if (System.nanoTime() - lastSync >= SYNC_NANOS) {
            sync();
        }
    }

    /** Forces what was written to disk. */
    public void sync() throws IOException {
        channel.force(false);
        lastSync = System.nanoTime();
    }

    /** Forces and closes the file (the journal stays, for {@link #replay} or a later resume). */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.force(false);
        } finally {
            channel.close();
        }
    }

    /** What {@link #replay} hands over: parts and records in the order they were written. */
    public interface Visitor {
        void part(byte type, byte[] payload) throws IOException;

        void record(byte type, long index, String id, byte[] payload) throws IOException;
    }

    /**
     * Reads the journal's frames up to its last complete record, in order, one at a time (a
     * first pass finds where that record ends). Parts written after it (a record that did not
     * complete) are not visited.
     */
    public static void replay(Path file, Visitor visitor) throws IOException {
        long end = scan(file, null, Long.MAX_VALUE).committedEnd;
        scan(file, visitor, end);
    }

    /** The settings a journal was written with. */
    public static Map<String, String> settings(Path file) throws IOException {
        return scan(file, null, Long.MAX_VALUE).settings;
    }

    private void frame(byte type, byte[] payload) throws IOException {
        if (closed) {
            throw new IllegalStateException(file + ": journal closed");
        }
        writeFully(channel, frameBytes(type, payload));
    }

    /** One frame: int32 n, the type byte and payload (n bytes), int32 CRC-32 of those n bytes. */
    private static ByteBuffer frameBytes(byte type, byte[] payload) {
        int n = 1 + payload.length;
        CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(payload);
        ByteBuffer b = ByteBuffer.allocate(4 + n + 4);
        b.putInt(n).put(type).put(payload).putInt((int) crc.getValue());
        b.flip();
        return b;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void checkType(byte type) {
        if (type == SETTINGS || type <= ' ' || type >= 0x7f) {
            throw new IllegalArgumentException("journal frame type must be a printable ASCII letter other than 'H', got "
                    + type);
        }
    }

    /** The result of reading a journal: settings, completed ids, where the last complete record ends. */
    private static final class Scan {
        Map<String, String> settings;
        final Fingerprints ids = new Fingerprints();
        long committedEnd;
    }

    /**
     * Reads frames until the end, the first torn or corrupt one, or the first that would end
     * beyond {@code limit}, handing each to the visitor (if any) as it is read.
     */
    private static Scan scan(Path file, Visitor visitor, long limit) throws IOException {
        Scan scan = new Scan();
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            byte[] magic = new byte[MAGIC.length];
            try {
                in.readFully(magic);
            } catch (EOFException e) {
                throw new UserException(file + ": not a run journal (too short); delete it to start again");
            }
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new UserException(file + ": not a run journal (bad magic bytes); delete it to start again");
            }
            long offset = MAGIC.length;
            byte[] header = readFrame(in);
            if (header == null || header[0] != SETTINGS) {
                throw new UserException(file + ": the run journal's settings frame is torn or corrupt; delete it "
                        + "to start again");
            }
            scan.settings = decode(java.util.Arrays.copyOfRange(header, 1, header.length));
            offset += 8 + header.length;
            scan.committedEnd = offset;
            while (true) {
                byte[] body = readFrame(in);
                if (body == null || offset + 8 + body.length > limit) {
                    break;
                }
                offset += 8 + body.length;
                byte type = body[0];
                if ((type & RECORD_FLAG) == 0) {
                    if (visitor != null) {
                        visitor.part(type, java.util.Arrays.copyOfRange(body, 1, body.length));
                    }
                    continue;
                }
                ByteBuffer b = ByteBuffer.wrap(body, 1, body.length - 1);
                long index = b.getLong();
                int idLength = b.getInt();
                if (index != scan.ids.size || idLength < 0 || idLength > b.remaining()) {
                    break; // not the next record: written by something else, or corrupt; cut here
                }
                String id = new String(body, b.position(), idLength, StandardCharsets.UTF_8);
                b.position(b.position() + idLength);
                byte[] payload = java.util.Arrays.copyOfRange(body, b.position(), body.length);
                if (visitor != null) {
                    visitor.record((byte) (type & ~RECORD_FLAG), index, id, payload);
                }
                scan.ids.add(fingerprint(id));
                scan.committedEnd = offset;
            }
        }
        return scan;
    }

    /** The body of the next frame, or null at the end or at a torn or corrupt frame. */
    private static byte[] readFrame(DataInputStream in) throws IOException {
        try {
            int n = in.readInt();
            if (n < 1 || n > MAX_FRAME) {
                return null;
            }
            byte[] body = new byte[n];
            in.readFully(body);
            int crc = in.readInt();
            CRC32 c = new CRC32();
            c.update(body);
            return (int) c.getValue() == crc ? body : null;
        } catch (EOFException e) {
            return null;
        }
    }

    /** FNV-1a, 64-bit, of the id's UTF-8 bytes. */
    static long fingerprint(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    /** A growable array of longs. */
    private static final class Fingerprints {
        long[] values = new long[16];
        int size;

        void add(long v) {
            if (size == values.length) {
                if (size == Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("a journal holds at most " + size + " records");
                }
                values = java.util.Arrays.copyOf(values, (int) Math.min(Integer.MAX_VALUE - 8, 2L * size));
            }
            values[size++] = v;
        }
    }

    private static byte[] encode(Map<String, String> settings) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (e.getKey().contains("=") || e.getKey().contains("\n") || e.getValue().contains("\n")) {
                throw new IllegalArgumentException("journal setting '" + e.getKey() + "' cannot hold '=' in its key or a"
                        + " line break");
            }
            sb.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> decode(byte[] bytes) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    private static List<String> union(Map<String, String> a, Map<String, String> b) {
        List<String> keys = new ArrayList<>(a.keySet());
        for (String k : b.keySet()) {
            if (!a.containsKey(k)) {
                keys.add(k);
            }
        }
        return keys;
    }
}
