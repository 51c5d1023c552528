package dev.chimera.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {

    /** A (2, 3, 4) tensor whose value at [i, j, k] is 100i + 10j + k. */
    private static Tensor counting() {
        float[] data = new float[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    data[i * 12 + j * 4 + k] = 100 * i + 10 * j + k;
                }
            }
        }
        return Tensor.of(data, 2, 3, 4);
    }

    private static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p),
                    "message should contain " + p + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ construction

    @Test
    void zerosHasShapeSizeAndZeros() {
        Tensor t = Tensor.zeros(2, 3, 4);
        assertEquals(3, t.rank());
        assertArrayEquals(new int[] {2, 3, 4}, t.shape());
        assertEquals(24, t.size());
        assertEquals(24, t.data().length);
        assertEquals(0, t.offset());
        assertEquals(12, t.rowSize());
        assertEquals("(2, 3, 4)", t.shapeString());
        for (int i = 0; i < 24; i++) {
            assertEquals(0f, t.at(i));
        }
        Tensor scalar = Tensor.zeros();
        assertEquals(0, scalar.rank());
        assertEquals(1, scalar.size());
        assertEquals("()", scalar.shapeString());
    }

    @Test
    void shapeIsDefensivelyCopied() {
        int[] shape = {2, 3};
        Tensor t = Tensor.zeros(shape);
        shape[0] = 99;
        assertArrayEquals(new int[] {2, 3}, t.shape());
        t.shape()[1] = 77;
        assertArrayEquals(new int[] {2, 3}, t.shape());
    }

    @Test
    void negativeOrOversizedShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(65536, 65536));
    }

    @Test
    void ofChecksTheSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(new float[5], 2, 3));
        assertMentions(e, "(2, 3)", "5");
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(6f, t.get(1, 2));
    }

    @Test
    void uniformIsSeededAndInRange() {
        Tensor a = Tensor.uniform(42, -2, 3, 1000);
        Tensor b = Tensor.uniform(42, -2, 3, 1000);
        Tensor c = Tensor.uniform(43, -2, 3, 1000);
        assertArrayEquals(a.toArray(), b.toArray());
        assertNotEquals(java.util.Arrays.toString(a.toArray()), java.util.Arrays.toString(c.toArray()));
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : a.toArray()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(min >= -2 && max <= 3, min + " .. " + max);
        assertTrue(min < -1.9 && max > 2.9, "1000 draws should come close to both ends: " + min + " .. " + max);
    }

    // ------------------------------------------------------------------ wrap

    @Test
    void wrapSharesTheArrayAtTheOffset() {
        float[] data = new float[10];
        for (int i = 0; i < 10; i++) {
            data[i] = i;
        }
        Tensor t = Tensor.wrap(data, 3, 2, 2);
        assertSame(data, t.data());
        assertEquals(3, t.offset());
        assertEquals(3f, t.get(0, 0));
        assertEquals(6f, t.get(1, 1));
        t.set(-1f, 1, 0);
        assertEquals(-1f, data[5]);
        assertArrayEquals(new float[] {3, 4, -1, 6}, t.toArray());
        // exactly fitting at the end is fine
        assertEquals(9f, Tensor.wrap(data, 6, 4).get(3));
        assertEquals(0, Tensor.wrap(data, 10, 0).size());
    }

    @Test
    void wrapWithAnOffsetThatDoesNotFitThrows() {
        float[] data = new float[10];
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.wrap(data, 7, 2, 2));
        assertMentions(e, "(2, 2)", "7", "10");
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.wrap(data, -1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.wrap(data, 0, 11));
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.wrap(data, 11, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.wrap(data, Integer.MAX_VALUE, 2));
    }

    // ------------------------------------------------------------------ get / set / at

    @Test
    void getAndSetUseRowMajorIndexing() {
        Tensor t = counting();
        assertEquals(0f, t.get(0, 0, 0));
        assertEquals(123f, t.get(1, 2, 3));
        assertEquals(112f, t.get(1, 1, 2));
        assertEquals(23f, t.get(0, 2, 3));
        t.set(-5f, 1, 0, 2);
        assertEquals(-5f, t.get(1, 0, 2));
        assertEquals(-5f, t.data()[12 + 2]);
        assertEquals(-5f, t.at(14));
    }

    @Test
    void indexOutOfBoundsIsRejected() {
        Tensor t = counting();
        assertMentions(assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0, 0)), "(2, 3, 4)");
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(0, 3, 0));
        // would be inside the backing array if the axes were not checked one by one
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(0, 0, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(0, -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.set(1f, 0, 0, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> t.at(24));
        assertThrows(IndexOutOfBoundsException.class, () -> t.at(-1));
        // wrong number of indices
        assertThrows(IllegalArgumentException.class, () -> t.get(0, 0));
        assertThrows(IllegalArgumentException.class, () -> t.get(0, 0, 0, 0));
    }

    @Test
    void viewsAreBoundedByTheirWindowNotTheArray() {
        Tensor t = counting();
        Tensor row = t.select(0); // (3, 4) at offset 0: values of the second block must not be reachable
        assertThrows(IndexOutOfBoundsException.class, () -> row.get(3, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> row.at(12));
        Tensor second = t.select(1);
        assertThrows(IndexOutOfBoundsException.class, () -> second.at(-1));
        assertEquals(100f, second.at(0));
    }

    // ------------------------------------------------------------------ view / slice / select

    @Test
    void viewReshapesWithoutCopying() {
        Tensor t = counting();
        Tensor v = t.view(6, 4);
        assertSame(t.data(), v.data());
        assertEquals(t.offset(), v.offset());
        assertEquals(112f, v.get(4, 2));
        v.set(7f, 0, 1);
        assertEquals(7f, t.get(0, 0, 1));
        assertEquals(24, t.view(24).size());
        assertEquals(123f, t.view(24).at(23));
    }

    @Test
    void viewSizeMismatchNamesBothShapes() {
        Tensor t = counting();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.view(5, 5));
        assertMentions(e, "(2, 3, 4)", "(5, 5)");
        assertThrows(IllegalArgumentException.class, () -> t.view(25));
        assertThrows(IllegalArgumentException.class, () -> t.view(2, 3));
    }

    @Test
    void sliceTakesRowsOfAxisZero() {
        Tensor t = counting().view(6, 4);
        Tensor s = t.slice(2, 5);
        assertArrayEquals(new int[] {3, 4}, s.shape());
        assertEquals(8, s.offset());
        assertEquals(20f, s.get(0, 0));
        assertEquals(103f, s.get(1, 3));
        assertEquals(113f, s.get(2, 3));
        assertEquals(0, t.slice(3, 3).size());
        assertEquals(24, t.slice(0, 6).size());
        // a slice of a slice composes offsets
        Tensor ss = s.slice(1, 3);
        assertEquals(12, ss.offset());
        assertEquals(100f, ss.get(0, 0));
        // and writes go through to the parent
        ss.set(-9f, 1, 1);
        assertEquals(-9f, t.get(4, 1));
    }

    @Test
    void sliceBoundsAreChecked() {
        Tensor t = counting();
        assertMentions(assertThrows(IndexOutOfBoundsException.class, () -> t.slice(0, 3)), "(2, 3, 4)");
        assertThrows(IndexOutOfBoundsException.class, () -> t.slice(-1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.slice(2, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.slice(3, 3));
        Tensor s = t.slice(1, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> s.slice(0, 2)); // the slice has one row only
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros().slice(0, 0)); // rank 0
    }

    @Test
    void selectDropsAxisZero() {
        Tensor t = counting();
        Tensor s = t.select(1);
        assertArrayEquals(new int[] {3, 4}, s.shape());
        assertEquals(12, s.offset());
        assertEquals(121f, s.get(2, 1));
        Tensor r = s.select(2);
        assertArrayEquals(new int[] {4}, r.shape());
        assertEquals(20, r.offset());
        assertEquals(123f, r.get(3));
        Tensor scalar = r.select(3);
        assertEquals(0, scalar.rank());
        assertEquals(123f, scalar.get());
        assertEquals(123f, scalar.at(0));
    }

    @Test
    void selectBoundsAreChecked() {
        Tensor t = counting();
        assertMentions(assertThrows(IndexOutOfBoundsException.class, () -> t.select(2)), "2", "(2, 3, 4)");
        assertThrows(IndexOutOfBoundsException.class, () -> t.select(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.select(1).select(3));
        assertThrows(IllegalArgumentException.class, () -> t.select(0).select(0).select(0).select(0)); // rank 0
    }

    // ------------------------------------------------------------------ copies

    @Test
    void copyIsIndependent() {
        Tensor t = counting();
        Tensor c = t.copy();
        assertNotSame(t.data(), c.data());
        assertArrayEquals(t.toArray(), c.toArray());
        c.set(-1f, 0, 0, 0);
        assertEquals(0f, t.get(0, 0, 0));
        t.set(-2f, 1, 2, 3);
        assertEquals(123f, c.get(1, 2, 3));
    }

    @Test
    void copyOfAViewHoldsOnlyTheWindow() {
        Tensor s = counting().select(1);
        Tensor c = s.copy();
        assertEquals(0, c.offset());
        assertEquals(12, c.data().length);
        assertArrayEquals(new int[] {3, 4}, c.shape());
        assertEquals(100f, c.at(0));
        assertEquals(123f, c.at(11));
        float[] arr = s.toArray();
        assertEquals(12, arr.length);
        arr[0] = 55f;
        assertEquals(100f, s.at(0)); // toArray is a copy too
    }

    @Test
    void copyFromAndFillStayInsideTheWindow() {
        Tensor t = counting();
        Tensor mid = t.view(6, 4).slice(2, 4);
        mid.fill(7f);
        assertEquals(13f, t.get(0, 1, 3)); // just before
        assertEquals(7f, t.get(0, 2, 0));
        assertEquals(7f, t.get(1, 0, 3));
        assertEquals(110f, t.get(1, 1, 0)); // just after
        Tensor src = Tensor.uniform(1, -1, 1, 2, 4);
        mid.copyFrom(src);
        assertArrayEquals(src.toArray(), mid.toArray());
        assertEquals(13f, t.get(0, 1, 3));
        assertEquals(110f, t.get(1, 1, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mid.copyFrom(Tensor.zeros(4, 2)));
        assertMentions(e, "(2, 4)", "(4, 2)");
    }

    @Test
    void requireHelpersNameTheShapes() {
        Tensor t = Tensor.zeros(2, 3);
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> t.requireSameShape("op", Tensor.zeros(3, 2))), "op", "(2, 3)", "(3, 2)");
        t.requireSameShape("op", Tensor.zeros(2, 3));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> t.requireRank(3, "weights")),
                "weights", "3", "(2, 3)");
        t.requireRank(2, "weights");
        assertEquals("Tensor(2, 3)", t.toString());
    }
}
