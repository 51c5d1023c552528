package dev.chimera.robotics.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** 256 uniform bins over [-1, 1], clipped, decoded to centres. */
class BinningTokenizerTest {

    @Test
    void binsClipAndDecodeToCentres() {
        assertEquals(0, BinningTokenizer.bin(-1.0));
        assertEquals(0, BinningTokenizer.bin(-7.0));
        assertEquals(255, BinningTokenizer.bin(1.0));
        assertEquals(255, BinningTokenizer.bin(3.0));
        assertEquals(128, BinningTokenizer.bin(0.0));
        assertEquals(127, BinningTokenizer.bin(-1e-9));
        assertEquals(-1.0 + 1.0 / 256, BinningTokenizer.centre(0), 1e-15);
        assertEquals(1.0 - 1.0 / 256, BinningTokenizer.centre(255), 1e-15);
    }

    @Test
    void roundTripErrorIsAtMostHalfABin() {
        BinningTokenizer b = new BinningTokenizer(3, 2);
        double[] chunk = {-0.99, 0.5, 0.123, -0.456, 0.999, 0.0}; // (3, 2)
        int[] tokens = new int[b.maxTokens()];
        assertEquals(6, b.encode(chunk, null, null, tokens));
        double[] out = new double[6];
        b.decode(tokens, 6, null, null, out);
        for (int i = 0; i < 6; i++) {
            assertEquals(chunk[i], out[i], 1.0 / 256 + 1e-15, "half a bin of width 2/256");
        }
        assertArrayEquals(new int[] {1, 192, 143, 69, 255, 128}, tokens);
    }
}
