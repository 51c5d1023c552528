package dev.chimera.genomics.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The central crop the methods over a model read: the first of two middles when the excess is odd. */
class ExampleTest {
    @Test
    void centralCropKeepsTheMiddleBasesAndTheRest() {
        Example e = new Example("r", "f.fa: record 1 'r'", new byte[] {0, 1, 2, 3, 0, 1, 2, 3, 0, 1}, 1);
        assertArrayEquals(new byte[] {2, 3, 0, 1, 2}, e.centralCrop(5).tokens(), "excess 5: from base 2");
        assertArrayEquals(new byte[] {3, 0, 1, 2}, e.centralCrop(4).tokens(), "excess 6: from base 3");
        Example c = e.centralCrop(9);
        assertArrayEquals(new byte[] {0, 1, 2, 3, 0, 1, 2, 3, 0}, c.tokens(), "excess 1: from base 0");
        assertEquals("r", c.id());
        assertEquals(e.where(), c.where());
        assertEquals(1, c.label());
        assertSame(e, e.centralCrop(10));
        assertSame(e, e.centralCrop(1023));
    }
}
