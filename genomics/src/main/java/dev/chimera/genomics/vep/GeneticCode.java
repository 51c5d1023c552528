package dev.chimera.genomics.vep;

/**
 * The standard genetic code (NCBI translation table 1; table 11, bacteria and plastids, codes the
 * same amino acids and differs only in which codons may start a protein). Codons are upper-case
 * letters on the coding strand; '*' is a stop.
 */
public final class GeneticCode {
    /** Amino acids of the 64 codons in the order TTT, TTC, TTA, TTG, TCT, ... (bases ordered T, C, A, G). */
    private static final String AMINO_ACIDS = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG";
    private static final String ORDER = "TCAG";

    private GeneticCode() {
    }

    /** The amino acid of codon b1 b2 b3 ('*' for a stop), or 'X' when a letter is not A, C, G or T. */
    public static char translate(byte b1, byte b2, byte b3) {
        int i = ORDER.indexOf(b1);
        int j = ORDER.indexOf(b2);
        int k = ORDER.indexOf(b3);
        return i < 0 || j < 0 || k < 0 ? 'X' : AMINO_ACIDS.charAt(16 * i + 4 * j + k);
    }

    /** {@link #translate} of {@code codon[at .. at+3)}. */
    public static char translate(byte[] codon, int at) {
        return translate(codon[at], codon[at + 1], codon[at + 2]);
    }
}
