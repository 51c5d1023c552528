package dev.chimera.robotics.control;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The body of the controller's policy thread: it waits until the running chunk is part-way done,
 * asks the policy for the next chunk from the state the trajectory will have at the switch instant
 * (the running chunk's end), blends it in ({@link Blend}) and publishes it with one reference swap.
 * The call to {@code plan} runs on a separate planner thread so that this one can time it out: a
 * plan that throws, returns an unusable chunk or outlasts the watchdog timeout makes this thread
 * publish a smooth stop. A chunk that arrives after its switch instant is switched in a lead ahead
 * of the clock instead, from wherever the trajectory is then (the stop prepared after the chunk
 * that ended, if it has). After a failure the policy is asked again after the retry interval, from
 * the stopping trajectory: the first chunk it returns resumes motion.
 */
final class PolicyLoop implements Runnable {
    private static final long IDLE_PARK_NANOS = 500_000;

    private final ChunkPolicy policy;
    private final ControllerSettings settings;
    private final Limits[] limits;
    private final LongSupplier clock;
    private final AtomicReference<Segment> current;
    private final ObservationBuffer observations;
    private final ExecutorService planner;
    private final double[] observation;   // (O)
    private final double[] startPosition; // (D)
    private final double[] startVelocity; // (D)
    private final long leadNanos;
    private final long minStopNanos;
    private volatile boolean running = true;
    /** Every clock instant before this has been dealt with (see {@link RobotController#awaitPolicy}). */
    volatile long settledBefore = Long.MIN_VALUE;
    /** Whether {@link #settledBefore} was published with an observation at hand. */
    volatile boolean settledWithObservation;
    final AtomicLong chunks = new AtomicLong();
    final AtomicLong stops = new AtomicLong();
    final AtomicLong planNanos = new AtomicLong();
    private long retryAt = Long.MIN_VALUE;

    PolicyLoop(ChunkPolicy policy, ControllerSettings settings, LongSupplier clock, AtomicReference<Segment> current,
               ObservationBuffer observations, ExecutorService planner) {
        this.policy = policy;
        this.settings = settings;
        this.limits = settings.limits();
        this.clock = clock;
        this.current = current;
        this.observations = observations;
        this.planner = planner;
        this.observation = new double[observations.size()];
        this.startPosition = new double[limits.length];
        this.startVelocity = new double[limits.length];
        this.leadNanos = settings.switchLead().toNanos();
        this.minStopNanos = settings.minStop().toNanos();
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        try {
            while (running) {
                Segment segment = current.get();
                long due = dueAt(segment);
                boolean ready = observations.ready();
                long now = clock.getAsLong();
                if (now < due || !ready) {
                    settledBefore = ready ? due : now + 1;
                    settledWithObservation = ready;
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                    continue;
                }
                long switchAt = segment.kind == Segment.Kind.CHUNK ? Math.max(segment.main.end(), now + leadNanos)
                        : now + leadNanos;
                request(segment, switchAt);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** When the next chunk is to be asked for. */
    private long dueAt(Segment segment) {
        if (segment.kind == Segment.Kind.CHUNK) {
            return segment.main.start + Math.round(settings.requestFraction() * segment.main.duration);
        }
        return retryAt;
    }

    private void request(Segment segment, long switchAt) throws InterruptedException {
        observations.read(observation);
        segment.state(switchAt, startPosition, startVelocity);
        long begin = System.nanoTime();
        Future<ActionChunk> future;
        try {
            future = planner.submit(() -> policy.plan(observation, startPosition, startVelocity));
        } catch (RejectedExecutionException e) {
            return; // closing: the planner has been shut down
        }
        ActionChunk chunk;
        try {
            chunk = future.get(settings.watchdogTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            fail(segment, "the policy took longer than " + settings.watchdogTimeout().toMillis() + " ms to plan");
            awaitStale(future);
            return;
        } catch (ExecutionException e) {
            fail(segment, "the policy failed: " + e.getCause());
            return;
        }
        planNanos.set(System.nanoTime() - begin);
        if (chunk == null) {
            fail(segment, "the policy returned no chunk");
            return;
        }
        long at = Math.max(switchAt, clock.getAsLong() + leadNanos);
        Segment next;
        try {
            next = Blend.chunk(segment, at, chunk, limits, minStopNanos);
        } catch (IllegalArgumentException e) {
            fail(segment, "the policy's chunk was unusable: " + e.getMessage());
            return;
        }
        current.set(next);
        chunks.incrementAndGet();
        retryAt = Long.MIN_VALUE;
    }

    /** Publishes a smooth stop a lead ahead of the clock (unless already stopping) and schedules the next try. */
    private void fail(Segment segment, String cause) {
        long at = clock.getAsLong() + leadNanos;
        if (!segment.stoppingAt(at)) {
            stops.incrementAndGet();
        }
        current.set(Blend.stop(segment, at, limits, minStopNanos, cause));
        retryAt = at + settings.retryInterval().toNanos();
    }

    /**
     * Waits for a plan that outlasted the timeout (the policy is not asked twice at once); its chunk,
     * planned for a state long gone, is dropped. The stop is published, so the clock counts as settled.
     */
    private void awaitStale(Future<ActionChunk> future) throws InterruptedException {
        while (running && !future.isDone()) {
            settledBefore = clock.getAsLong() + 1;
            LockSupport.parkNanos(IDLE_PARK_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }
}
