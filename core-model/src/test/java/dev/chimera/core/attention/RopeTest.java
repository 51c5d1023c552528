package dev.chimera.core.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rotary embeddings: the formula, invertibility, relative-position property and decode offsets;
 * every test with the vector rotation loop and again with the scalar one.
 */
@ParameterizedClass(name = "vector={0}")
@ValueSource(booleans = {true, false})
class RopeTest {
    private final boolean vector;

    RopeTest(boolean vector) {
        this.vector = vector;
    }

    /** headDim 2 (no vector loop), 34 (half 17: vector body and scalar tail), 64. */
    @ParameterizedTest(name = "headDim {0}")
    @ValueSource(ints = {2, 34, 64})
    void matchesTheRotationFormula(int headDim) {
        int batch = 2;
        int T = 9;
        int heads = 3;
        int start = 5;
        double base = 500;
        Rope rope = new Rope(headDim, 20, base, vector);
        Tensor x = Tensor.uniform(headDim, -1, 1, batch, T, heads, headDim);
        Tensor y = x.copy();
        rope.forward(y, start);
        int half = headDim / 2;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < T; t++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < half; i++) {
                        double angle = (start + t) * Math.pow(base, -2.0 * i / headDim);
                        double x1 = x.get(b, t, h, i);
                        double x2 = x.get(b, t, h, i + half);
                        // float table entries and float products: ~2 ulp of values <= 1.5.
                        double tol = 1e-6;
                        assertEquals(x1 * Math.cos(angle) - x2 * Math.sin(angle), y.get(b, t, h, i), tol);
                        assertEquals(x2 * Math.cos(angle) + x1 * Math.sin(angle), y.get(b, t, h, i + half), tol);
                    }
                }
            }
        }
    }

    @Test
    void backwardUndoesForwardAndIsItsAdjoint() {
        Rope rope = new Rope(34, 300, 10_000, vector);
        Tensor x = Tensor.uniform(1, -1, 1, 2, 100, 4, 34);
        Tensor g = Tensor.uniform(2, -1, 1, 2, 100, 4, 34);
        Tensor y = x.copy();
        rope.forward(y, 200);
        Tensor back = y.copy();
        rope.backward(back, 200);
        float[] xs = x.toArray();
        float[] bs = back.toArray();
        for (int i = 0; i < xs.length; i++) {
            // Two float rotations of values <= 1: a few ulp.
            assertEquals(xs[i], bs[i], 1e-6, "element " + i);
        }
        // <forward(x), g> == <x, backward(g)>: backward is the transpose, i.e. the true gradient.
        Tensor gb = g.copy();
        rope.backward(gb, 200);
        double lhs = 0;
        double rhs = 0;
        for (int i = 0; i < xs.length; i++) {
            lhs += (double) y.at(i) * g.at(i);
            rhs += (double) xs[i] * gb.at(i);
        }
        // Sums of ~27k float products of size ~1/3: float rounding ~1e-7 each, random signs.
        assertEquals(lhs, rhs, 1e-4 + 1e-6 * Math.abs(lhs));
    }

    @Test
    void scoreDependsOnlyOnRelativePosition() {
        int headDim = 64;
        Rope rope = new Rope(headDim, 5000, 10_000, vector);
        Tensor q = Tensor.uniform(3, -1, 1, 1, headDim);
        Tensor k = Tensor.uniform(4, -1, 1, 1, headDim);
        for (int delta : new int[] {0, 1, 17, 300}) {
            double first = Double.NaN;
            for (int shift : new int[] {0, 1, 100, 4000}) {
                Tensor qr = q.copy();
                Tensor kr = k.copy();
                rope.forward(qr, shift + delta);
                rope.forward(kr, shift);
                double dot = 0;
                for (int i = 0; i < headDim; i++) {
                    dot += (double) qr.at(i) * kr.at(i);
                }
                if (shift == 0) {
                    first = dot;
                } else {
                    // Float tables at angles up to 4300 rad: cos/sin rounded to 6e-8, 64 terms of size <= 1.
                    assertEquals(first, dot, 2e-5, "delta " + delta + ", shift " + shift);
                }
            }
        }
    }

    @Test
    void decodeOffsetsMatchParallelPositions() {
        int batch = 2;
        int T = 12;
        int heads = 2;
        Rope rope = new Rope(16, 64, 10_000, vector);
        Tensor x = Tensor.uniform(5, -1, 1, batch, T, heads, 16);
        Tensor parallel = x.copy();
        rope.forward(parallel, 3);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < T; t++) {
                Tensor row = x.select(b).select(t).copy(); // (heads, headDim): one decoding step
                rope.forward(row, 3 + t);
                // Same table entries, same operations per element: exact.
                assertArrayEquals(parallel.select(b).select(t).toArray(), row.toArray(), "b " + b + ", t " + t);
            }
        }
    }

    /**
     * Positions beyond the table are computed by the table's own formula: a table of 10 and a
     * table of 4000 give the same bits everywhere, for chunks that straddle the table's end,
     * lie wholly beyond it, repeat (the per-thread memo), and for single decoding positions.
     */
    @ParameterizedTest(name = "headDim {0}")
    @ValueSource(ints = {2, 34, 64})
    void positionsBeyondTheTableEqualTheTable(int headDim) {
        Rope small = new Rope(headDim, 10, 700, vector);
        Rope large = new Rope(headDim, 4000, 700, vector);
        int[][] ranges = {{5, 12}, {10, 40}, {2000, 1990}, {2000, 1990}, {3999, 1}, {0, 10}, {37, 1}};
        for (int[] range : ranges) {
            int start = range[0];
            int T = range[1];
            Tensor x = Tensor.uniform(start + T, -1, 1, 2, T, 3, headDim);
            Tensor a = x.copy();
            Tensor b = x.copy();
            small.forward(a, start);
            large.forward(b, start);
            assertArrayEquals(b.toArray(), a.toArray(), "forward from " + start + ", " + T + " positions");
            small.backward(a, start);
            large.backward(b, start);
            assertArrayEquals(b.toArray(), a.toArray(), "backward from " + start + ", " + T + " positions");
        }
        Tensor row = Tensor.uniform(9, -1, 1, 3, headDim); // one decoding position, far beyond both tables
        Tensor a = row.copy();
        small.forward(a, 4_000_000);
        for (int h = 0; h < 3; h++) {
            for (int i = 0; i < headDim / 2; i++) {
                double angle = 4_000_000L * Math.pow(700, -2.0 * i / headDim);
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                float x1 = row.get(h, i);
                float x2 = row.get(h, i + headDim / 2);
                // Exactly the float expression of the rotation, with cos and sin rounded from double.
                assertEquals(x1 * c - x2 * s, a.get(h, i), 1e-6);
                assertEquals(x2 * c + x1 * s, a.get(h, i + headDim / 2), 1e-6);
            }
        }
    }

    @Test
    void rejectsBadInput() {
        Rope rope = new Rope(8, 10, 10_000, vector);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rope.forward(Tensor.zeros(1, 6, 2, 8), Integer.MAX_VALUE - 3));
        assertTrue(e.getMessage().contains("2^31 - 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> rope.backward(Tensor.zeros(2, 8), -1));
        assertTrue(e.getMessage().contains("[-1, 0)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> rope.forward(Tensor.zeros(3, 2, 6), 0));
        assertTrue(e.getMessage().contains("headDim=8") && e.getMessage().contains("(3, 2, 6)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Rope(7, 10, 10_000, vector));
        assertTrue(e.getMessage().contains("even headDim") && e.getMessage().contains("7"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Rope(8, 0, 10_000, vector));
    }
}
