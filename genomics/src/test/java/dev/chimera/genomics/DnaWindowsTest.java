package dev.chimera.genomics;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.train.Batch;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class DnaWindowsTest {
    @TempDir
    Path dir;

    private static String random(Random rnd, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append("ACGT".charAt(rnd.nextInt(4)));
        }
        return sb.toString();
    }

    private TrainEvalSplit split(double fraction, String... records) throws IOException {
        StringBuilder fasta = new StringBuilder();
        for (int i = 0; i < records.length; i++) {
            fasta.append(">r").append(i + 1).append('\n').append(records[i]).append('\n');
        }
        Path file = Files.writeString(dir.resolve("x.fa"), fasta);
        return TrainEvalSplit.holdout(file, new Holdout(fraction), new NucleotideTokenizer());
    }

    private static String letters(int[] ids, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append("ACGTN".charAt(ids[i]));
        }
        return sb.toString();
    }

    private static String reverseComplement(String s) {
        byte[] t = new NucleotideTokenizer().encode(s.getBytes(StandardCharsets.US_ASCII), "s");
        byte[] rc = NucleotideTokenizer.reverseComplement(t);
        return new String(NucleotideTokenizer.letters(rc, 0, rc.length), StandardCharsets.US_ASCII);
    }

    @Test
    void rowsAreBosThenBasesWithTargetsShiftedByOne() throws IOException {
        TrainEvalSplit data = split(0.2, random(new Random(1), 5_000));
        int t = 64;
        Batch b = DnaWindows.training(data, t, 3, 7).batch(0);
        int[] in = b.inputs().tokens();
        int[] target = b.targets().tokens();
        assertEquals(3, b.inputs().batch());
        assertEquals(t, b.inputs().seqlen());
        for (int row = 0; row < 3; row++) {
            int o = row * t;
            assertEquals(NucleotideTokenizer.BOS, in[o]);
            for (int i = 0; i + 1 < t; i++) {
                assertEquals(target[o + i], in[o + i + 1], "row " + row + " position " + i);
                assertTrue(target[o + i] >= 0 && target[o + i] <= 3);
            }
            assertTrue(target[o + t - 1] >= 0 && target[o + t - 1] <= 3, "the last position predicts the T-th base");
        }
        assertEquals(3L * t, b.lossPositions());
    }

    /** Every training window, read forward or reverse-complemented back, lies inside one record's train prefix. */
    @Test
    void trainingWindowsComeOnlyFromTrainPrefixesAndHalfAreReverseComplemented() throws IOException {
        Random rnd = new Random(2);
        String r1 = random(rnd, 3_000);
        String r2 = random(rnd, 1_000);
        TrainEvalSplit data = split(0.25, r1, r2);
        String train1 = r1.substring(0, 2_250);
        String train2 = r2.substring(0, 750);
        int t = 40;
        DnaWindows source = DnaWindows.training(data, t, 8, 11);
        int forward = 0;
        int reversed = 0;
        int fromSecond = 0;
        for (long i = 0; i < 100; i++) {
            int[] target = source.batch(i).targets().tokens();
            for (int row = 0; row < 8; row++) {
                String w = letters(target, row * t, row * t + t);
                boolean f = train1.contains(w) || train2.contains(w);
                boolean r = train1.contains(reverseComplement(w)) || train2.contains(reverseComplement(w));
                assertTrue(f || r, "window " + w + " is not inside a train prefix, forward or reverse-complemented");
                forward += f ? 1 : 0;
                reversed += r ? 1 : 0;
                fromSecond += train2.contains(w) || train2.contains(reverseComplement(w)) ? 1 : 0;
            }
        }
        // 800 windows, each strand with probability 1/2: 400 +- 3 sigma (42).
        assertTrue(forward > 358 && forward < 442, "forward windows " + forward);
        assertEquals(800, forward + reversed);
        // Record 2 holds 711 of the 711 + 2211 window starts: 195 expected, sigma 12.
        assertTrue(fromSecond > 150 && fromSecond < 240, "windows from the second record " + fromSecond);
    }

    /**
     * A tagged record's rows are BOS, TAG, then T-2 bases: BOS's position has no target, the tag's
     * predicts the first base, and the T-1 targets are consecutive bases of the train prefix (either
     * strand); an untagged record of the same split keeps BOS + T-1 bases.
     */
    @Test
    void taggedRowsAreBosTagThenBasesAndTheTagIsNeverATarget() throws IOException {
        Random rnd = new Random(6);
        String tagged = random(rnd, 2_000);
        String plain = random(rnd, 2_000);
        TrainEvalSplit a = TrainEvalSplit.holdout(Files.writeString(dir.resolve("a.fa"), ">a\n" + tagged + "\n"),
                new Holdout(0.1), new NucleotideTokenizer(), "x", 10);
        TrainEvalSplit b = split(0.1, plain);
        TrainEvalSplit data = TrainEvalSplit.concat(java.util.List.of(a, b));
        assertEquals(10, data.parts().get(0).tag());
        assertEquals(TrainEvalSplit.NO_TAG, data.parts().get(1).tag());
        int t = 24;
        int rows = 8;
        int taggedRows = 0;
        for (long i = 0; i < 10; i++) {
            Batch batch = DnaWindows.training(data, t, rows, 3).batch(i);
            int[] in = batch.inputs().tokens();
            int[] target = batch.targets().tokens();
            int lossPositions = 0;
            for (int row = 0; row < rows; row++) {
                int o = row * t;
                assertEquals(NucleotideTokenizer.BOS, in[o]);
                boolean isTagged = in[o + 1] == 10;
                int lead = isTagged ? 2 : 1;
                if (isTagged) {
                    assertEquals(Backend.IGNORE_TARGET, target[o]);
                    taggedRows++;
                }
                for (int p = lead - 1; p + 1 < t; p++) {
                    assertEquals(target[o + p], in[o + p + 1], "row " + row + " position " + p);
                }
                String w = letters(target, o + lead - 1, o + t);
                String source = isTagged ? tagged.substring(0, 1_800) : plain.substring(0, 1_800);
                assertTrue(source.contains(w) || source.contains(reverseComplement(w)), w);
                lossPositions += t - lead + 1;
            }
            assertEquals(lossPositions, batch.lossPositions());
        }
        // Two records of equal size: 40 +- 3 sigma (13) of 80 rows tagged.
        assertTrue(taggedRows > 27 && taggedRows < 53, "tagged rows " + taggedRows);
        assertTrue(DnaWindows.training(data, t, rows, 3).describe().contains("of 24 positions (BOS, tag + 22 bases in, "
                + "23 predicted)"));
    }

    @Test
    void heldOutWindowsComeOnlyFromTheHeldOutSuffixAsTheyAre() throws IOException {
        String r = random(new Random(3), 2_000);
        TrainEvalSplit data = split(0.3, r);
        String held = r.substring(1_400);
        int t = 50;
        DnaWindows source = DnaWindows.heldOut(data, t, 4, 5);
        for (long i = 0; i < 20; i++) {
            int[] target = source.batch(i).targets().tokens();
            for (int row = 0; row < 4; row++) {
                assertTrue(held.contains(letters(target, row * t, row * t + t)));
            }
        }
    }

    @Test
    void batchesArePureFunctionsOfTheIndex() throws IOException {
        TrainEvalSplit data = split(0.1, random(new Random(4), 4_000));
        DnaWindows a = DnaWindows.training(data, 32, 4, 9);
        DnaWindows b = DnaWindows.training(data, 32, 4, 9);
        Batch a7 = a.batch(7);
        a.batch(3);
        assertArrayEquals(a7.inputs().tokens(), b.batch(7).inputs().tokens());
        assertArrayEquals(a7.targets().tokens(), a.batch(7).targets().tokens());
        assertFalse(java.util.Arrays.equals(a7.inputs().tokens(), a.batch(8).inputs().tokens()));
        assertFalse(java.util.Arrays.equals(a7.inputs().tokens(),
                DnaWindows.training(data, 32, 4, 10).batch(7).inputs().tokens()));
    }

    @Test
    void shortPartsArePaddedAndNIsNeverATarget() throws IOException {
        // A train prefix of 8 bases (one window start), shorter than T = 16.
        TrainEvalSplit data = split(0.2, "ACNTGGCA" + "TT");
        DnaWindows source = DnaWindows.training(data, 16, 1, 3);
        boolean[] seen = new boolean[2];
        for (long index = 0; index < 12; index++) {
            Batch b = source.batch(index);
            int[] in = b.inputs().tokens();
            int[] target = b.targets().tokens();
            boolean flipped = in[1] == NucleotideTokenizer.T;
            seen[flipped ? 1 : 0] = true;
            String expected = flipped ? reverseComplement("ACNTGGCA") : "ACNTGGCA";
            assertEquals(NucleotideTokenizer.BOS, in[0]);
            assertEquals(expected.substring(0, 7), letters(in, 1, 8));
            for (int i = 0; i < 8; i++) {
                char c = expected.charAt(i);
                assertEquals(c == 'N' ? Backend.IGNORE_TARGET : "ACGT".indexOf(c), target[i], "position " + i);
            }
            for (int i = 8; i < 16; i++) {
                assertEquals(Backend.IGNORE_TARGET, target[i]);
                assertEquals(NucleotideTokenizer.PAD, in[i]);
            }
            assertEquals(7, b.lossPositions());
        }
        assertTrue(seen[0] && seen[1], "both strands in 12 draws");
    }

    /** Reversed and complemented letter by letter here, not through the tokenizer's own complement. */
    private static String complementReversed(String bases) {
        StringBuilder sb = new StringBuilder(bases.length());
        for (int i = bases.length() - 1; i >= 0; i--) {
            sb.append("TGCA".charAt("ACGT".indexOf(bases.charAt(i))));
        }
        return sb.toString();
    }

    /**
     * A window of odd length has a middle base that the in-place reverse complement swaps with
     * itself: it must still be complemented. The record is the whole window (nothing held out,
     * T = length + 1), so each row is the record read forward or its reverse complement, and an
     * odd-length DNA string is never its own reverse complement, so the two are told apart.
     */
    @ParameterizedTest(name = "{0} bases")
    @ValueSource(ints = {1, 3, 7, 1023})
    void oddLengthWindowsAreReverseComplementedWhole(int length) throws IOException {
        String record = random(new Random(length), length);
        String reversed = complementReversed(record);
        int t = length + 1;
        int rows = 16;
        DnaWindows source = DnaWindows.training(split(0.0, record), t, rows, 13);
        int forward = 0;
        int flipped = 0;
        for (long i = 0; i < 4; i++) {
            int[] target = source.batch(i).targets().tokens();
            for (int row = 0; row < rows; row++) {
                String w = letters(target, row * t, row * t + length);
                if (w.equals(record)) {
                    forward++;
                } else if (w.equals(reversed)) {
                    flipped++;
                } else {
                    int at = 0;
                    while (w.charAt(at) == reversed.charAt(at)) {
                        at++;
                    }
                    fail("batch " + i + ", row " + row + " is neither the record nor its reverse complement: base " + at
                            + " of " + length + " is " + w.charAt(at) + ", the reverse complement has "
                            + reversed.charAt(at));
                }
                assertEquals(Backend.IGNORE_TARGET, target[row * t + length], "the padding after the window");
            }
        }
        // 64 rows, each strand with probability 1/2: 32 +- 3 sigma (12).
        assertTrue(flipped > 20 && flipped < 44, "reverse-complemented rows " + flipped + " of 64");
        assertEquals(64, forward + flipped);
    }

    @Test
    void refusesASplitWithoutBasesOnTheRequestedSide() throws IOException {
        TrainEvalSplit data = split(0.01, "ACGTACGTAC");  // round(0.1) = 0 held out
        UserException e = assertThrows(UserException.class, () -> DnaWindows.heldOut(data, 8, 1, 1));
        assertTrue(e.getMessage().contains("no held-out bases"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DnaWindows.training(data, 1, 1, 1));
    }
}
