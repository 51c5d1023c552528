package dev.chimera.genomics.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.genomics.NucleotideTokenizer;
import org.junit.jupiter.api.Test;

class KmerCountsTest {
    private static byte[] tokens(String s) {
        return new NucleotideTokenizer().encode(s.getBytes(), "test");
    }

    @Test
    void countsEveryKmerOutsideNsScaledToUnitNorm() {
        // 2-mers of ACGTNAC: AC CG GT (TN, NA skipped) AC -> AC 2, CG 1, GT 1; index = base-4 number.
        SparseVector v = new KmerCounts(2).profile(tokens("ACGTNAC"));
        assertArrayEquals(new int[] {1, 6, 11}, v.index());
        double s = Math.sqrt(6);
        assertArrayEquals(new double[] {2 / s, 1 / s, 1 / s}, v.value(), 1e-15);
    }

    @Test
    void sixMersOfARecordAndItsEdgeCases() {
        KmerCounts six = new KmerCounts(6);
        assertEquals(4096, six.dim());
        SparseVector v = six.profile(tokens("TTTTTTTA"));
        // TTTTTT (4095) twice, TTTTTA (4092) once.
        assertArrayEquals(new int[] {4092, 4095}, v.index());
        assertArrayEquals(new double[] {1 / Math.sqrt(5), 2 / Math.sqrt(5)}, v.value(), 1e-15);
        assertEquals(0, six.profile(tokens("ACGTA")).index().length, "shorter than k: no k-mer");
        assertEquals(0, six.profile(tokens("ACGNNACGTNAC")).index().length, "no run of 6 bases");
    }
}
