package dev.chimera.genomics;

import dev.chimera.runtime.UserException;
import htsjdk.samtools.fastq.FastqReader;
import htsjdk.samtools.fastq.FastqRecord;
import htsjdk.samtools.reference.FastaSequenceFile;
import htsjdk.samtools.reference.ReferenceSequence;
import htsjdk.samtools.seekablestream.SeekableStream;
import htsjdk.samtools.util.BlockCompressedInputStream;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A streaming reader of the records of one FASTA or FASTQ file, plain, gzip or bgzip (BGZF). The
 * format is told by the first non-blank character of the (decompressed) text: '>' FASTA, '@' FASTQ;
 * the compression by the first bytes, not by the file name. Parsing is htsjdk's
 * ({@link FastaSequenceFile} over the decompressed stream, {@link FastqReader}); decompression of
 * BGZF is htsjdk's {@link BlockCompressedInputStream}, of plain gzip {@link GZIPInputStream}.
 *
 * <p>Every failure a user can cause is a {@link UserException} with one line naming the file and,
 * where there is one, the record or line: a missing, unreadable or empty file, binary data, text
 * with no header line, other compressions (bzip2, xz, zstd, zip), truncated or corrupt gzip, a FASTQ
 * structure error, a header with no name, a zero-length record, and a record id seen twice (ids are
 * compared by a 64-bit fingerprint, so a FASTQ of many million reads needs 12 bytes per read).
 */
public final class FastaSource implements Iterator<SequenceRecord>, Closeable {

    /** The two text formats. */
    public enum Format { FASTA, FASTQ }

    /** How the file is compressed. */
    public enum Compression { NONE, GZIP, BGZF }

    private static final int SNIFF_BYTES = 1 << 16;

    private final Path file;
    private final String name;
    private final Format format;
    private final Compression compression;
    private final InputStream text;
    private final FastaSequenceFile fasta;
    private final FastqReader fastq;
    private final IdSet ids = new IdSet();
    private SequenceRecord next;
    private int index;
    private boolean closed;

    private FastaSource(Path file, Format format, Compression compression, InputStream text) {
        this.file = file;
        this.name = file.toString();
        this.format = format;
        this.compression = compression;
        this.text = text;
        try {
            if (format == Format.FASTA) {
                // Whole header lines: the id is cut from them here, and the rest kept as the description.
                this.fasta = new FastaSequenceFile(name, new StreamAdapter(text, name), null, false);
                this.fastq = null;
            } else {
                this.fasta = null;
                // FastqReader reads its first record in the constructor.
                this.fastq = new FastqReader(file.toFile(),
                        new BufferedReader(new InputStreamReader(text, StandardCharsets.ISO_8859_1), SNIFF_BYTES), false);
            }
        } catch (RuntimeException e) {
            closeQuietly(text);
            throw translate(e, 0);
        }
    }

    /** Opens {@code file}, checks its first bytes and tells its format; reading starts with {@link #next}. */
    public static FastaSource open(Path file) {
        String name = file.toString();
        if (!Files.exists(file)) {
            throw new UserException(name + ": no such file");
        }
        if (Files.isDirectory(file)) {
            throw new UserException(name + ": is a directory, expected a FASTA or FASTQ file");
        }
        InputStream raw = null;
        Compression compression = Compression.NONE;
        try {
            if (Files.size(file) == 0) {
                throw new UserException(name + ": empty file, expected FASTA ('>') or FASTQ ('@') records");
            }
            raw = new BufferedInputStream(Files.newInputStream(file), SNIFF_BYTES);
            compression = compressionOf(raw, file);
            InputStream text = decompressed(raw, compression);
            Format format = formatOf(text, name, compression);
            return new FastaSource(file, format, compression, text);
        } catch (AccessDeniedException e) {
            closeQuietly(raw);
            throw new UserException(name + ": permission denied", e);
        } catch (NoSuchFileException e) {
            closeQuietly(raw);
            throw new UserException(name + ": no such file", e);
        } catch (IOException e) {
            closeQuietly(raw);
            throw ioFailure(name, compression, e, "");
        } catch (RuntimeException e) {
            closeQuietly(raw);
            throw e instanceof UserException ? e : translateRaw(name, compression, e);
        }
    }

    /** The text of {@code raw}, whose first bytes said {@code compression}. */
    private static InputStream decompressed(InputStream raw, Compression compression) throws IOException {
        return switch (compression) {
            case BGZF -> new BufferedInputStream(new BlockCompressedInputStream(raw), SNIFF_BYTES);
            case GZIP -> new BufferedInputStream(new GZIPInputStream(raw, SNIFF_BYTES), SNIFF_BYTES);
            case NONE -> raw;
        };
    }

