package dev.chimera.genomics.vep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.HeldOutScore;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.TinyDnaModel;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Variant windows and scores with a tiny trained model: the windows against ones the test cuts
 * itself, the LLR against direct scoring of those sequences, strand symmetry, multi-allelic records
 * and indels, and the errors that name the record.
 */
class VariantScorerTest {
    private static final int W = 41;
    private static ComputePool pool;
    private static Decoder decoder;
    private static final String GENOME = TinyDnaModel.dna(21, 300);

    @BeforeAll
    static void model() throws IOException {
        pool = new ComputePool(2);
        DnaModel m = DnaModel.open(VepTestModel.path());
        decoder = m.decoder(VepTestModel.CONTEXT, new VectorBackend(pool));
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    private static Reference reference(String contig, String bases) {
        return new InMemoryReference(Map.of(contig, bases.getBytes(StandardCharsets.US_ASCII)));
    }

    private static VariantSite site(long pos, String ref, String... alts) {
        return new VariantSite("chr", pos, ref, List.of(alts), "in.vcf: line 9 (chr:" + pos + ")");
    }

    private static byte[] tokens(String bases) {
        return new NucleotideTokenizer().encode(bases.getBytes(StandardCharsets.US_ASCII), "test");
    }

    private static String letters(byte[] tokens) {
        return new String(NucleotideTokenizer.letters(tokens, 0, tokens.length), StandardCharsets.US_ASCII);
    }

    static String reverseComplement(String s) {
        return CodingVariantsTest.reverseComplement(s);
    }

    /** ln P of a whole sequence through the recurrent path: prefill of BOS + bases, softmax over A/C/G/T. */
    private static double directLogP(String bases) {
        byte[] t = tokens(bases);
        int n = t.length;
        int[] ids = new int[n];
        ids[0] = NucleotideTokenizer.BOS;
        for (int i = 1; i < n; i++) {
            ids[i] = t[i - 1];
        }
        Tensor hidden = decoder.prefill(decoder.newState(), Inputs.tokens(ids, 1, n));
        Tensor logits = Tensor.zeros(n, decoder.config().tokenVocab());
        decoder.headOutput(logits, hidden);
        double logP = 0;
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int v = 0; v < 4; v++) {
                sum += Math.exp(logits.get(i, v));
            }
            logP += logits.get(i, t[i]) - Math.log(sum);
        }
        return logP;
    }

    /** ln P of a sequence by a HeldOutScore call of its own (one region, one row). */
    private static double heldOutLogP(String bases) {
        byte[] t = tokens(bases);
        return -new HeldOutScore(decoder, W, 1).score(List.of(new HeldOutScore.Region(t, 0, t.length)), null).get(0)
                .nats();
    }

    /** The strand-averaged LLR of ALT window {@code alt} against {@code ref}, by the given ln P. */
    private static double llr(String ref, String alt, java.util.function.ToDoubleFunction<String> logP) {
        double forward = logP.applyAsDouble(alt) - logP.applyAsDouble(ref);
        double reverse = logP.applyAsDouble(reverseComplement(alt)) - logP.applyAsDouble(reverseComplement(ref));
        return (forward + reverse) / 2;
    }

    private static double[] score(Reference r, VariantSite s) {
        return new VariantScorer(decoder, W, 3).score(List.of(AlleleWindows.of(r, s, W))).get(0);
    }

    @Test
    void windowsAreTheAllelesBetweenTheSameFlanks() {
        Reference r = reference("chr", GENOME);
        // SNV at 150 (0-based 149): F = (41 - 1) / 2 = 20 on each side.
        AlleleWindows snv = AlleleWindows.of(r, site(150, GENOME.substring(149, 150), "A", "G"), W);
        assertEquals(GENOME.substring(129, 170), letters(snv.ref()));
        assertEquals(GENOME.substring(129, 149) + "A" + GENOME.substring(150, 170), letters(snv.alt(0)));
        // Deletion of 3 bases after the anchor at 100: m = 4, F = 18; the ALT window is 3 shorter.
        String del = GENOME.substring(99, 103);
        AlleleWindows d = AlleleWindows.of(r, site(100, del, del.substring(0, 1)), W);
        assertEquals(GENOME.substring(81, 121), letters(d.ref()));
        assertEquals(GENOME.substring(81, 100) + GENOME.substring(103, 121), letters(d.alt(0)));
        // Insertion of 5 bases: m = 6, F = 17.
        AlleleWindows ins = AlleleWindows.of(r, site(200, GENOME.substring(199, 200), GENOME.charAt(199) + "TTTTT"), W);
        assertEquals(GENOME.substring(182, 217), letters(ins.ref()));
        assertEquals(GENOME.substring(182, 200) + "TTTTT" + GENOME.substring(200, 217), letters(ins.alt(0)));
        // Near the contig's start only 2 bases precede the variant; near its end only 1 follows.
        assertEquals(GENOME.substring(0, 23), letters(AlleleWindows.of(r, site(3, GENOME.substring(2, 3), "T"), W).ref()));
        assertEquals(GENOME.substring(278, 300), letters(AlleleWindows.of(r, site(299, GENOME.substring(298, 299), "T"),
                W).ref()));
    }

    @Test
    void theLlrIsTheDifferenceOfScoringTheTwoSequencesDirectly() {
        Reference r = reference("chr", GENOME);
        String refWindow = GENOME.substring(129, 170);
        char other = GENOME.charAt(149) == 'A' ? 'C' : 'A';
        String altWindow = GENOME.substring(129, 149) + other + GENOME.substring(150, 170);
        double got = score(r, site(150, GENOME.substring(149, 150), String.valueOf(other)))[0];
        // The same HeldOutScore, one sequence per call instead of three rows a pass: the matrix products block
        // the rows differently, float rounding of ~1e-7.
        assertEquals(llr(refWindow, altWindow, VariantScorerTest::heldOutLogP), got, 1e-6);
        // The recurrent inference path (prefill), an independent computation: float forward passes, 1e-4.
        assertEquals(llr(refWindow, altWindow, VariantScorerTest::directLogP), got, 1e-4);
        assertTrue(Math.abs(got) > 1e-3, "the variant changes the score: " + got);

        // A deletion: windows of 40 and 37 bases sharing their flanks.
        String del = GENOME.substring(99, 103);
        double gotDel = score(r, site(100, del, del.substring(0, 1)))[0];
        assertEquals(llr(GENOME.substring(81, 121), GENOME.substring(81, 100) + GENOME.substring(103, 121),
                VariantScorerTest::directLogP), gotDel, 1e-4);
    }

    @Test
    void aVariantAndItsReverseComplementRepresentationScoreTheSame() {
        Reference forward = reference("chr", GENOME);
        Reference reverse = reference("chr", reverseComplement(GENOME));
        int n = GENOME.length();
        double[] lopsided = new double[3];
        int i = 0;
        // SNV, deletion, insertion: on the reverse strand the REF starts at n - (pos + |REF| - 1) + 1.
        for (String[] v : new String[][] {{"150", "1", "T"}, {"100", "4", "-"}, {"200", "1", "+GGATC"}}) {
            int pos = Integer.parseInt(v[0]);
            String ref = GENOME.substring(pos - 1, pos - 1 + Integer.parseInt(v[1]));
            String alt = v[2].equals("-") ? ref.substring(0, 1) : v[2].startsWith("+") ? ref + v[2].substring(1)
                    : ref.equals(v[2]) ? "A" : v[2];
            double a = score(forward, site(pos, ref, alt))[0];
            int rcPos = n - (pos + ref.length() - 1) + 1;
            double b = score(reverse, site(rcPos, reverseComplement(ref), reverseComplement(alt)))[0];
            assertEquals(a, b, 1e-6, "variant " + String.join(" ", v));
            // One strand alone is not symmetric: the test would catch a scorer that dropped the average.
            AlleleWindows w = AlleleWindows.of(forward, site(pos, ref, alt), W);
            lopsided[i++] = directLogP(letters(w.alt(0))) - directLogP(letters(w.ref())) - a;
        }
        assertTrue(Math.abs(lopsided[0]) + Math.abs(lopsided[1]) + Math.abs(lopsided[2]) > 1e-3);
    }

    @Test
    void aMultiAllelicRecordGetsOneValuePerAltEachAsIfAlone() {
        Reference r = reference("chr", GENOME);
        String ref = GENOME.substring(119, 122);
        String snvLike = (ref.charAt(0) == 'T' ? "C" : "T") + ref.substring(1);
        String tooLong = ref + "A".repeat(60);
        double[] got = score(r, site(120, ref, ref.substring(0, 1), snvLike, "<DEL>", tooLong, "*", ref + "N"));
        assertEquals(6, got.length);
        // REF is the longest scored allele either way, so each ALT's windows are those it has alone.
        // (batched with other windows: float rounding of ~1e-7)
        assertEquals(score(r, site(120, ref, ref.substring(0, 1)))[0], got[0], 1e-6);
        assertEquals(score(r, site(120, ref, snvLike))[0], got[1], 1e-6);
        for (int a = 2; a < 6; a++) {
            assertTrue(Double.isNaN(got[a]), "ALT " + a);
        }
        AlleleWindows w = AlleleWindows.of(r, site(120, ref, ref.substring(0, 1), snvLike, "<DEL>", tooLong, "*",
                ref + "N"), W);
        assertEquals(2, w.scoredAlts());
        assertEquals(6, VariantScorer.windows(w));
        assertNull(w.unscored(0));
        assertEquals(AlleleWindows.Unscored.SYMBOLIC, w.unscored(2));
        assertEquals(AlleleWindows.Unscored.TOO_LONG, w.unscored(3));
        assertEquals(AlleleWindows.Unscored.SYMBOLIC, w.unscored(4));
        assertEquals(AlleleWindows.Unscored.NOT_ACGT, w.unscored(5));
        // Nothing scored: no windows at all, and NaN.
        AlleleWindows none = AlleleWindows.of(r, site(120, ref, "<INS>"), W);
        assertNull(none.ref());
        assertArrayEquals(new double[] {Double.NaN}, score(r, site(120, ref, "<INS>")));
    }

    @Test
    void aSiteThatDisagreesWithTheReferenceIsAnErrorNamingIt() {
        Reference r = reference("chr", GENOME);
        String where = "in.vcf: line 9 (chr:";
        assertEquals("in.vcf: line 9 (chrZ:5): contig 'chrZ' is not in the reference",
                assertThrows(UserException.class, () -> AlleleWindows.of(r,
                        new VariantSite("chrZ", 5, "A", List.of("C"), "in.vcf: line 9 (chrZ:5)"), W)).getMessage());
        assertEquals(where + "301): REF A at chr:301 lies outside the reference's chr (1-300)",
                assertThrows(UserException.class, () -> AlleleWindows.of(r, site(301, "A", "C"), W)).getMessage());
        String tail = GENOME.substring(298);
        assertEquals(where + "299): REF " + tail + "A at chr:299-301 lies outside the reference's chr (1-300)",
                assertThrows(UserException.class, () -> AlleleWindows.of(r, site(299, tail + "A", "C"), W))
                        .getMessage());
        String wrong = GENOME.charAt(49) == 'A' ? "C" : "A";
        assertEquals(where + "50): REF " + wrong + " does not match the reference, which has " + GENOME.charAt(49)
                + " at chr:50", assertThrows(UserException.class, () -> AlleleWindows.of(r, site(50, wrong, "G"), W))
                .getMessage());
        // Case does not matter.
        assertEquals(1, AlleleWindows.of(r, site(50, GENOME.substring(49, 50).toLowerCase(), "g"), W).scoredAlts());
    }
}
