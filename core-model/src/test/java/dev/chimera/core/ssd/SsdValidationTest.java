package dev.chimera.core.ssd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.Simd;
import dev.chimera.core.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input is refused with an IllegalArgumentException that names the shapes involved. */
class SsdValidationTest {
    private static ComputePool pool;
    private static final SsdShape S = new SsdShape(2, 5, 4, 3, 2, 8);

    @BeforeAll
    static void open() {
        pool = new ComputePool(1);
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    private static void assertRefused(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention " + f);
        }
    }

    @Test
    void nheadsNotDivisibleByNgroups() {
        Tensor x = Tensor.zeros(2, 5, 3, 4);
        Tensor B = Tensor.zeros(2, 5, 2, 8);
        Tensor dt = Tensor.zeros(2, 5, 3);
        Tensor A = Tensor.zeros(3);
        SsdScan scan = new SsdScan(pool, 4, Simd.vectorEnabled());
        assertRefused(() -> scan.forward(Tensor.zeros(2, 5, 3, 4), null, null, x, dt, A, B, B, A, null),
                "SsdScan.forward", "nheads 3", "ngroups 2", "(2, 5, 3, 4)", "(2, 5, 2, 8)");
        assertRefused(() -> SsdChunked.forward(Tensor.zeros(2, 5, 3, 4), null, x, dt, A, B, B, A, null, 4),
                "SsdChunked.forward", "(2, 5, 3, 4)", "(2, 5, 2, 8)");
        assertRefused(() -> new SsdShape(2, 5, 3, 4, 2, 8), "nheads 3", "ngroups 2");
    }

    @Test
    void mismatchedTensorShapes() {
        SsdTestData in = new SsdTestData(1, S, true, 1.0);
        SsdScan scan = new SsdScan(pool, 4, Simd.vectorEnabled());
        Tensor y = Tensor.zeros(S.xShape());
        assertRefused(() -> scan.forward(y, null, null, in.x, Tensor.zeros(2, 5, 2), in.A, in.B, in.C, in.D, null),
                "dt", "(2, 5, 4)", "(2, 5, 2)");
        assertRefused(() -> scan.forward(y, null, null, in.x, in.dt, in.A, in.B, Tensor.zeros(2, 5, 2, 7), in.D, null),
                "C", "(2, 5, 2, 8)", "(2, 5, 2, 7)");
        assertRefused(() -> scan.forward(y, null, null, in.x, in.dt, in.A, Tensor.zeros(2, 4, 2, 8), in.C, in.D, null),
                "B", "(2, 4, 2, 8)", "(2, 5, 4, 3)");
        assertRefused(() -> scan.forward(Tensor.zeros(2, 5, 4, 4), null, null, in.x, in.dt, in.A, in.B, in.C, in.D,
                null), "y", "(2, 5, 4, 3)", "(2, 5, 4, 4)");
        assertRefused(() -> scan.forward(y, null, null, in.x, in.dt, in.A, in.B, in.C, in.D, Tensor.zeros(2, 4, 8, 3)),
                "h0", "(2, 4, 3, 8)", "(2, 4, 8, 3)");
        assertRefused(() -> scan.forward(y, null, Tensor.zeros(2, 4, 1, 3, 8), in.x, in.dt, in.A, in.B, in.C, in.D, null),
                "chunkStates", "(2, 4, 2, 3, 8)", "(2, 4, 1, 3, 8)");
        assertRefused(() -> SsdChunked.forward(y, null, in.x, in.dt, Tensor.zeros(5), in.B, in.C, in.D, null, 4),
                "A", "(4)", "(5)");
    }

    @Test
    void backwardWorkspaceTooSmall() {
        SsdTestData in = new SsdTestData(2, S, false, 1.0);
        SsdScan scan = new SsdScan(pool, 4, Simd.vectorEnabled());
        Tensor states = Tensor.zeros(scan.chunkStatesShape(S));
        Tensor small = Tensor.zeros(scan.backwardWorkspaceSize(S) - 1);
        assertRefused(() -> scan.backward(Tensor.zeros(S.xShape()), Tensor.zeros(S.dtShape()), Tensor.zeros(4),
                Tensor.zeros(S.bcShape()), Tensor.zeros(S.bcShape()), Tensor.zeros(4), null, Tensor.zeros(S.xShape()),
                null, in.x, in.dt, in.A, in.B, in.C, in.D, states, small), "workspace",
                String.valueOf(scan.backwardWorkspaceSize(S)));
    }

    @Test
    void badStepShapes() {
        SsdScan scan = new SsdScan(pool, 4, Simd.vectorEnabled());
        Tensor x = Tensor.zeros(2, 4, 3);
        Tensor B = Tensor.zeros(2, 2, 8);
        // One state (nheads, headdim, dstate) per sequence; these have headdim and dstate swapped.
        Tensor[] transposed = {Tensor.zeros(4, 8, 3), Tensor.zeros(4, 8, 3)};
        Tensor[] good = {Tensor.zeros(4, 3, 8), Tensor.zeros(4, 3, 8)};
        assertRefused(() -> scan.step(Tensor.zeros(2, 4, 3), transposed, x, Tensor.zeros(2, 4),
                Tensor.zeros(4), B, B, Tensor.zeros(4)), "state", "(4, 3, 8)", "(4, 8, 3)");
        assertRefused(() -> scan.step(Tensor.zeros(2, 4, 3), good, x, Tensor.zeros(2, 4),
                Tensor.zeros(4), Tensor.zeros(2, 3, 8), Tensor.zeros(2, 3, 8), Tensor.zeros(4)),
                "(2, 3, 8)", "(2, 4, 3)");
        // Two rows of x but one state.
        assertRefused(() -> scan.step(Tensor.zeros(2, 4, 3), new Tensor[] {good[0]}, x, Tensor.zeros(2, 4),
                Tensor.zeros(4), B, B, Tensor.zeros(4)), "2 rows", "1 states");
        assertRefused(() -> SsdRecurrence.step(new double[24], new double[192], new double[24], new double[8],
                new double[4], new double[32], new double[32], new double[4], new SsdShape(2, 2, 4, 3, 2, 8)),
                "seqlen 1");
    }

    @Test
    void wrongArrayLengthsInTheDoubleReference() {
        double[] x = new double[2 * 5 * 4 * 3 - 1];
        assertRefused(() -> SsdRecurrence.forward(new double[120], null, x, new double[40], new double[4],
                new double[160], new double[160], new double[4], null, S), "x", "(2, 5, 4, 3)", "119");
    }

    @Test
    void chunkSizeMustBePositive() {
        assertRefused(() -> new SsdScan(pool, 0, Simd.vectorEnabled()), "chunkSize", "0");
        SsdTestData in = new SsdTestData(3, S, false, 1.0);
        assertRefused(() -> SsdChunked.forward(Tensor.zeros(S.xShape()), null, in.x, in.dt, in.A, in.B, in.C, in.D,
                null, 0), "chunkSize", "0");
    }
}
