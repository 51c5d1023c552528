package dev.chimera.genomics.vep;

import dev.chimera.genomics.FastaSource;
import dev.chimera.runtime.UserException;
import htsjdk.samtools.SAMException;
import htsjdk.samtools.SAMSequenceDictionary;
import htsjdk.samtools.SAMSequenceRecord;
import htsjdk.samtools.reference.BlockCompressedIndexedFastaSequenceFile;
import htsjdk.samtools.reference.FastaSequenceIndex;
import htsjdk.samtools.reference.FastaSequenceIndexCreator;
import htsjdk.samtools.reference.FastaSequenceIndexEntry;
import htsjdk.samtools.reference.IndexedFastaSequenceFile;
import htsjdk.samtools.reference.ReferenceSequenceFile;
import htsjdk.samtools.util.GZIIndex;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A FASTA reference read by random access through htsjdk's indexed readers: a plain FASTA with its
 * {@code .fai}, or a bgzipped one with {@code .fai} and {@code .gzi} (what {@code samtools faidx}
 * writes). A plain FASTA without {@code .fai} is indexed on opening (htsjdk's
 * {@link FastaSequenceIndexCreator}, the same file samtools writes) and the caller is told; a
 * bgzipped one without its indexes, or a gzip (not bgzip) file, is a one-line error saying how to
 * index it.
 *
 * <p>Reads go through a cache of one stretch of one contig (at least {@value #BLOCK} bases), so the
 * windows of a position-sorted VCF cost one read of the file per stretch, not one per variant.
 */
public final class IndexedFastaReference implements Reference, Closeable {
    private static final int BLOCK = 1 << 20;

    private final String name;
    private final ReferenceSequenceFile file;
    private final Map<String, Long> lengths;
    private final SAMSequenceDictionary dictionary;
    private String cachedContig;
    private long cachedStart;
    private byte[] cached = new byte[0];

    private IndexedFastaReference(String name, ReferenceSequenceFile file, FastaSequenceIndex index) {
        this.name = name;
        this.file = file;
        this.lengths = new LinkedHashMap<>();
        List<SAMSequenceRecord> records = new ArrayList<>();
        for (FastaSequenceIndexEntry e : index) {
            lengths.put(e.getContig(), e.getSize());
            records.add(new SAMSequenceRecord(e.getContig(), (int) Math.min(Integer.MAX_VALUE, e.getSize())));
        }
        this.dictionary = new SAMSequenceDictionary(records);
    }

    /**
     * Opens {@code fasta} (named {@code option} in messages, e.g. "--reference ref.fa") for random
     * access; {@code notes} hears of an index built here.
     */
    public static IndexedFastaReference open(Path fasta, String option, Consumer<String> notes) {
        String name = option + " " + fasta;
        FastaSource.Compression compression;
        try (FastaSource source = FastaSource.open(fasta)) {
            if (source.format() != FastaSource.Format.FASTA) {
                throw new UserException(name + ": a FASTQ file, expected a FASTA reference");
            }
            compression = source.compression();
        } catch (UserException e) {
            throw e.getMessage().startsWith(option) ? e : new UserException(option + " " + e.getMessage(), e);
        }
        Path fai = fasta.resolveSibling(fasta.getFileName() + ".fai");
        Path gzi = GZIIndex.resolveIndexNameForBgzipFile(fasta);
        if (compression == FastaSource.Compression.GZIP) {
            throw new UserException(name + ": gzip-compressed, but random access needs bgzip: recompress it "
                    + "('zcat " + fasta + " | bgzip > ref.fa.gz && samtools faidx ref.fa.gz') or decompress it");
        }
        if (compression == FastaSource.Compression.BGZF && !(Files.exists(fai) && Files.exists(gzi))) {
            throw new UserException(name + ": bgzipped FASTA without its index " + (Files.exists(fai) ? gzi : fai)
                    + "; make both with 'samtools faidx " + fasta + "'");
        }
        if (!Files.exists(fai)) {
            try {
                FastaSequenceIndexCreator.create(fasta, false);
            } catch (IOException | SAMException e) {
                throw new UserException(name + ": no index " + fai + ", and building one failed (" + e.getMessage()
                        + "); make it with 'samtools faidx " + fasta + "'", e);
            }
            notes.accept("indexed " + fasta + ": wrote " + fai);
        }
        try {
            FastaSequenceIndex index = new FastaSequenceIndex(fai);
            ReferenceSequenceFile file = compression == FastaSource.Compression.BGZF
                    ? new BlockCompressedIndexedFastaSequenceFile(fasta, index)
                    : new IndexedFastaSequenceFile(fasta, index);
            return new IndexedFastaReference(name, file, index);
        } catch (SAMException e) {
            throw new UserException(name + ": cannot open with its index " + fai + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long length(String contig) {
        Long n = lengths.get(contig);
        return n == null ? -1 : n;
    }

    @Override
    public byte[] bases(String contig, long start, long end) {
        if (!contig.equals(cachedContig) || start < cachedStart || end > cachedStart + cached.length) {
            long to = Math.min(length(contig), Math.max(end, start + BLOCK));
            try {
                // htsjdk: 1-based, both ends inclusive.
                cached = file.getSubsequenceAt(contig, start + 1, to).getBases();
            } catch (SAMException e) {
                throw new UserException(name + ": cannot read " + contig + ":" + (start + 1) + "-" + to + ": "
                        + e.getMessage(), e);
            }
            for (int i = 0; i < cached.length; i++) {
                cached[i] = (byte) Character.toUpperCase(cached[i]);
            }
            cachedContig = contig;
            cachedStart = start;
        }
        int from = (int) (start - cachedStart);
        return java.util.Arrays.copyOfRange(cached, from, from + (int) (end - start));
    }

    /** The contigs and their lengths as the index lists them, for a VCF header and its tabix index. */
    public SAMSequenceDictionary dictionary() {
        return dictionary;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
