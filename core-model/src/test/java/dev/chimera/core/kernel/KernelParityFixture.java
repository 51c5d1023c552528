package dev.chimera.core.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What every kernel parity test compares: the scalar reference against the vector kernels on a
 * one-thread and a two-thread pool (the second exercises the parallel splits).
 */
abstract class KernelParityFixture {
    static final ScalarBackend REF = new ScalarBackend();

    private static ComputePool pool1;
    private static ComputePool pool2;
    /** The vector kernels over 1 and over 2 threads. */
    static VectorBackend[] vectors;

    @BeforeAll
    static void pools() {
        pool1 = new ComputePool(1);
        pool2 = new ComputePool(2);
        vectors = new VectorBackend[] {new VectorBackend(pool1), new VectorBackend(pool2)};
    }

    @AfterAll
    static void closePools() {
        pool1.close();
        pool2.close();
    }
}
