package dev.chimera.genomics.classify;

import dev.chimera.genomics.NucleotideTokenizer;
import java.util.Arrays;

/**
 * The k-mer profile of a record: the count of each of the 4^k k-mers over A C G T (index = the
 * k-mer read as a base-4 number, A=0 C=1 G=2 T=3, first base most significant) in every window of k
 * consecutive bases, windows holding an N skipped, scaled to unit Euclidean norm so that records of
 * different lengths are comparable. A record with no k-mer (shorter than k, or all N) has no
 * non-zero entry. The strand is the record's own: a k-mer and its reverse complement are different
 * features, since which strand a record is on can be what tells its class (a gene's coding strand).
 */
public final class KmerCounts {
    private final int k;

    public KmerCounts(int k) {
        if (k < 1 || k > 12) {
            throw new IllegalArgumentException("k must be in [1, 12], got " + k);
        }
        this.k = k;
    }

    public int k() {
        return k;
    }

    /** Number of features, 4^k. */
    public int dim() {
        return 1 << (2 * k);
    }

    public SparseVector profile(byte[] tokens) {
        int mask = dim() - 1;
        int[] codes = new int[Math.max(0, tokens.length - k + 1)];
        int n = 0;
        int code = 0;
        int valid = 0;  // bases since the last N
        for (byte t : tokens) {
            if (t > NucleotideTokenizer.T) {
                valid = 0;
                continue;
            }
            code = ((code << 2) | t) & mask;
            if (++valid >= k) {
                codes[n++] = code;
            }
        }
        Arrays.sort(codes, 0, n);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0 || codes[i] != codes[i - 1]) {
                distinct++;
            }
        }
        int[] index = new int[distinct];
        double[] value = new double[distinct];
        int j = -1;
        for (int i = 0; i < n; i++) {
            if (i == 0 || codes[i] != codes[i - 1]) {
                index[++j] = codes[i];
            }
            value[j]++;
        }
        double norm = 0;
        for (double v : value) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < value.length; i++) {
            value[i] /= norm;
        }
        return new SparseVector(index, value);
    }
}
