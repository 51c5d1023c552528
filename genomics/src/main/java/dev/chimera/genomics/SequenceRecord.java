package dev.chimera.genomics;

/**
 * One FASTA or FASTQ record as read from a file: the raw sequence characters (ASCII, as in the file,
 * line breaks removed; FASTQ qualities are not kept). Validation of the characters is the
 * {@link NucleotideTokenizer}'s job.
 *
 * @param source the file as the user named it, for messages
 * @param index  0-based position of the record in the file
 * @param line   1-based line of the record's header, or 0 where the reader cannot tell (FASTA)
 * @param id     the header up to the first whitespace, without the leading '>' or '@'
 * @param description the rest of the header after the id, stripped of surrounding whitespace ("" if none)
 * @param bases  the sequence characters; never empty
 */
public record SequenceRecord(String source, int index, long line, String id, String description, byte[] bases) {

    /** Where this record is, for messages: {@code file: record 3 'chr3'} (with the line when known). */
    public String where() {
        return source + ": record " + (index + 1) + " '" + id + "'" + (line > 0 ? " (line " + line + ")" : "");
    }

    /** Number of sequence characters. */
    public int length() {
        return bases.length;
    }
}
