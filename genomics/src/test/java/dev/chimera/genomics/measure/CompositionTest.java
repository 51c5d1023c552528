package dev.chimera.genomics.measure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.genomics.NucleotideTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The composition measures behind the README's tagged-generation and pooling tables. */
class CompositionTest {
    @TempDir
    Path dir;

    private static byte[] tokens(String bases) {
        return new NucleotideTokenizer().encode(bases.getBytes(), "t");
    }

    @Test
    void countsKmersOnBothStrandsAndSkipsN() {
        // AAC: AA and AC forward, GT and TT on the reverse strand (GTT).
        double[] f = new Composition(2).add(tokens("AAC")).frequencies();
        double[] want = new double[16];
        want[0b0000] = 0.25;  // AA
        want[0b0001] = 0.25;  // AC
        want[0b1011] = 0.25;  // GT
        want[0b1111] = 0.25;  // TT
        assertArrayEquals(want, f, 0);
        assertEquals(1.0 / 3, new Composition(2).add(tokens("AAC")).gc(), 1e-15);
        // N breaks the k-mers around it and is not a base: AC and GT only, GC 2 of 4.
        Composition n = new Composition(2).add(tokens("ACNGT"));
        assertEquals(0.5, n.frequencies()[0b0001]);
        assertEquals(0.5, n.frequencies()[0b1011]);
        assertEquals(4, n.bases());
        assertEquals(0.5, n.gc());
    }

    @Test
    void distanceIsHalfTheL1DistanceOfTheSpectra() {
        Composition a = new Composition(1).add(tokens("AAAA"));
        Composition c = new Composition(1).add(tokens("CCCC"));
        assertEquals(1.0, a.distance(c), "A/T vs C/G: disjoint");
        assertEquals(0.0, a.distance(new Composition(1).add(tokens("TTTT"))), "the same on both strands");
        // ACGG: A .125 C .375 G .375 T .125 vs AAAA: A .5 T .5 -> (0.375 + 0.375 + 0.375 + 0.375) / 2
        assertEquals(0.75, new Composition(1).add(tokens("ACGG")).distance(a), 1e-15);
    }

    @Test
    void poolingBenchCutsCodingWindowsFromCdsMiddlesAndIntergenicOnesFromGaps() throws IOException {
        StringBuilder seq = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            seq.append("ACGT".charAt((i * 7 + i / 13) % 4));
        }
        Path gff = Files.writeString(dir.resolve("x.gff"), "##gff-version 3\n"
                + "c1\tx\tCDS\t101\t400\t.\t+\t0\tID=a\n"
                + "c1\tx\ttRNA\t521\t600\t.\t+\t.\tID=b\n"
                + "##FASTA\n>c1 test\n" + seq.substring(0, 500) + "\n" + seq.substring(500) + "\n");
        List<PoolingBench.Window> w = PoolingBench.windows(gff, 100, 1, 1);
        assertEquals(2, w.size());
        assertTrue(w.get(0).coding());
        assertEquals(seq.substring(200, 300), letters(w.get(0).tokens()), "the middle 100 of bases 101..400");
        assertTrue(!w.get(1).coding());
        // Gaps of at least 100 before a feature: bases 1..100 and 401..520 (its middle 100: 411..510).
        String got = letters(w.get(1).tokens());
        assertTrue(got.equals(seq.substring(0, 100)) || got.equals(seq.substring(410, 510)), got);
    }

    private static String letters(byte[] t) {
        return new String(NucleotideTokenizer.letters(t, 0, t.length));
    }
}
