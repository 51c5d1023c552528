package dev.chimera.genomics;

import dev.chimera.runtime.UserException;
import htsjdk.samtools.util.BlockCompressedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastaSourceTest {
    @TempDir
    Path dir;

    private static final String FASTA = ">chr1 first record\nACGTN\nacgt\n\n>chr2\nGGGG\n";
    private static final String FASTQ = "@r1 lane 1\nACGT\n+\nIIII\n@r2\nNNA\n+r2\n###\n";

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private Path write(String name, String text) throws IOException {
        return write(name, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        }
        return bytes.toByteArray();
    }

    private Path bgzip(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = new BlockCompressedOutputStream(p.toFile())) {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        }
        return p;
    }

    private static void assertRecords(List<SequenceRecord> records, String... idsAndBases) {
        assertEquals(idsAndBases.length / 2, records.size());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(idsAndBases[2 * i], records.get(i).id());
            assertEquals(idsAndBases[2 * i + 1], new String(records.get(i).bases(), StandardCharsets.ISO_8859_1));
            assertEquals(i, records.get(i).index());
        }
    }

    @Test
    void readsFastaPlainGzipAndBgzipAlike() throws IOException {
        // Multi-line records, a blank line, a description after the id, lowercase kept as read.
        assertRecords(FastaSource.readAll(write("a.fa", FASTA)), "chr1", "ACGTNacgt", "chr2", "GGGG");
        // Compression is told by the bytes, not the name.
        assertRecords(FastaSource.readAll(write("a.fa.txt", gzip(FASTA))), "chr1", "ACGTNacgt", "chr2", "GGGG");
        Path bgz = bgzip("a.fa.bgz", FASTA);
        assertRecords(FastaSource.readAll(bgz), "chr1", "ACGTNacgt", "chr2", "GGGG");
        try (FastaSource s = FastaSource.open(bgz)) {
            assertEquals(FastaSource.Format.FASTA, s.format());
            assertEquals(FastaSource.Compression.BGZF, s.compression());
        }
    }

    @Test
    void theHeaderAfterTheIdIsTheDescription() throws IOException {
        List<SequenceRecord> fa = FastaSource.readAll(write("d.fa", ">r1  label=a  x=1 \nACGT\n>r2\nAC\n"));
        assertEquals("label=a  x=1", fa.get(0).description());
        assertEquals("", fa.get(1).description());
        List<SequenceRecord> fq = FastaSource.readAll(write("d.fq", FASTQ));
        assertEquals("lane 1", fq.get(0).description());
        assertEquals("", fq.get(1).description());
    }

    @Test
    void readsFastqWithLineNumbers() throws IOException {
        for (Path p : List.of(write("r.fq", FASTQ), write("r.fq.gz", gzip(FASTQ)), bgzip("r.fq.bgz", FASTQ))) {
            List<SequenceRecord> records = FastaSource.readAll(p);
            assertRecords(records, "r1", "ACGT", "r2", "NNA");
            assertEquals(1, records.get(0).line());
            assertEquals(5, records.get(1).line());
            assertTrue(records.get(1).where().contains("record 2 'r2' (line 5)"), records.get(1).where());
        }
        try (FastaSource s = FastaSource.open(write("crlf.fq", FASTQ.replace("\n", "\r\n")))) {
            assertEquals(FastaSource.Format.FASTQ, s.format());
        }
    }

    @Test
    void aLargeRecordStreamsAcrossBuffers() throws IOException {
        Random rnd = new Random(7);
        StringBuilder seq = new StringBuilder();
        for (int i = 0; i < 300_000; i++) {
            seq.append("ACGT".charAt(rnd.nextInt(4)));
        }
        StringBuilder text = new StringBuilder(">big\n");
        for (int i = 0; i < seq.length(); i += 61) {
            text.append(seq, i, Math.min(seq.length(), i + 61)).append('\n');
        }
        List<SequenceRecord> r = FastaSource.readAll(write("big.fa.gz", gzip(text.toString())));
        assertEquals(seq.toString(), new String(r.get(0).bases(), StandardCharsets.ISO_8859_1));
    }

    /** Reading {@code file} fails with one line that contains every one of {@code expected}. */
    private static String assertFails(Path file, String... expected) {
        UserException e = assertThrows(UserException.class, () -> FastaSource.readAll(file));
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.startsWith(file.toString()), "names the file first: " + m);
        for (String x : expected) {
            assertTrue(m.contains(x), "'" + x + "' in: " + m);
        }
        return m;
    }

    @Test
    void missingDirectoryAndEmptyFiles() throws IOException {
        assertFails(dir.resolve("nope.fa"), "no such file");
        assertFails(dir, "is a directory");
        assertFails(write("empty.fa", ""), "empty file");
        assertFails(write("blank.fa", "\n\n  \n"), "no records");
        assertFails(write("empty.fa.gz", gzip("")), "no records");
    }

    @Test
    void unreadableFile() throws IOException {
        Path p = write("secret.fa", FASTA);
        if (!p.toFile().setReadable(false) || Files.isReadable(p)) {
            return; // Running as root: permissions do not stop reading, nothing to test.
        }
        assertFails(p, "permission denied");
    }

    @Test
    void noHeaderLine() throws IOException {
        assertFails(write("seq.txt", "\nACGTACGT\n>chr1\nAC\n"), "line 2", "no FASTA/FASTQ header", "'ACGTACGT'");
        assertFails(write("seq.txt.gz", gzip("ACGT\n")), "line 1", "no FASTA/FASTQ header");
    }

    @Test
    void binaryGarbageAndOtherCompressions() throws IOException {
        byte[] junk = new byte[4096];
        new Random(1).nextBytes(junk);
        junk[0] = 0x01;
        assertFails(write("junk.fa", junk), "binary data");
        assertFails(write("junk.fa.gz", gzip(new String(junk, StandardCharsets.ISO_8859_1))), "binary data", "decompressed");
        assertFails(write("x.fa.bz2", "BZh91AY&SY garbage"), "bzip2-compressed");
        assertFails(write("x.fa.xz", new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 1, 2}), "xz-compressed");
        assertFails(write("x.fa.zst", new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0}), "zstd-compressed");
        assertFails(write("x.zip", new byte[] {'P', 'K', 3, 4, 0, 0}), "zip-compressed");
    }

    @Test
    void truncatedGzipAndBgzip() throws IOException {
        StringBuilder text = new StringBuilder();
        Random rnd = new Random(3);
        for (int r = 0; r < 40; r++) {
            text.append(">rec").append(r).append('\n');
            for (int i = 0; i < 5000; i++) {
                text.append("ACGT".charAt(rnd.nextInt(4)));
            }
            text.append('\n');
        }
        byte[] gz = gzip(text.toString());
        assertFails(write("cut.fa.gz", Arrays.copyOf(gz, gz.length / 2)), "truncated or corrupt gzip");
        assertFails(write("cut-early.fa.gz", Arrays.copyOf(gz, 40)), "truncated or corrupt gzip");
        byte[] bad = gz.clone();
        bad[gz.length / 2] ^= 0x55;
        bad[gz.length / 2 + 1] ^= 0x55;
        bad[gz.length / 2 + 7] ^= 0x55;
        assertFails(write("corrupt.fa.gz", bad), "gzip");
        byte[] bgz = Files.readAllBytes(bgzip("whole.fa.bgz", text.toString()));
        assertFails(write("cut.fa.bgz", Arrays.copyOf(bgz, bgz.length * 2 / 3)), "truncated bgzip");
        // Cut exactly at the end-of-file block: all data blocks intact, the terminator missing.
        assertFails(write("noeof.fa.bgz", Arrays.copyOf(bgz, bgz.length - 28)), "truncated bgzip");
    }

    @Test
    void duplicateIds() throws IOException {
        assertFails(write("dup.fa", ">a\nAC\n>b\nGT\n>a x\nTT\n"), "record 3 'a'", "duplicate record id", "record 1");
        assertFails(write("dup.fq", "@a\nAC\n+\nII\n@a\nGT\n+\nII\n"), "record 2 'a' (line 5)", "duplicate");
    }

    @Test
    void zeroLengthRecordsAndMissingIds() throws IOException {
        assertFails(write("z.fa", ">a\nAC\n>b\n>c\nGT\n"), "record 2 'b'", "zero-length record");
        assertFails(write("z-last.fa", ">a\nAC\n>b\n"), "record 2 'b'", "zero-length record");
        assertFails(write("z.fq", "@a\nAC\n+\nII\n@b\n\n+\n\n"), "line 5", "zero-length record");
        assertFails(write("noid.fa", ">a\nAC\n>\nGT\n"), "record 2", "has no id");
        assertFails(write("noid.fq", "@ x\nAC\n+\nII\n"), "record 1 (line 1)", "has no id");
    }

    @Test
    void fastqStructureErrors() throws IOException {
        assertFails(write("q1.fq", "@a\nACGT\n+\nIII\n"), "line 1", "sequence and quality lines differ in length");
        assertFails(write("q2.fq", "@a\nACGT\n+\nIIII\n@b\nAC\n"), "line 5", "truncated record");
        assertFails(write("q3.fq", "@a\nACGT\n-\nIIII\n"), "line 1", "quality header line starting with '+'");
        assertFails(write("q4.fq", "@a\nACGT\n+\nIIII\nb\nAC\n+\nII\n"), "line 5", "header starting with '@'", "'b'");
    }

    @Test
    void iterationStopsCleanlyAndRefusesMore() throws IOException {
        try (FastaSource s = FastaSource.open(write("a.fa", FASTA))) {
            assertTrue(s.hasNext());
            s.next();
            s.next();
            assertFalse(s.hasNext());
            assertThrows(java.util.NoSuchElementException.class, s::next);
        }
        assertArrayEquals("GGGG".getBytes(StandardCharsets.US_ASCII), FastaSource.readAll(write("b.fa", FASTA)).get(1).bases());
    }
}
