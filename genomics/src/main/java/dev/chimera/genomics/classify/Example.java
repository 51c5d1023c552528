package dev.chimera.genomics.classify;

import java.util.Arrays;

/**
 * One record of a labelled set: its id, where it was read (for messages), its tokens (A C G T N
 * ids of {@link dev.chimera.genomics.NucleotideTokenizer}) and its class, an index into the set's
 * label list; -1 for a record read without a label (the input of {@code classify predict}).
 */
public record Example(String id, String where, byte[] tokens, int label) {

    public int length() {
        return tokens.length;
    }

    /**
     * This record when it has at most {@code maxBases} bases, else its central {@code maxBases}: the
     * bases from (n - maxBases) / 2 (rounded down) on. What the methods over a model read.
     */
    public Example centralCrop(int maxBases) {
        if (tokens.length <= maxBases) {
            return this;
        }
        int from = (tokens.length - maxBases) / 2;
        return new Example(id, where, Arrays.copyOfRange(tokens, from, from + maxBases), label);
    }
}
