package dev.chimera.genomics;

/**
 * Reference genomes that can be had on a Debian machine without a network account: each is a file
 * inside a Debian package, fetched once by {@link GenomeCache#obtain} with {@code apt-get download}
 * and {@code dpkg -x} (no root, no installation) and checked against its known length.
 */
public enum ReferenceGenome {
    /**
     * Escherichia coli K-12 substr. MG1655, one circular chromosome of 4,639,675 bp, as shipped by
     * Debian's {@code ragout-examples} (BSD-3).
     */
    ECOLI_K12_MG1655("E. coli K-12 MG1655", "ragout-examples",
            "usr/share/doc/ragout/examples/E.Coli/references/MG1655-K12.fasta.gz", "MG1655-K12.fasta.gz", 4_639_675L);

    private final String description;
    private final String debianPackage;
    private final String pathInPackage;
    private final String fileName;
    private final long length;

    ReferenceGenome(String description, String debianPackage, String pathInPackage, String fileName, long length) {
        this.description = description;
        this.debianPackage = debianPackage;
        this.pathInPackage = pathInPackage;
        this.fileName = fileName;
        this.length = length;
    }

    /** Human-readable name, e.g. {@code E. coli K-12 MG1655}. */
    public String description() {
        return description;
    }

    /** The Debian package that ships the FASTA. */
    public String debianPackage() {
        return debianPackage;
    }

    /** Path of the FASTA inside the package's data, relative to its root. */
    public String pathInPackage() {
        return pathInPackage;
    }

    /** Name of the file in the cache. */
    public String fileName() {
        return fileName;
    }

    /** Total bases over all records. */
    public long length() {
        return length;
    }
}
