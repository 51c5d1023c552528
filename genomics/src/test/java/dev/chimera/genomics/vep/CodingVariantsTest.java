package dev.chimera.genomics.vep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.genomics.annotation.Gff3Annotation;
import dev.chimera.genomics.vep.CodingVariants.Drawn;
import dev.chimera.genomics.vep.CodingVariants.Kind;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop-gained and synonymous SNVs drawn from a synthetic annotated genome whose coding sequences the
 * test lays out itself (plus and minus strand, split CDS on both strands, a phase-2 partial CDS, two
 * isoforms sharing a CDS, two genes overlapping on opposite strands): every candidate the test finds
 * by reading its own coding strings is drawn, and nothing else.
 */
class CodingVariantsTest {
    @TempDir
    Path dir;

    /** A coding sequence as laid out: its coding-strand string and the 0-based genomic position of each base. */
    private record Gene(String id, String coding, int phase, int[] genomic, boolean minus) {
    }

    /** Builds the genome, the GFF3 lines and the truth. */
    private static final class Layout {
        final Random random = new Random(11);
        final StringBuilder genome = new StringBuilder();
        final List<String> gff = new ArrayList<>();
        final List<Gene> genes = new ArrayList<>();
        final Set<Integer> ambiguous = new HashSet<>();

        String random(int n) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                sb.append("ACGT".charAt(random.nextInt(4)));
            }
            return sb.toString();
        }

        /** ATG, {@code codons} random sense codons (the first {@code second} when given), TAA. */
        String orf(int codons, String second) {
            StringBuilder sb = new StringBuilder("ATG");
            for (int i = 0; i < codons; i++) {
                String c;
                do {
                    c = random(3);
                } while (GeneticCode.translate(c.getBytes(StandardCharsets.US_ASCII), 0) == '*');
                sb.append(i == 0 && second != null ? second : c);
            }
            return sb.append("TAA").toString();
        }

        void spacer(int n) {
            genome.append(random(n));
        }

        /** {@code coding} on '+' in parts split at {@code splits}, introns of 13 bases between them. */
        Gene plus(String id, String parent, String coding, int phase, int... splits) {
            int[] genomic = new int[coding.length()];
            int from = 0;
            List<int[]> parts = new ArrayList<>();
            int[] cuts = append(splits, coding.length());
            for (int cut : cuts) {
                if (from > 0) {
                    spacer(13);
                }
                int start = genome.length();
                genome.append(coding, from, cut);
                for (int i = from; i < cut; i++) {
                    genomic[i] = start + i - from;
                }
                parts.add(new int[] {start + 1, start + cut - from, Math.floorMod(phase - from, 3)});
                from = cut;
            }
            for (int[] p : parts) {
                gff.add(line(p[0], p[1], '+', p[2], id, parent));
            }
            Gene g = new Gene(id, coding, phase, genomic, false);
            genes.add(g);
            return g;
        }

        /** {@code coding} on '-' in parts split at {@code split} (transcription order), an intron of 13 between. */
        Gene minus(String id, String coding, int split) {
            int[] genomic = new int[coding.length()];
            List<int[]> parts = new ArrayList<>();
            // low coordinates hold the 3' part: rc(coding[split..]), then the intron, then rc(coding[0..split))
            int low = genome.length();
            genome.append(reverseComplement(coding.substring(split)));
            for (int i = split; i < coding.length(); i++) {
                genomic[i] = low + coding.length() - 1 - i;
            }
            parts.add(new int[] {low + 1, low + coding.length() - split, Math.floorMod(-split, 3)});
            if (split > 0) {
                spacer(13);
                int high = genome.length();
                genome.append(reverseComplement(coding.substring(0, split)));
                for (int i = 0; i < split; i++) {
                    genomic[i] = high + split - 1 - i;
                }
                parts.add(new int[] {high + 1, high + split, 0});
            }
            for (int[] p : parts) {
                gff.add(line(p[0], p[1], '-', p[2], id, null));
            }
            Gene g = new Gene(id, coding, 0, genomic, true);
            genes.add(g);
            return g;
        }

        String line(int start, int end, char strand, int phase, String id, String parent) {
            return "chr\tt\tCDS\t" + start + "\t" + end + "\t.\t" + strand + "\t" + phase + "\tID=" + id
                    + (parent == null ? "" : ";Parent=" + parent);
        }

        Path write(Path file) throws IOException {
            return Files.writeString(file, "##gff-version 3\n" + String.join("\n", gff) + "\n##FASTA\n>chr\n"
                    + genome + "\n");
        }
    }

    private static int[] append(int[] a, int v) {
        int[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = v;
        return out;
    }

    static String reverseComplement(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = s.length() - 1; i >= 0; i--) {
            sb.append("TGCA".charAt("ACGT".indexOf(s.charAt(i))));
        }
        return sb.toString();
    }

    private static char complement(char c) {
        return "TGCA".charAt("ACGT".indexOf(c));
    }

    /** The genome of the class comment. */
    private static Layout layout() {
        Layout l = new Layout();
        l.spacer(20);
        l.plus("geneA", null, l.orf(12, "TGG"), 0);                 // second codon TGG: stop-gains TAG, TGA
        l.spacer(17);
        l.minus("geneB", l.orf(11, "CAG"), 0);                      // second codon CAG: TAG, and CAA synonymous
        l.spacer(9);
        l.plus("cdsC", "mrnaC", l.orf(14, null), 0, 20);            // split at 20: second part phase 1
        l.spacer(11);
        l.plus("geneD", null, l.random(2) + l.orf(10, null) + "G", 2);  // partial: phase 2, a base after the last codon
        l.spacer(8);
        l.minus("geneE", l.orf(13, null), 25);                      // minus, split: 3' part phase 2
        l.spacer(10);
        Gene f = l.plus("geneF", null, l.orf(12, null), 0);
        // geneG on '-' overlaps geneF's last 12 bases: its coding string ends with their reverse complement.
        String f12 = f.coding().substring(f.coding().length() - 12);
        String g = l.orf(9, null);
        g = g.substring(0, g.length() - 3) + reverseComplement(f12);
        int overlapStart = l.genome.length() - 12;
        l.genome.setLength(overlapStart);
        l.minus("geneG", g, 0);
        for (int i = 0; i < 12; i++) {
            l.ambiguous.add(overlapStart + i);
        }
        l.spacer(15);
        String h = l.orf(10, null);
        int hStart = l.genome.length();
        l.plus("cdsH1", "mrna1", h, 0);
        l.gff.add(l.line(hStart + 1, hStart + h.length(), '+', 0, "cdsH2", "mrna2"));  // a second isoform, same CDS
        l.spacer(20);
        return l;
    }

    /** Every candidate by reading the test's own coding strings: pos (0-based), ref, alt, kind. */
    private static Set<String> truth(Layout l) {
        Set<String> out = new HashSet<>();
        for (Gene g : l.genes) {
            int complete = (g.coding().length() - g.phase()) / 3;
            for (int j = 1; j < complete - 1; j++) {
                int c = g.phase() + 3 * j;
                String codon = g.coding().substring(c, c + 3);
                char aa = GeneticCode.translate(codon.getBytes(StandardCharsets.US_ASCII), 0);
                if (aa == '*') {
                    continue;
                }
                for (int k = 0; k < 3; k++) {
                    int pos = g.genomic()[c + k];
                    if (l.ambiguous.contains(pos)) {
                        continue;
                    }
                    for (char b : "ACGT".toCharArray()) {
                        if (b == codon.charAt(k)) {
                            continue;
                        }
                        String mutated = codon.substring(0, k) + b + codon.substring(k + 1);
                        char changed = GeneticCode.translate(mutated.getBytes(StandardCharsets.US_ASCII), 0);
                        Kind kind = changed == '*' ? Kind.STOP_GAINED : k == 2 && changed == aa ? Kind.SYNONYMOUS : null;
                        if (kind != null) {
                            char ref = g.minus() ? complement(codon.charAt(k)) : codon.charAt(k);
                            char alt = g.minus() ? complement(b) : b;
                            out.add(key(pos + 1, ref, alt, kind));
                        }
                    }
                }
            }
        }
        return out;
    }

    private static String key(long position, char ref, char alt, Kind kind) {
        return position + ":" + ref + ">" + alt + ":" + kind;
    }

    private static CodingVariants.Draw draw(Path gff, int perKind, long seed) {
        Gff3Annotation a = Gff3Annotation.read(gff);
        return CodingVariants.draw(a.features("CDS"), a.sequences(), gff.toString(), perKind, seed);
    }

    @Test
    void drawingEverythingGivesExactlyTheCandidatesOfTheCodingStrings() throws IOException {
        Layout l = layout();
        Path gff = l.write(dir.resolve("g.gff3"));
        CodingVariants.Draw all = draw(gff, 1_000_000, 1);
        Set<String> want = truth(l);
        Set<String> got = new HashSet<>();
        byte[] genome = l.genome.toString().getBytes(StandardCharsets.US_ASCII);
        for (List<Drawn> kind : List.of(all.stopGained(), all.synonymous())) {
            for (Drawn d : kind) {
                assertTrue(got.add(key(d.position(), d.ref(), d.alt(), d.kind())), "drawn twice: " + d);
                assertEquals((char) genome[(int) d.position() - 1], d.ref(), "REF is the genome's base: " + d);
                char before = GeneticCode.translate(d.codon().getBytes(StandardCharsets.US_ASCII), 0);
                char after = GeneticCode.translate(d.mutated().getBytes(StandardCharsets.US_ASCII), 0);
                assertTrue(before != '*' && before != 'X', d.toString());
                if (d.kind() == Kind.STOP_GAINED) {
                    assertEquals('*', after, d.toString());
                } else {
                    assertEquals(before, after, d.toString());
                }
            }
        }
        assertEquals(want, got);
        assertEquals(want.size(), all.stopGained().size() + all.synonymous().size());
        assertEquals(all.census().stopGainedCandidates(), all.stopGained().size());
        assertEquals(all.census().synonymousCandidates(), all.synonymous().size());
        assertEquals(11, all.census().cdsFeatures(), "9 one-part CDS lines, 2 split in two");
        assertEquals(9, all.census().codingSequences(), "A, B, C, D, E, F, G and the two isoforms of H");
        assertEquals(0, all.census().skippedNoStrand() + all.census().skippedPhase() + all.census().skippedShort());

        // The pinned codons: geneA's TGG -> TAG, TGA; geneB's CAG (on '-') -> TAG, and CAA synonymous.
        Gene a = l.genes.get(0);
        Gene b = l.genes.get(1);
        assertTrue(got.contains(key(a.genomic()[4] + 1, 'G', 'A', Kind.STOP_GAINED)));
        assertTrue(got.contains(key(a.genomic()[5] + 1, 'G', 'A', Kind.STOP_GAINED)));
        assertTrue(got.contains(key(b.genomic()[3] + 1, 'G', 'A', Kind.STOP_GAINED)), "C>T on '-' is G>A");
        assertTrue(got.contains(key(b.genomic()[5] + 1, 'C', 'T', Kind.SYNONYMOUS)), "G>A on '-' is C>T");
        // Nothing in the overlap of F and G; something in both genes elsewhere.
        for (int pos : l.ambiguous) {
            assertTrue(got.stream().noneMatch(k -> k.startsWith((pos + 1) + ":")), "ambiguous position " + pos);
        }
        assertTrue(all.census().ambiguousPositions() > 0);
    }

    @Test
    void aSeededDrawIsASubsetThatTheSeedFixes() throws IOException {
        Layout l = layout();
        Path gff = l.write(dir.resolve("g.gff3"));
        Set<String> want = truth(l);
        CodingVariants.Draw one = draw(gff, 5, 7);
        CodingVariants.Draw again = draw(gff, 5, 7);
        CodingVariants.Draw other = draw(gff, 5, 8);
        assertEquals(5, one.stopGained().size());
        assertEquals(5, one.synonymous().size());
        assertEquals(one, again);
        assertNotEquals(one.synonymous(), other.synonymous());
        for (Drawn d : one.synonymous()) {
            assertTrue(want.contains(key(d.position(), d.ref(), d.alt(), d.kind())));
        }
        for (int i = 1; i < one.stopGained().size(); i++) {
            assertTrue(one.stopGained().get(i - 1).position() <= one.stopGained().get(i).position(), "sorted");
        }
    }

    @Test
    void badGroupsAreSkippedAndCountedAndAMissingContigIsAnError() throws IOException {
        Map<String, byte[]> genome = new LinkedHashMap<>();
        genome.put("chr", "ATGAAACCCGGGTTTAAACCCGGGTAA".repeat(2).getBytes(StandardCharsets.US_ASCII));
        String gff = "##gff-version 3\n"
                + "chr\tt\tCDS\t1\t12\t.\t+\t0\tID=x;Parent=m\n"
                + "chr\tt\tCDS\t16\t27\t.\t+\t2\tID=x;Parent=m\n"       // spliced length before is 12: phase must be 0
                + "chr\tt\tCDS\t28\t54\t.\t.\t0\tID=y\n"                // no strand
                + "chr\tt\tCDS\t28\t33\t.\t+\t0\tID=z\n";               // two codons only
        Path file = Files.writeString(dir.resolve("bad.gff3"), gff);
        Gff3Annotation a = Gff3Annotation.read(file);
        CodingVariants.Census c = CodingVariants.draw(a.features("CDS"), genome, "bad.gff3", 3, 1).census();
        assertEquals(1, c.skippedPhase());
        assertEquals(1, c.skippedNoStrand());
        assertEquals(1, c.skippedShort());
        assertEquals(0, c.codingSequences());

        Path other = Files.writeString(dir.resolve("other.gff3"), "##gff-version 3\nchrX\tt\tCDS\t1\t12\t.\t+\t0\tID=x\n");
        UserException e = assertThrows(UserException.class, () -> CodingVariants.draw(
                Gff3Annotation.read(other).features("CDS"), genome, "other.gff3", 3, 1));
        assertEquals("other.gff3: line 2: CDS on 'chrX', a sequence the FASTA does not have", e.getMessage());
    }
}
