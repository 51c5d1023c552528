package dev.chimera.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ComputePoolTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @Test
    void threadsBelowOneAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ComputePool(0));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ComputePool(-3));
        try (ComputePool p = new ComputePool(1)) {
            assertEquals(1, p.threads());
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3, 8})
    void everyIndexRunsExactlyOnce(int threads) {
        try (ComputePool pool = new ComputePool(threads)) {
            assertEquals(threads, pool.threads());
            assertTimeoutPreemptively(DEADLINE, () -> {
                for (int n : new int[] {1, 2, 3, 7, 10000}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    pool.parallelFor(n, hits::incrementAndGet);
                    for (int i = 0; i < n; i++) {
                        if (hits.get(i) != 1) {
                            fail("n=" + n + ": index " + i + " ran " + hits.get(i) + " times on " + threads
                                    + " threads");
                        }
                    }
                }
                // many small calls back to back (helpers arriving late from earlier calls must not interfere)
                AtomicIntegerArray hits = new AtomicIntegerArray(64);
                for (int rep = 0; rep < 2000; rep++) {
                    pool.parallelFor(64, hits::incrementAndGet);
                }
                for (int i = 0; i < 64; i++) {
                    assertEquals(2000, hits.get(i), "index " + i + " over 2000 calls");
                }
            });
        }
    }

    @Test
    void zeroOrNegativeCountRunsNothing() {
        try (ComputePool pool = new ComputePool(2)) {
            AtomicInteger calls = new AtomicInteger();
            pool.parallelFor(0, i -> calls.incrementAndGet());
            pool.parallelFor(-5, i -> calls.incrementAndGet());
            assertEquals(0, calls.get());
        }
    }

    @Test
    void parallelForReturnsOnlyWhenAllTasksAreDone() {
        try (ComputePool pool = new ComputePool(4)) {
            assertTimeoutPreemptively(DEADLINE, () -> {
                for (int rep = 0; rep < 50; rep++) {
                    AtomicInteger done = new AtomicInteger();
                    pool.parallelFor(16, i -> {
                        busyWork(20_000 + 5_000 * (i % 3));
                        done.incrementAndGet();
                    });
                    assertEquals(16, done.get(), "parallelFor returned before every task finished");
                }
            });
        }
    }

    @Test
    void workIsSharedWithTheWorkerThreads() {
        try (ComputePool pool = new ComputePool(2)) {
            assertTimeoutPreemptively(DEADLINE, () -> {
                // Each task waits until the other has started: only possible if two threads run them.
                CountDownLatch bothStarted = new CountDownLatch(2);
                Set<Thread> seen = ConcurrentHashMap.newKeySet();
                pool.parallelFor(2, i -> {
                    seen.add(Thread.currentThread());
                    bothStarted.countDown();
                    await(bothStarted);
                });
                assertEquals(2, seen.size());
                assertTrue(seen.contains(Thread.currentThread()), "the calling thread takes part");
            });
        }
    }

    @Test
    void nestedParallelForCompletes() {
        try (ComputePool pool = new ComputePool(2)) {
            assertTimeoutPreemptively(DEADLINE, () -> {
                for (int rep = 0; rep < 200; rep++) {
                    AtomicLong total = new AtomicLong();
                    pool.parallelFor(4, outer -> pool.parallelFor(100, inner -> total.addAndGet(outer * 1000 + inner)));
                    long expected = 0;
                    for (int o = 0; o < 4; o++) {
                        for (int i = 0; i < 100; i++) {
                            expected += o * 1000 + i;
                        }
                    }
                    assertEquals(expected, total.get(), "rep " + rep);
                }
            });
        }
    }

    @Test
    void deeplyNestedParallelForCompletesWhenEveryThreadIsBusy() {
        try (ComputePool pool = new ComputePool(3)) {
            assertTimeoutPreemptively(DEADLINE, () -> {
                AtomicIntegerArray hits = new AtomicIntegerArray(5 * 5 * 5);
                pool.parallelFor(5, a -> pool.parallelFor(5, b -> pool.parallelFor(5, c -> {
                    busyWork(2_000);
                    hits.incrementAndGet(a * 25 + b * 5 + c);
                })));
                for (int i = 0; i < 125; i++) {
                    assertEquals(1, hits.get(i), "leaf " + i);
                }
            });
        }
    }

    @Test
    void nestedKernelCallsInsideTasksComplete() {
        // The pattern the batched GEMM path uses: kernels running inside pool tasks that themselves use the pool.
        try (ComputePool pool = new ComputePool(2)) {
            VectorBackend v = new VectorBackend(pool);
            assertTimeoutPreemptively(DEADLINE, () -> pool.parallelFor(4, i -> {
                dev.chimera.core.tensor.Tensor a = dev.chimera.core.tensor.Tensor.uniform(i, -1, 1, 9, 300);
                dev.chimera.core.tensor.Tensor b = dev.chimera.core.tensor.Tensor.uniform(i + 10, -1, 1, 300, 200);
                dev.chimera.core.tensor.Tensor c = dev.chimera.core.tensor.Tensor.zeros(9, 200);
                v.gemm(GemmForm.AB, c, a, b, false);
                dev.chimera.core.tensor.Tensor ref = dev.chimera.core.tensor.Tensor.zeros(9, 200);
                new ScalarBackend().gemm(GemmForm.AB, ref, a, b, false);
                Parity.assertClose("gemm inside a pool task " + i, ref, c, GemmParityTest.gemmAtol(300, a, b),
                        GemmParityTest.GEMM_RTOL);
            }));
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 4})
    void exceptionInATaskPropagatesToTheCaller(int threads) {
        try (ComputePool pool = new ComputePool(threads)) {
            assertTimeoutPreemptively(DEADLINE, () -> {
                IllegalStateException boom = new IllegalStateException("task 37 failed");
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.parallelFor(100, i -> {
                    if (i == 37) {
                        throw boom;
                    }
                }));
                assertSame(boom, e, "the task's own exception, not a wrapper");
                // Errors propagate unwrapped too
                AssertionError err = new AssertionError("bad");
                assertSame(err, assertThrows(AssertionError.class, () -> pool.parallelFor(10, i -> {
                    if (i == 9) {
                        throw err;
                    }
                })));
                // and the pool still works afterwards
                AtomicIntegerArray hits = new AtomicIntegerArray(1000);
                pool.parallelFor(1000, hits::incrementAndGet);
                for (int i = 0; i < 1000; i++) {
                    assertEquals(1, hits.get(i));
                }
            });
        }
    }

    @Test
    void exceptionOnAWorkerThreadPropagatesToTheCaller() {
        try (ComputePool pool = new ComputePool(2)) {
            assertTimeoutPreemptively(DEADLINE, () -> {
                Thread caller = Thread.currentThread();
                CountDownLatch bothStarted = new CountDownLatch(2);
                RuntimeException e = assertThrows(RuntimeException.class, () -> pool.parallelFor(2, i -> {
                    bothStarted.countDown();
                    await(bothStarted); // both tasks run at once, so one of them is on the worker
                    if (Thread.currentThread() != caller) {
                        throw new UnsupportedOperationException("thrown on " + Thread.currentThread().getName());
                    }
                }));
                assertTrue(e instanceof UnsupportedOperationException, e.toString());
                assertTrue(e.getMessage().contains("chimera-compute"), e.getMessage());
            });
        }
    }

    @Test
    void exceptionInANestedCallPropagatesThroughBothLevels() {
        try (ComputePool pool = new ComputePool(2)) {
            assertTimeoutPreemptively(DEADLINE, () -> {
                ArithmeticException e = assertThrows(ArithmeticException.class,
                        () -> pool.parallelFor(3, a -> pool.parallelFor(50, b -> {
                            if (a == 2 && b == 49) {
                                throw new ArithmeticException("inner");
                            }
                        })));
                assertEquals("inner", e.getMessage());
            });
        }
    }

    @Test
    void checkedExceptionIsWrapped() {
        try (ComputePool pool = new ComputePool(2)) {
            Exception checked = new java.io.IOException("disk");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> pool.parallelFor(4, i -> {
                        if (i == 3) {
                            ComputePoolTest.<RuntimeException>sneakyThrow(checked);
                        }
                    }));
            assertSame(checked, e.getCause());
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(5, TimeUnit.SECONDS)) {
                throw new AssertionError("the two tasks never ran at the same time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static volatile double sink;

    private static void busyWork(int iterations) {
        double s = 0;
        for (int i = 0; i < iterations; i++) {
            s += Math.sqrt(i);
        }
        sink = s;
    }
}
