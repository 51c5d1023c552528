package dev.chimera.genomics.classify;

/**
 * One record of a labelled set: its id, where it was read (for messages), its tokens (A C G T N
 * ids of {@link dev.chimera.genomics.NucleotideTokenizer}) and its class, an index into the set's
 * label list; -1 for a record read without a label (the input of {@code classify predict}).
 */
public record Example(String id, String where, byte[] tokens, int label) {

    public int length() {
        return tokens.length;
    }
}
