package dev.chimera.core.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What every kernel parity test compares: the scalar reference against the vector kernels on a
 * one-thread and a two-thread pool (the second exercises the parallel splits).
 */
abstract class KernelParityFixture {
    static final ScalarKernels REF = new ScalarKernels();

    private static ComputePool pool1;
    private static ComputePool pool2;
    /** The vector kernels over 1 and over 2 threads. */
    static VectorKernels[] vectors;

    @BeforeAll
    static void pools() {
        pool1 = new ComputePool(1);
        pool2 = new ComputePool(2);
        vectors = new VectorKernels[] {new VectorKernels(pool1), new VectorKernels(pool2)};
    }

    @AfterAll
    static void closePools() {
        pool1.close();
        pool2.close();
    }
}
