package dev.chimera.core.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What every kernel parity test compares: the scalar reference against the vector kernels on a
 * one-thread and a two-thread pool (the second exercises the parallel splits). GEMM tests also run
 * every micro-kernel shape, not only the one this machine's vector width selects.
 */
abstract class KernelParityFixture {
    static final ScalarBackend REF = new ScalarBackend();

    private static ComputePool pool1;
    private static ComputePool pool2;
    /** The vector kernels over 1 and over 2 threads. */
    static VectorBackend[] vectors;
    /** The GEMM micro-kernel shapes: 8 rows x 2 vectors (AVX-512's) and 12 rows x 1 vector (AVX2's). */
    static final int[] GEMM_KERNEL_ROWS = {8, 12};
    /** The vector kernels with each GEMM micro-kernel shape, each over 1 and over 2 threads. */
    static VectorBackend[] everyGemmShape;

    @BeforeAll
    static void pools() {
        pool1 = new ComputePool(1);
        pool2 = new ComputePool(2);
        vectors = new VectorBackend[] {new VectorBackend(pool1), new VectorBackend(pool2)};
        everyGemmShape = new VectorBackend[2 * GEMM_KERNEL_ROWS.length];
        for (int i = 0; i < GEMM_KERNEL_ROWS.length; i++) {
            everyGemmShape[2 * i] = new VectorBackend(pool1, MicroKernel.ofRows(GEMM_KERNEL_ROWS[i]));
            everyGemmShape[2 * i + 1] = new VectorBackend(pool2, MicroKernel.ofRows(GEMM_KERNEL_ROWS[i]));
        }
    }

    @AfterAll
    static void closePools() {
        pool1.close();
        pool2.close();
    }
}
