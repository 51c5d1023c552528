package dev.chimera.core.kernel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The threads that kernels split their work over. One is made by whoever owns the run (a
 * CLI command, a test, a server) and handed to the kernels; nothing here is global.
 *
 * <p>{@link #parallelFor} runs {@code n} independent tasks: the calling thread takes part,
 * and {@code threads - 1} workers join it by taking task indices from a shared counter.
 * A worker that arrives after the caller has finished its loop does nothing, so a nested
 * call from inside a task never waits on a queued worker and cannot deadlock.
 */
public final class ComputePool implements AutoCloseable {
    private final int threads;
    private final ExecutorService workers;

    public ComputePool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        AtomicInteger count = new AtomicInteger();
        this.workers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "chimera-compute-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A pool with one thread per available core. */
    public static ComputePool ofAvailableCores() {
        return new ComputePool(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code task.accept(i)} for every i in [0, n), spread over the pool; returns when all are done. */
    public void parallelFor(int n, IntConsumer task) {
        if (n <= 0) {
            return;
        }
        if (workers == null || n == 1) {
            for (int i = 0; i < n; i++) {
                task.accept(i);
            }
            return;
        }
        Job job = new Job(n, task);
        int helpers = Math.min(threads - 1, n - 1);
        for (int h = 0; h < helpers; h++) {
            workers.execute(job::help);
        }
        job.runTasks();
        job.awaitHelpers();
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }

    /** One parallelFor call: a task counter, and a count of helpers that joined and are still running. */
    private static final class Job {
        private static final int CLOSED = Integer.MIN_VALUE / 2;
        private final int n;
        private final IntConsumer task;
        private final AtomicInteger next = new AtomicInteger();
        /** Helpers inside runTasks; pushed far negative once the caller stops admitting them. */
        private final AtomicInteger active = new AtomicInteger();
        private volatile Throwable failure;

        Job(int n, IntConsumer task) {
            this.n = n;
            this.task = task;
        }

        void help() {
            boolean admitted = active.getAndIncrement() >= 0;
            try {
                if (admitted) {
                    runTasks();
                }
            } finally {
                synchronized (this) {
                    active.decrementAndGet();
                    notifyAll();
                }
            }
        }

        void runTasks() {
            int i;
            while (failure == null && (i = next.getAndIncrement()) < n) {
                try {
                    task.accept(i);
                } catch (Throwable t) {
                    failure = t;
                }
            }
        }

        void awaitHelpers() {
            active.getAndAdd(CLOSED);
            boolean interrupted = false;
            synchronized (this) {
                while (active.get() - CLOSED > 0) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable t = failure;
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            if (t instanceof Error) {
                throw (Error) t;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }
}
