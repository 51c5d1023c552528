package dev.chimera.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The backends' bookkeeping operations (bias rows, column sums, column copies, embedding gathers
 * and scatters, fill and copy, the squared norm) against their definitions on views with offsets,
 * and the optimiser updates: the vector AdamW equal to the reference bit for bit (the same float
 * operations lane by lane), SGD-SaI against its formula.
 */
class RowOpsTest extends KernelParityFixture {

    private static Backend[] all() {
        return new Backend[] {REF, vectors[0], vectors[1]};
    }

    @Test
    void biasRowsAndColumnSums() {
        for (Backend k : all()) {
            Tensor x = Parity.paddedView(1, 3, 4, 5, 7);
            Tensor v = Parity.paddedView(2, 1, 2, 7);
            Tensor expected = x.copy();
            for (int r = 0; r < 5; r++) {
                for (int j = 0; j < 7; j++) {
                    expected.set(x.get(r, j) + v.get(j), r, j);
                }
            }
            k.addRowVector(x, v);
            Parity.assertExact("addRowVector " + k.name(), expected, x.copy());

            Tensor out = Parity.paddedView(3, 2, 2, 7);
            Tensor sums = out.copy();
            for (int j = 0; j < 7; j++) {
                float s = sums.get(j);
                for (int r = 0; r < 5; r++) {
                    s += x.get(r, j);
                }
                sums.set(s, j);
            }
            k.addColumnSums(out, x);
            Parity.assertExact("addColumnSums " + k.name(), sums, out.copy());
            assertThrows(IllegalArgumentException.class, () -> k.addRowVector(Tensor.zeros(5, 7), Tensor.zeros(6)));
        }
    }

    @Test
    void copyColumnsMovesABlockOfColumns() {
        for (Backend k : all()) {
            Tensor src = Tensor.uniform(4, -1, 1, 3, 10);
            Tensor dst = Tensor.zeros(3, 6);
            k.copyColumns(dst, 2, src, 5, 4);
            for (int r = 0; r < 3; r++) {
                for (int j = 0; j < 6; j++) {
                    float want = j >= 2 ? src.get(r, 5 + j - 2) : 0f;
                    assertEquals(want, dst.get(r, j), k.name() + " row " + r + " column " + j);
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.copyColumns(dst, 3, src, 0, 4));
            assertTrue(e.getMessage().contains("(3, 6)"), e.getMessage());
        }
    }

    /** A training-sized copy (split over the two-thread pool's row blocks) moves every row and nothing else. */
    @Test
    void largeColumnCopiesSplitOverThreadsMoveEveryRow() {
        Tensor src = Parity.paddedView(6, 3, 2, 1001, 300);
        for (Backend k : all()) {
            Tensor dst = Parity.paddedView(7, 2, 5, 1001, 260);
            Tensor want = dst.copy();
            for (int r = 0; r < 1001; r++) {
                for (int j = 0; j < 250; j++) {
                    want.set(src.get(r, 40 + j), r, 7 + j);
                }
            }
            float[] before = dst.data().clone();
            k.copyColumns(dst, 7, src, 40, 250);
            Parity.assertExact("copyColumns " + k.name(), want, dst.copy());
            Parity.assertUntouched("copyColumns " + k.name(), before, dst.data(), 0, 2);
            Parity.assertUntouched("copyColumns " + k.name(), before, dst.data(), 2 + 1001 * 260, before.length);
        }
    }

    @Test
    void gatherAndScatterRows() {
        for (Backend k : all()) {
            Tensor table = Tensor.uniform(5, -1, 1, 4, 3);
            int[] ids = {2, 0, 2, 3, 99};
            Tensor out = Tensor.zeros(4, 3);
            k.gatherRows(out, table, ids);  // the first 4 ids of a longer buffer
            for (int r = 0; r < 4; r++) {
                assertArrayEquals(table.select(ids[r]).toArray(), out.select(r).toArray(), k.name());
            }
            Tensor dtable = Tensor.zeros(4, 3);
            k.scatterAddRows(dtable, out, ids);
            assertArrayEquals(new float[] {table.get(0, 0), table.get(0, 1), table.get(0, 2)},
                    dtable.select(0).toArray(), k.name());
            for (int j = 0; j < 3; j++) {
                assertEquals(2 * table.get(2, j), dtable.get(2, j), k.name() + ": id 2 appears twice");
                assertEquals(0f, dtable.get(1, j), k.name() + ": id 1 does not appear");
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.gatherRows(Tensor.zeros(5, 3), table, ids));
            assertTrue(e.getMessage().contains("99") && e.getMessage().contains("position 4"), e.getMessage());
        }
    }

    @Test
    void fillCopyAndSumOfSquares() {
        for (Backend k : all()) {
            Tensor x = Parity.paddedView(6, 2, 3, 37);
            double want = 0;
            for (int i = 0; i < 37; i++) {
                want += (double) x.at(i) * x.at(i);
            }
            assertEquals(want, k.sumOfSquares(x), 1e-12 * want, k.name());
            Tensor y = Tensor.zeros(37);
            k.copy(y, x);
            Parity.assertExact("copy " + k.name(), x.copy(), y);
            k.fill(y, 2.5f);
            for (int i = 0; i < 37; i++) {
                assertEquals(2.5f, y.at(i));
            }
        }
    }

    /** The vector AdamW is the reference's float arithmetic lane by lane: the same bits, tails included. */
    @Test
    void vectorAdamwEqualsTheReferenceBitForBit() {
        for (int size : new int[] {1, 15, 16, 37, 1000}) {
            Tensor[] ref = adamwState(size);
            Tensor[] vec = adamwState(size);
            for (int step = 1; step <= 3; step++) {
                float c1 = (float) (1 - Math.pow(0.9, step));
                float c2 = (float) (1 - Math.pow(0.95, step));
                REF.adamwUpdate(ref[0], ref[1], ref[2], ref[3], 1e-3f, 0.9f, 0.95f, 1e-8f, c1, c2, 0.9999f);
                vectors[1].adamwUpdate(vec[0], vec[1], vec[2], vec[3], 1e-3f, 0.9f, 0.95f, 1e-8f, c1, c2, 0.9999f);
            }
            for (int i = 0; i < 3; i++) {
                Parity.assertExact("adamw state " + i + " size " + size, ref[i], vec[i]);
            }
        }
    }

    private static Tensor[] adamwState(int size) {
        return new Tensor[] {Tensor.uniform(7, -1, 1, size), Tensor.zeros(size), Tensor.zeros(size),
                Tensor.uniform(8, -0.1f, 0.1f, size)};
    }

    @Test
    void sgdSaiUpdateFollowsItsFormula() {
        Tensor p = Tensor.of(new float[] {1f, -2f}, 2);
        Tensor buf = Tensor.zeros(2);
        Tensor g = Tensor.of(new float[] {0.5f, 0.25f}, 2);
        REF.sgdSaiUpdate(p, buf, g, 0.1f, 0.9f, 0.1f, 0.5f, true);
        assertArrayEquals(new float[] {0.5f, 0.25f}, buf.toArray(), "the first step copies the gradient");
        assertArrayEquals(new float[] {1f * 0.5f - 0.1f * 0.5f, -2f * 0.5f - 0.1f * 0.25f}, p.toArray());
        REF.sgdSaiUpdate(p, buf, g, 0.1f, 0.9f, 0.1f, 1f, false);
        assertArrayEquals(new float[] {0.9f * 0.5f + 0.1f * 0.5f, 0.9f * 0.25f + 0.1f * 0.25f}, buf.toArray());
    }
}