    /**
     * The decompressed bytes of a text file of another format (VCF, GFF3), plain, gzip or bgzip, told by
     * its first bytes as {@link #open} tells them. A missing, unreadable or empty file, another
     * compression and a truncated bgzip file are {@link UserException}s naming the file; failures while
     * reading on are the caller's to report.
     */
    public static InputStream openText(Path file) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new UserException(name + (Files.isDirectory(file) ? ": is a directory, expected a file" : ": no such file"));
        }
        InputStream raw = null;
        Compression compression = Compression.NONE;
        try {
            if (Files.size(file) == 0) {
                throw new UserException(name + ": empty file");
            }
            raw = new BufferedInputStream(Files.newInputStream(file), SNIFF_BYTES);
            compression = compressionOf(raw, file);
            return decompressed(raw, compression);
        } catch (IOException e) {
            closeQuietly(raw);
            throw ioFailure(name, compression, e, "");
        } catch (RuntimeException e) {
            closeQuietly(raw);
            throw e instanceof UserException ? e : translateRaw(name, compression, e);
        }
    }

    /** Reads every record of {@code file} into memory. */
    public static List<SequenceRecord> readAll(Path file) {
        List<SequenceRecord> out = new ArrayList<>();
        try (FastaSource source = open(file)) {
            while (source.hasNext()) {
                out.add(source.next());
            }
        }
        return out;
    }

    public Path file() {
        return file;
    }

    public Format format() {
        return format;
    }

    public Compression compression() {
        return compression;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !closed) {
            next = read();
            if (next == null) {
                close();
            }
        }
        return next != null;
    }

    @Override
    public SequenceRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException(name + ": no more records");
        }
        SequenceRecord r = next;
        next = null;
        return r;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeQuietly(text);
        }
    }

    private SequenceRecord read() {
        String header;
        byte[] bases;
        long line = 0;
        try {
            if (fasta != null) {
                ReferenceSequence s = fasta.nextSequence();
                if (s == null) {
                    return null;
                }
                header = s.getName();
                bases = s.getBases();
            } else {
                if (!fastq.hasNext()) {
                    return null;
                }
                // FastqReader has already read this record: its line counter is 4 lines past its header.
                line = fastq.getLineNumber() - 4;
                FastqRecord r = fastq.next();
                header = r.getReadName();
                bases = r.getReadBases();
            }
        } catch (RuntimeException e) {
            close();
            throw translate(e, index);
        }
        String id = firstWord(header);
        SequenceRecord record = new SequenceRecord(name, index, line, id, header.substring(id.length()).strip(), bases);
        if (id.isEmpty()) {
            close();
            throw new UserException(name + ": record " + (index + 1) + (line > 0 ? " (line " + line + ")" : "")
                    + ": header has no id");
        }
        if (bases.length == 0) {
            close();
            throw new UserException(record.where() + ": zero-length record (no sequence)");
        }
        int earlier = ids.addOrFind(id, index);
        if (earlier >= 0) {
            close();
            throw new UserException(record.where() + ": duplicate record id, the same as record " + (earlier + 1));
        }
        index++;
        return record;
    }

    /** The id: the header up to its first whitespace (empty if the header starts with one). */
    private static String firstWord(String header) {
        for (int i = 0; i < header.length(); i++) {
            if (Character.isWhitespace(header.charAt(i))) {
                return header.substring(0, i);
            }
        }
        return header;
    }

    // ------------------------------------------------------------------ sniffing

    private static Compression compressionOf(InputStream raw, Path file) throws IOException {
        String name = file.toString();
        byte[] head = peek(raw, 6);
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            if (BlockCompressedInputStream.isValidFile(raw)) {
                BlockCompressedInputStream.FileTermination t = BlockCompressedInputStream.checkTermination(file);
                if (t != BlockCompressedInputStream.FileTermination.HAS_TERMINATOR_BLOCK) {
                    throw new UserException(name + ": truncated bgzip file (its last block is "
                            + (t == BlockCompressedInputStream.FileTermination.DEFECTIVE ? "incomplete" : "not the end-of-file block")
                            + ")");
                }
                return Compression.BGZF;
            }
            return Compression.GZIP;
        }
        String other = otherCompression(head);
        if (other != null) {
            throw new UserException(name + ": " + other + "-compressed, which is not read; decompress it, "
                    + "or recompress with gzip or bgzip");
        }
        return Compression.NONE;
    }

    private static String otherCompression(byte[] h) {
        if (startsWith(h, 'B', 'Z', 'h')) {
            return "bzip2";
        }
        if (startsWith(h, 0xfd, '7', 'z', 'X', 'Z', 0)) {
            return "xz";
        }
        if (startsWith(h, 0x28, 0xb5, 0x2f, 0xfd)) {
            return "zstd";
        }
        if (startsWith(h, 'P', 'K', 3, 4)) {
            return "zip";
        }
        return null;
    }

    private static boolean startsWith(byte[] h, int... magic) {
        if (h.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((h[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** The format from the first non-blank character; binary data and headerless text are refused here. */
    private static Format formatOf(InputStream text, String name, Compression compression) throws IOException {
        byte[] head = peek(text, SNIFF_BYTES);
        int control = 0;
        for (int i = 0; i < head.length; i++) {
            int b = head[i] & 0xff;
            if (b == 0) {
                throw binary(name, compression, i, b);
            }
            if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != 0x0b && b != '\f') || b >= 0x7f) {
                control++;
            }
        }
        if (control > head.length / 20) {
            for (int i = 0; i < head.length; i++) {
                int b = head[i] & 0xff;
                if ((b < 0x20 && !Character.isWhitespace(b)) || b >= 0x7f) {
                    throw binary(name, compression, i, b);
                }
            }
        }
        int line = 1;
        for (int i = 0; i < head.length; i++) {
            int b = head[i] & 0xff;
            if (b == '\n') {
                line++;
            } else if (!Character.isWhitespace(b)) {
                if (b == '>') {
                    return Format.FASTA;
                }
                if (b == '@') {
                    return Format.FASTQ;
                }
                int end = i;
                while (end < head.length && head[end] != '\n' && head[end] != '\r' && end - i < 40) {
                    end++;
                }
                String found = new String(head, i, end - i, StandardCharsets.ISO_8859_1);
                throw new UserException(name + ": line " + line + ": no FASTA/FASTQ header: the first non-empty line "
                        + "must start with '>' (FASTA) or '@' (FASTQ), found '" + found + "'");
            }
        }
        if (head.length == SNIFF_BYTES) {
            throw new UserException(name + ": the first " + SNIFF_BYTES + " bytes are blank; expected a '>' or '@' "
                    + "header line");
        }
        throw new UserException(name + ": no records: the " + (compression == Compression.NONE ? "file" : "decompressed text")
                + " is empty or blank");
    }

    private static UserException binary(String name, Compression compression, int offset, int b) {
        return new UserException(name + ": binary data, not FASTA/FASTQ text (byte 0x" + String.format("%02x", b)
                + " at " + (compression == Compression.NONE ? "" : "decompressed ") + "offset " + offset + ")");
    }

    /** Up to {@code n} bytes from a mark-supporting stream, which is reset to where it was. */
    private static byte[] peek(InputStream in, int n) throws IOException {
        in.mark(n);
        byte[] buf = new byte[n];
        int got = 0;
        while (got < n) {
            int r = in.read(buf, got, n - got);
            if (r < 0) {
                break;
            }
            got += r;
        }
        in.reset();
        return got == n ? buf : java.util.Arrays.copyOf(buf, got);
    }

    // ------------------------------------------------------------------ errors

    private static final Pattern FASTQ_ERROR = Pattern.compile("(?s)(.*) at line (\\d+) in fastq.*");

    /** An htsjdk or I/O failure while reading record {@code index}, as one line naming the file. */
    private UserException translate(RuntimeException e, int recordIndex) {
        if (e instanceof UserException) {
            return (UserException) e;
        }
        String at = format == Format.FASTA ? " in record " + (recordIndex + 1) : "";
        IOException io = ioCause(e);
        if (io != null) {
            return ioFailure(name, compression, io, at);
        }
        String msg = String.valueOf(e.getMessage());
        if (format == Format.FASTQ) {
            Matcher m = FASTQ_ERROR.matcher(msg);
            if (m.matches()) {
                return new UserException(name + ": line " + m.group(2) + ": " + fastqProblem(m.group(1)), e);
            }
        }
        if (msg.startsWith("Missing sequence name")) {
            return new UserException(name + ": record " + (recordIndex + 1) + ": header line '>' has no id", e);
        }
        if (msg.startsWith("Sequence name too long")) {
            return new UserException(name + ": record " + (recordIndex + 1) + ": header line longer than 4096 characters", e);
        }
        return new UserException(name + at + ": cannot read " + format + ": " + firstLine(msg), e);
    }

    private static String fastqProblem(String htsjdk) {
        if (htsjdk.startsWith("Sequence header must start with")) {
            return "expected a record header starting with '@', found '" + clip(htsjdk.substring(htsjdk.indexOf(':') + 1).strip()) + "'";
        }
        if (htsjdk.startsWith("Missing sequence header")) {
            return "expected a record header starting with '@', found an empty line";
        }
        if (htsjdk.startsWith("Quality header must start with")) {
            return "expected the quality header line starting with '+', found '"
                    + clip(htsjdk.substring(htsjdk.indexOf(':') + 1).strip()) + "'";
        }
        if (htsjdk.startsWith("Sequence and quality line must be the same length")) {
            return "the sequence and quality lines differ in length";
        }
        if (htsjdk.startsWith("File is too short")) {
            return "truncated record: the file ends before its "
                    + htsjdk.substring(htsjdk.indexOf("missing ") + 8).toLowerCase(java.util.Locale.ROOT);
        }
        if (htsjdk.startsWith("Missing Sequence Line")) {
            return "zero-length record (empty sequence line)";
        }
        if (htsjdk.startsWith("Missing Quality Header")) {
            return "expected the quality header line starting with '+', found an empty line";
        }
        if (htsjdk.startsWith("Missing Quality Line")) {
            return "empty quality line";
        }
        return firstLine(htsjdk);
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static IOException ioCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return (IOException) t;
            }
            if (t instanceof htsjdk.samtools.FileTruncatedException) {
                return new EOFException(t.getMessage());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static UserException ioFailure(String name, Compression compression, IOException e, String at) {
        if (compression != Compression.NONE && (e instanceof EOFException || e instanceof ZipException
                || String.valueOf(e.getMessage()).contains("Unexpected end of ZLIB"))) {
            return new UserException(name + at + ": truncated or corrupt " + (compression == Compression.BGZF ? "bgzip" : "gzip")
                    + " data (" + e.getMessage() + ")", e);
        }
        if (e instanceof AccessDeniedException) {
            return new UserException(name + ": permission denied", e);
        }
        return new UserException(name + at + ": read failed: " + e, e);
    }

    private static UserException translateRaw(String name, Compression compression, RuntimeException e) {
        IOException io = ioCause(e);
        if (io != null) {
            return ioFailure(name, compression, io, "");
        }
        return new UserException(name + ": cannot read: " + e.getMessage(), e);
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException | RuntimeException ignored) {
                // Closing after a failure: the failure is what gets reported.
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** htsjdk's FASTA reader takes a SeekableStream; reading is sequential here, so seeking is refused. */
    private static final class StreamAdapter extends SeekableStream {
        private final InputStream in;
        private final String source;
        private long position;
        private boolean eof;

        StreamAdapter(InputStream in, String source) {
            this.in = in;
            this.source = source;
        }

        @Override
        public long length() {
            return -1;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void seek(long pos) throws IOException {
            throw new IOException(source + ": cannot seek in a streamed FASTA");
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n < 0) {
                eof = true;
            } else {
                position += n;
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b < 0) {
                eof = true;
            } else {
                position++;
            }
            return b;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        @Override
        public boolean eof() {
            return eof;
        }

        @Override
        public String getSource() {
            return source;
        }
    }

    /**
     * Record ids seen so far, as 64-bit fingerprints with the record index: open addressing, no boxing.
     * Two different ids with the same fingerprint (chance about n^2 / 2^65) would be reported as a
     * duplicate; for a million records that is about 3e-8.
     */
    private static final class IdSet {
        private long[] keys = new long[64];
        private int[] values = new int[64];
        private boolean[] used = new boolean[64];
        private int size;

        /** Adds {@code id} with {@code index}; returns the earlier index if it was there, else -1. */
        int addOrFind(String id, int index) {
            if (2 * (size + 1) > keys.length) {
                grow();
            }
            long h = fingerprint(id);
            int mask = keys.length - 1;
            for (int i = (int) (h ^ (h >>> 32)) & mask; ; i = (i + 1) & mask) {
                if (!used[i]) {
                    used[i] = true;
                    keys[i] = h;
                    values[i] = index;
                    size++;
                    return -1;
                }
                if (keys[i] == h) {
                    return values[i];
                }
            }
        }

        private void grow() {
            long[] k = keys;
            int[] v = values;
            boolean[] u = used;
            keys = new long[k.length * 2];
            values = new int[k.length * 2];
            used = new boolean[k.length * 2];
            int mask = keys.length - 1;
            for (int j = 0; j < k.length; j++) {
                if (u[j]) {
                    int i = (int) (k[j] ^ (k[j] >>> 32)) & mask;
                    while (used[i]) {
                        i = (i + 1) & mask;
                    }
                    used[i] = true;
                    keys[i] = k[j];
                    values[i] = v[j];
                }
            }
        }

        /** FNV-1a over the UTF-16 units, then the murmur3 finaliser to spread the bits. */
        private static long fingerprint(String s) {
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < s.length(); i++) {
                h ^= s.charAt(i);
                h *= 0x100000001b3L;
            }
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            h *= 0xc4ceb9fe1a85ec53L;
            h ^= h >>> 33;
            return h;
        }
    }
}
