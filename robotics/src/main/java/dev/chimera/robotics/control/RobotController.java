package dev.chimera.robotics.control;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Turns a {@link ChunkPolicy}'s action chunks into setpoints at any control rate (1 kHz and more),
 * BEAST-style (REFERENCE §7): chunks are B-splines evaluated at whatever instant the control loop
 * asks for, and each one is blended into the running trajectory with C0 and C1 continuity.
 *
 * <p>Threads. {@link #sample} is called from one control thread; it reads the published trajectory
 * (an immutable {@link Segment} swapped through an {@link AtomicReference}), evaluates it into
 * preallocated arrays, enforces the {@link Limits} ({@link RateLimiter}) and allocates nothing.
 * {@link #observe} is called from one thread (usually the control thread) and copies into a
 * preallocated buffer without locks. {@link #start()} launches the policy thread ({@link PolicyLoop}),
 * which asks for the next chunk once the running one is {@code requestFraction} done, for the state
 * the trajectory will have at the running chunk's end, and switches it in there. Everything else
 * (status, counters, close) may be called from any thread.
 *
 * <p>Watchdog. Each chunk is published together with a smooth stop from its end state; if no chunk
 * has arrived by then, the control thread simply follows that stop (status {@code STOPPING}, cause
 * "no chunk arrived..."). If the policy throws, returns an unusable chunk or takes longer than the
 * watchdog timeout, the policy thread publishes a smooth stop from the trajectory's state one switch
 * lead ahead. Stops are quintics that match position, velocity and acceleration and respect the
 * acceleration limits ({@link SmoothStop}). The controller resumes: the policy is asked again, and a
 * chunk that arrives later is blended in from the stopping or stopped state. A robot program that
 * wants a latched stop calls {@link #close()} when it sees {@code STOPPING}.
 *
 * <p>Limits apply to the output only: chunks are blended onto the reference trajectory (what the
 * splines say), which the output equals whenever the reference stays within the limits.
 */
public final class RobotController implements AutoCloseable {
    /** The highest spline degree a chunk may use. */
    public static final int MAX_DEGREE = 10;

    private final ChunkPolicy policy;
    private final ControllerSettings settings;
    private final LongSupplier clock;
    private final AtomicReference<Segment> current;
    private final ObservationBuffer observations;
    private final ExecutorService planner;
    private final PolicyLoop loop;
    private final Thread policyThread;
    private final RateLimiter limiter;
    private final double[] refPosition;           // (D) the reference, control thread only
    private final double[] refVelocity;           // (D)
    private final AtomicLong lastSample = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong tailStops = new AtomicLong();
    private Segment tailCounted;                  // control thread only
    private volatile boolean started;
    private volatile boolean closed;

    /** A controller on {@link System#nanoTime()}. */
    public RobotController(ChunkPolicy policy, ControllerSettings settings, double[] initialSetpoint) {
        this(policy, settings, initialSetpoint, System::nanoTime);
    }

    /**
     * @param clock the control clock in nanoseconds: the time base of {@link #sample}'s argument; a
     *              simulation passes its own (see {@link #awaitPolicy})
     */
    public RobotController(ChunkPolicy policy, ControllerSettings settings, double[] initialSetpoint,
                           LongSupplier clock) {
        int dof = settings.dof();
        if (policy.dof() != dof || initialSetpoint.length != dof) {
            throw new IllegalArgumentException("the policy plans " + policy.dof() + " DoF, the settings have limits "
                    + "for " + dof + " and the initial setpoint has " + initialSetpoint.length);
        }
        Limits[] limits = settings.limits();
        for (int d = 0; d < dof; d++) {
            if (!limits[d].contains(initialSetpoint[d])) {
                throw new IllegalArgumentException("DoF " + d + ": the initial setpoint " + initialSetpoint[d]
                        + " lies outside its limits " + limits[d]);
            }
        }
        this.policy = policy;
        this.settings = settings;
        this.clock = clock;
        this.current = new AtomicReference<>(Segment.hold(clock.getAsLong(), initialSetpoint));
        this.observations = new ObservationBuffer(settings.observationSize());
        this.planner = Executors.newSingleThreadExecutor(r -> daemon(r, "chimera-policy-plan"));
        this.loop = new PolicyLoop(policy, settings, clock, current, observations, planner);
        this.policyThread = daemon(loop, "chimera-controller-policy");
        this.limiter = new RateLimiter(limits, initialSetpoint);
        this.refPosition = new double[dof];
        this.refVelocity = new double[dof];
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public int dof() {
        return refPosition.length;
    }

    /**
     * Warms the policy up ({@link ChunkPolicy#warmUp}: about a second for a learned one), then
     * launches the policy thread; it plans the first chunk once an observation has been given.
     */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(closed ? "the controller is closed" : "the controller is already started");
        }
        policy.warmUp();
        started = true;
        policyThread.start();
    }

    /**
     * Hands the policy the latest observation (copied; allocation-free), and shows it to the policy's
     * {@link ChunkPolicy#observe} with the clock's time. Call from one thread.
     */
    public void observe(double[] observation) {
        if (observation.length != observations.size()) {
            throw new IllegalArgumentException("an observation of " + observation.length + " values, expected "
                    + observations.size());
        }
        observations.write(observation);
        policy.observe(observation, clock.getAsLong());
    }

    /**
     * The setpoint at {@code timeNanos} (the control clock) into out (D), limits enforced. Call from
     * one control thread, with non-decreasing times; allocates nothing.
     */
    public void sample(long timeNanos, double[] out) {
        Segment segment = current.get();
        segment.state(timeNanos, refPosition, refVelocity);
        if (segment != tailCounted && segment.kind == Segment.Kind.CHUNK && timeNanos >= segment.main.end()) {
            tailCounted = segment;
            tailStops.lazySet(tailStops.get() + 1);
        }
        limiter.apply(timeNanos, refPosition, refVelocity, out);
        lastSample.lazySet(timeNanos);
    }

    /**
     * For simulated time: waits until the policy thread has done all that was due by the control
     * clock's {@code timeNanos} (a chunk requested, planned and switched in, or a stop published),
     * as if planning took no simulated time. A simulation that calls it each tick runs
     * deterministically. Returns false if that took longer than the timeout, or the controller is
     * not running.
     */
    public boolean awaitPolicy(long timeNanos, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (started && !closed) {
            if (loop.settledBefore > timeNanos && (loop.settledWithObservation || !observations.ready())) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.unpark(policyThread);
            Thread.onSpinWait();
        }
        return false;
    }

    /** The status as of the latest sample. */
    public ControllerStatus status() {
        if (!started && !closed) {
            return ControllerStatus.IDLE;
        }
        return current.get().status(lastSample.get());
    }

    /** Why the controller is stopping or stopped as of the latest sample; null while it is not. */
    public String stopCause() {
        return current.get().cause(lastSample.get());
    }

    /** Limit enforcements so far, per DoF. */
    public LimitReport limitReport() {
        return limiter.report();
    }

    /** Chunks published so far (each switched in at its instant, the end of the chunk before). */
    public long chunks() {
        return loop.chunks.get();
    }

    /** Smooth stops begun so far: published by the watchdog or close, or followed after a chunk that ran out. */
    public long stops() {
        return loop.stops.get() + tailStops.get();
    }

    /** How long the latest successful {@code plan} call took, in nanoseconds (0 before the first). */
    public long lastPlanNanos() {
        return loop.planNanos.get();
    }

    boolean policyThreadAlive() {
        return policyThread.isAlive();
    }

    /**
     * Stops the policy thread (interrupting a plan in progress) and waits for it, then publishes a
     * smooth stop a switch lead ahead of the clock (cause "closed"): the control loop keeps sampling
     * to bring the robot to rest. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.stop();
        policyThread.interrupt();
        planner.shutdownNow();
        if (started) {
            boolean interrupted = false;
            while (policyThread.isAlive()) {
                try {
                    policyThread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        long at = clock.getAsLong() + settings.switchLead().toNanos();
        Segment segment = current.get();
        if (!segment.stoppingAt(at)) {
            loop.stops.incrementAndGet();
        }
        current.set(Blend.stop(segment, at, settings.limits(), settings.minStop().toNanos(), "closed"));
    }
}
