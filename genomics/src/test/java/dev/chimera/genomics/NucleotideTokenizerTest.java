package dev.chimera.genomics;

import dev.chimera.core.model.ModelConfig;
import dev.chimera.genomics.NucleotideTokenizer.OnInvalid;
import dev.chimera.runtime.UserException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NucleotideTokenizerTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static SequenceRecord record(String bases) {
        return new SequenceRecord("in.fa", 1, 0, "chr2", "", ascii(bases));
    }

    @Test
    void complementLettersInEitherCaseWithUAsT() {
        byte[] in = "ACGTacgtUuNnX-".getBytes(StandardCharsets.US_ASCII);
        StringBuilder out = new StringBuilder();
        for (byte b : in) {
            out.append((char) NucleotideTokenizer.complementLetter(b));
        }
        assertEquals("TGCATGCAAANNNN", out.toString());
    }

    @Test
    void vocabularyFitsTheSmallPreset() {
        assertEquals(9, NucleotideTokenizer.VOCAB_SIZE);
        assertTrue(NucleotideTokenizer.VOCAB_SIZE <= ModelConfig.small().tokenVocab());
        String[] names = {"A", "C", "G", "T", "N", "PAD", "BOS", "SEP", "MASK"};
        for (int t = 0; t < names.length; t++) {
            assertEquals(names[t], NucleotideTokenizer.name(t));
        }
        assertThrows(IllegalArgumentException.class, () -> NucleotideTokenizer.name(9));
    }

    @Test
    void basesCaseUAndIupacCodes() {
        NucleotideTokenizer tok = new NucleotideTokenizer();
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 3, 3},
                tok.encode(record("ACGTNacgtnUu")));
        byte[] iupac = tok.encode(record("RYSWKMBDHVryswkmbdhv"));
        for (byte b : iupac) {
            assertEquals(NucleotideTokenizer.N, b);
        }
        assertEquals(0, tok.invalidCount());
    }

    @Test
    void invalidCharacterFailsWithFileRecordAndPosition() {
        NucleotideTokenizer tok = new NucleotideTokenizer(OnInvalid.ERROR);
        UserException e = assertThrows(UserException.class, () -> tok.encode(record("ACGT-ACG")));
        assertTrue(e.getMessage().startsWith("in.fa: record 2 'chr2': invalid character '-' at position 5 "), e.getMessage());
        e = assertThrows(UserException.class, () -> tok.encode(record("AC\0")));
        assertTrue(e.getMessage().contains("byte 0x00 at position 3"), e.getMessage());
        e = assertThrows(UserException.class, () -> tok.encode(record("AC GT")));
        assertTrue(e.getMessage().contains("byte 0x20 at position 3"), e.getMessage());
    }

    @Test
    void maskAndSkipPoliciesCountWhatTheyChange() {
        NucleotideTokenizer mask = new NucleotideTokenizer(OnInvalid.MASK);
        assertArrayEquals(new byte[] {0, 4, 1, 4, 4}, mask.encode(record("A-C.*")));
        assertEquals(3, mask.invalidCount());
        NucleotideTokenizer skip = new NucleotideTokenizer(OnInvalid.SKIP);
        assertArrayEquals(new byte[] {0, 1, 4}, skip.encode(record("A-C.*N")));
        assertEquals(3, skip.invalidCount());
        assertArrayEquals(new byte[0], skip.encode(record("---")));
        assertEquals(OnInvalid.MASK, OnInvalid.parse("Mask"));
        assertThrows(IllegalArgumentException.class, () -> OnInvalid.parse("drop"));
    }

    @Test
    void reverseComplement() {
        NucleotideTokenizer tok = new NucleotideTokenizer();
        byte[] fwd = tok.encode(record("AACGTNG"));
        assertArrayEquals(tok.encode(record("CNACGTT")), NucleotideTokenizer.reverseComplement(fwd));
        assertArrayEquals(fwd, NucleotideTokenizer.reverseComplement(NucleotideTokenizer.reverseComplement(fwd)));
        assertArrayEquals(new byte[0], NucleotideTokenizer.reverseComplement(new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> NucleotideTokenizer.reverseComplement(new byte[] {0, NucleotideTokenizer.BOS}));
    }

    @Test
    void lettersAndInts() {
        byte[] t = {0, 1, 2, 3, 4};
        assertArrayEquals(ascii("CGT"), NucleotideTokenizer.letters(t, 1, 4));
        assertArrayEquals(new int[] {3, 4}, NucleotideTokenizer.toInts(t, 3, 5));
        assertThrows(IllegalArgumentException.class, () -> NucleotideTokenizer.letters(new byte[] {NucleotideTokenizer.PAD}, 0, 1));
    }
}
