package dev.chimera.genomics;

/**
 * Reference genomes shipped inside Chimera (a classpath resource beside this class, with its
 * copyright file), so the commands that default to one run offline wherever Java runs; each is
 * copied once into the {@link GenomeCache} by {@link GenomeCache#obtain} and checked against its
 * known length.
 */
public enum ReferenceGenome {
    /**
     * Escherichia coli K-12 substr. MG1655, one circular chromosome of 4,639,675 bp: the file of
     * Debian's {@code ragout-examples} 2.3-4 (BSD-3; {@code genomes/MG1655-K12.COPYRIGHT}).
     */
    ECOLI_K12_MG1655("E. coli K-12 MG1655", "MG1655-K12.fasta.gz", 4_639_675L);

    private final String description;
    private final String fileName;
    private final long length;

    ReferenceGenome(String description, String fileName, long length) {
        this.description = description;
        this.fileName = fileName;
        this.length = length;
    }

    /** Human-readable name, e.g. {@code E. coli K-12 MG1655}. */
    public String description() {
        return description;
    }

    /** Name of the file in the cache, and of the shipped resource. */
    public String fileName() {
        return fileName;
    }

    /** The shipped file's classpath resource name, relative to this class. */
    public String resource() {
        return "genomes/" + fileName;
    }

    /** Total bases over all records. */
    public long length() {
        return length;
    }
}
