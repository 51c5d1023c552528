package dev.chimera.genomics.vep;

/**
 * A reference genome by contig, read for variant windows: an indexed FASTA file
 * ({@link IndexedFastaReference}) or sequences held in memory ({@link InMemoryReference}).
 */
public interface Reference {
    /** The length of {@code contig}, or -1 when the reference has no such contig. */
    long length(String contig);

    /** Upper-case letters [start, end) of {@code contig} (0-based, end exclusive, inside 0..length). */
    byte[] bases(String contig, long start, long end);
}
