package dev.chimera.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Backend#rowInvariant}: a row of a product, and an activation's value, are the same bits
 * whatever the other rows of the batch, so a forecast does not depend on how a stream's inputs were
 * batched. The plain vector backend makes no such promise (its packed path sums in KC blocks).
 */
class RowInvarianceTest {
    private static ComputePool pool;

    @BeforeAll
    static void setUp() {
        pool = new ComputePool(2);
    }

    @AfterAll
    static void tearDown() {
        pool.close();
    }

    /** Row 0 of C = A B^T for the first m rows of a fixed A, for every m from 1 to 40. */
    private static float[][] firstRows(Backend k, GemmForm form, int n, int depth) {
        Tensor a = Tensor.uniform(1, -1, 1, 40, depth);
        Tensor b = form == GemmForm.ABt ? Tensor.uniform(2, -1, 1, n, depth) : Tensor.uniform(2, -1, 1, depth, n);
        float[][] rows = new float[40][];
        for (int m = 1; m <= 40; m++) {
            Tensor c = Tensor.zeros(m, n);
            k.gemm(form, c, Tensor.of(Arrays.copyOf(a.toArray(), m * depth), m, depth), b, false);
            rows[m - 1] = Arrays.copyOf(c.toArray(), n);
        }
        return rows;
    }

    @Test
    void aRowOfAProductIsTheSameBitsInAnyBatch() {
        Backend k = new VectorBackend(pool).rowInvariant();
        for (GemmForm form : new GemmForm[] {GemmForm.AB, GemmForm.ABt}) {
            for (int depth : new int[] {7, 128, 700}) { // 700 crosses the packed path's KC blocks
                float[][] rows = firstRows(k, form, 37, depth);
                for (int m = 2; m <= 40; m++) {
                    assertArrayEquals(rows[0], rows[m - 1], 0f, form + " depth " + depth + ", " + m + " rows");
                }
            }
        }
    }

    @Test
    void thePlainVectorBackendsPathsDifferWhichIsWhyTheOptionExists() {
        float[][] rows = firstRows(new VectorBackend(pool), GemmForm.ABt, 37, 700);
        assertNotEquals(Arrays.toString(rows[0]), Arrays.toString(rows[39]),
                "one row alone (unpacked) and in 40 (packed) sum in different orders");
    }

    @Test
    void anActivationsValueDoesNotDependOnWhereItFalls() {
        Backend k = new VectorBackend(pool).rowInvariant();
        for (Activation f : new Activation[] {Activation.SILU, Activation.SOFTPLUS, Activation.SIGMOID, Activation.EXP,
                Activation.GELU}) {
            Tensor x = Tensor.uniform(3, -6, 6, 53); // 53: a tail after every vector width
            Tensor whole = Tensor.zeros(53);
            k.activation(f, whole, x);
            for (int len = 1; len <= 53; len++) {
                Tensor part = Tensor.of(Arrays.copyOf(x.toArray(), len), len);
                Tensor out = Tensor.zeros(len);
                k.activation(f, out, part);
                assertArrayEquals(Arrays.copyOf(whole.toArray(), len), out.toArray(), 0f, f + " of the first " + len);
            }
        }
    }

    @Test
    void theScalarBackendIsRowInvariantAlready() {
        Backend scalar = new ScalarBackend();
        assertSame(scalar, scalar.rowInvariant());
    }
}
