package dev.chimera.genomics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HoldoutTest {

    @Test
    void theLastRoundedFractionIsHeldOut() {
        Holdout h = new Holdout(0.1);
        assertEquals(463_968, h.evalLength(4_639_675)); // 463,967.5 rounds up
        assertEquals(4_175_707, h.trainEnd(4_639_675));
        assertEquals(1, h.evalLength(10));
        assertEquals(0, h.evalLength(4)); // 0.4 rounds to 0: a short record stays in training
        assertEquals(0, h.evalLength(0));
        assertEquals(0, new Holdout(0).evalLength(1000));
        assertEquals(999, new Holdout(0.999).evalLength(1000));
    }

    @Test
    void trainAndEvalPartitionTheRecord() {
        byte[] tokens = {0, 1, 2, 3, 0, 1, 2};
        Holdout h = new Holdout(0.3);
        assertArrayEquals(new byte[] {0, 1, 2, 3, 0}, h.train(tokens));
        assertArrayEquals(new byte[] {1, 2}, h.eval(tokens));
        for (int len = 0; len < 200; len++) {
            assertEquals(len, h.trainEnd(len) + h.evalLength(len));
        }
    }

    @Test
    void fractionOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Holdout(1));
        assertThrows(IllegalArgumentException.class, () -> new Holdout(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new Holdout(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Holdout(0.5).evalLength(-1));
    }
}
