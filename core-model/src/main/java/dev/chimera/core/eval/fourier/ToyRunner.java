package dev.chimera.core.eval.fourier;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.backend.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs many {@link ToyExperiment} jobs, {@code threads} at a time. The model is far too small for
 * its matrix products to gain from several threads, so each job runs on one thread with its own
 * single-thread pool and backend, and the parallelism is across jobs. Every job is seeded on its
 * own, so the results do not depend on the thread count and repeat bit for bit (the vector
 * kernels compute the same bits before and after the JIT compiles them: see
 * {@link dev.chimera.core.kernel.PortableMath}).
 */
public final class ToyRunner {
    private ToyRunner() {
    }

    /** Told as work advances; called from the worker threads, one call at a time. */
    public interface Listener {
        /** One more epoch of some job is done; {@code done} of {@code total} epochs over all jobs. */
        default void epochsDone(long done, long total) {
        }

        /** A job finished; {@code done} of {@code total} jobs. */
        default void jobDone(ToyExperiment.Result result, int done, int total) {
        }
    }

    /** The results in the order of {@code jobs}; {@code backends} makes each job's backend over its one-thread pool. */
    public static List<ToyExperiment.Result> runAll(ToyExperiment.Settings settings, List<ToyExperiment.Job> jobs,
                                                    int threads, Listener listener,
                                                    Function<ComputePool, Backend> backends) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        Listener l = listener == null ? new Listener() { } : listener;
        long totalEpochs = (long) jobs.size() * settings.epochs();
        AtomicInteger jobsDone = new AtomicInteger();
        long[] epochsDone = {0};
        Object lock = new Object();
        ExecutorService executor = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, jobs.size())), r -> {
            Thread t = new Thread(r, "chimera-toy-run");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<ToyExperiment.Result>> futures = new ArrayList<>();
            for (ToyExperiment.Job job : jobs) {
                futures.add(executor.submit(() -> {
                    try (ComputePool pool = new ComputePool(1)) {
                        ToyExperiment.Result r = ToyExperiment.run(settings, job, backends.apply(pool),
                                (epoch, epochs, loss) -> {
                                    synchronized (lock) {
                                        l.epochsDone(++epochsDone[0], totalEpochs);
                                    }
                                });
                        synchronized (lock) {
                            l.jobDone(r, jobsDone.incrementAndGet(), jobs.size());
                        }
                        return r;
                    }
                }));
            }
            List<ToyExperiment.Result> results = new ArrayList<>();
            for (Future<ToyExperiment.Result> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running the synthetic experiment", e);
        } finally {
            executor.shutdownNow();
        }
    }
}
