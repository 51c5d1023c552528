package dev.chimera.robotics.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.robotics.control.ActionChunk;
import dev.chimera.robotics.control.ChunkPolicy;
import dev.chimera.robotics.control.ControllerSettings;
import dev.chimera.robotics.control.ReachPolicy;
import dev.chimera.robotics.control.RobotController;
import dev.chimera.robotics.policy.PolicyModel;
import dev.chimera.robotics.sim.PickPlaceSim;
import dev.chimera.runtime.Checkout;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chimera bench controller}: the {@link RobotController} in a real 1 kHz loop on the wall
 * clock. Each tick waits for its 1 ms deadline (spinning, or parked then spinning), hands over an
 * observation and times {@code sample()} with {@link System#nanoTime()}; the run reports the
 * latency percentiles (from a sorted array of every call), the bytes the control thread allocated
 * per sample (ThreadMXBean, over the whole loop), the loop rate achieved, ticks that started more
 * than 0.5 ms late, and the median time of the policy's {@code plan}. The reference measured in the
 * same run is the timer itself: two back-to-back {@code nanoTime} calls right after each sample,
 * and a fixed chain of {@value #REFERENCE_STEPS} dependent multiply-adds (about as long as a sample,
 * ~0.5 µs), whose p99 shows how much of a sample-sized window's tail is the machine's (preemption,
 * interrupts) rather than the code's. Before the run the sampling code is warmed up on a simulated clock, so the
 * just-in-time compiler's first work is not counted. The policy and its robot come from a
 * {@link ControllerWorkload}: the learned policy of {@code --model} (by default the shipped
 * models/robot-beast, when the checkout has it) driving a {@link PickPlaceSim} episode that the loop
 * steps with each setpoint, so that {@code chunk_ms} is the real policy's planning time; else the
 * scripted {@link ReachPolicy}.
 */
@Command(name = "controller", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Latency of RobotController.sample() in a real 1 kHz control loop.")
public final class BenchControllerCommand implements Callable<Integer> {
    private static final long TICK_NANOS = 1_000_000;
    private static final long LATE_NANOS = 500_000;
    private static final int WARMUP_SAMPLES = 200_000;
    private static final int RESOLVE_TICKS = 100;
    private static final int REFERENCE_STEPS = 300;

    private final ControllerWorkload injected;
    private ControllerWorkload workload;

    @Spec
    CommandSpec spec;

    @Option(names = "--seconds", defaultValue = "10", paramLabel = "S",
            description = "Length of the measured loop (default: ${DEFAULT-VALUE}).")
    double seconds;

    /** How a tick waits for its deadline. */
    enum Wait { spin, park }

    @Option(names = "--wait", defaultValue = "spin", paramLabel = "HOW",
            description = "spin: busy-wait the whole millisecond (a control thread that owns its core); park: sleep "
                    + "until 200 us before the deadline, then spin (default: ${DEFAULT-VALUE}).")
    Wait wait;

    @Option(names = "--model", paramLabel = "DIR",
            description = "A policy directory from 'robot train', planning on one compute thread and driving the "
                    + "pick-and-place sim (default: the shipped models/robot-beast when the checkout has it, else the "
                    + "scripted reach policy).")
    Path model;

    @Mixin
    JsonOption json;

    /** The command as users run it: {@code --model}, the shipped policy, or the synthetic workload. */
    public BenchControllerCommand() {
        this(null);
    }

    /** With a given workload, unless {@code --model} names another (null: as users run it). */
    public BenchControllerCommand(ControllerWorkload workload) {
        this.injected = workload;
    }

    @Override
    public Integer call() throws IOException {
        if (!(seconds > 0 && seconds <= 3600)) {
            throw new UserException("--seconds must be in (0, 3600], got " + seconds);
        }
        Path dir = model != null || injected != null ? model : shippedPolicy();
        if (dir == null) {
            workload = injected != null ? injected : ControllerWorkload.synthetic();
            return measure();
        }
        try (ComputePool pool = new ComputePool(1)) {
            workload = ControllerWorkload.learned(PolicyModel.open(dir, Backends.cpu(pool)));
            return measure();
        }
    }

    /** The shipped BEAST policy's directory, or null where the checkout has none. */
    private static Path shippedPolicy() {
        try {
            return Checkout.shippedModel(RobotDemo.BEAST_MODEL);
        } catch (UserException e) {
            return null;
        }
    }

    private int measure() {
        warmUp();
        int ticks = Math.max(2, (int) Math.round(seconds * 1000));
        TimedPolicy policy = new TimedPolicy(workload.policy().get());
        RobotController controller = new RobotController(policy, settings(), workload.initial());
        Loop loop = new Loop(controller, Math.max(ticks, RESOLVE_TICKS));
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        controller.start();
        loop.run(RESOLVE_TICKS);
        long allocBefore = mx.getThreadAllocatedBytes(thread);
        loop.run(ticks);
        long allocated = mx.getThreadAllocatedBytes(thread) - allocBefore;
        long chunks = controller.chunks();
        long stops = controller.stops();
        long enforcements = controller.limitReport().total();
        controller.close();
        long[] latency = Arrays.copyOf(loop.latency, ticks);
        long[] timer = Arrays.copyOf(loop.timer, ticks);
        long[] reference = Arrays.copyOf(loop.reference, ticks);
        Arrays.sort(reference);
        Arrays.sort(latency);
        Arrays.sort(timer);
        int misses = loop.misses;
        double loopHz = (ticks - 1) / ((loop.last - loop.first) * 1e-9);
        PrintWriter w = spec.commandLine().getOut();
        if (json.enabled()) {
            w.println(new JsonLine().put("sample_p50_ns", percentile(latency, 0.50))
                    .put("sample_p99_ns", percentile(latency, 0.99))
                    .put("alloc_bytes_per_sample", (double) allocated / ticks, 3)
                    .put("loop_hz", loopHz, 1)
                    .put("deadline_misses", misses)
                    .put("chunk_ms", policy.medianMillis(), 3)
                    .put("sample_p999_ns", percentile(latency, 0.999))
                    .put("sample_max_ns", latency[ticks - 1])
                    .put("nanotime_p50_ns", percentile(timer, 0.50))
                    .put("nanotime_p99_ns", percentile(timer, 0.99))
                    .put("reference_p50_ns", percentile(reference, 0.50))
                    .put("reference_p99_ns", percentile(reference, 0.99))
                    .put("samples", ticks)
                    .put("chunks", chunks)
                    .put("stops", stops)
                    .put("limit_enforcements", enforcements)
                    .put("wait", wait.name())
                    .put("policy", workload.name()));
        } else {
            w.printf(Locale.ROOT, "policy: %s%n", workload.name());
            w.printf(Locale.ROOT, "%d samples at %.1f Hz: sample() p50 %d ns, p99 %d ns, p99.9 %d ns, max %d ns "
                            + "(nanoTime itself: p50 %d ns, p99 %d ns; %d multiply-adds: p50 %d ns, p99 %d ns)%n", ticks,
                    loopHz, percentile(latency, 0.50), percentile(latency, 0.99), percentile(latency, 0.999),
                    latency[ticks - 1], percentile(timer, 0.50), percentile(timer, 0.99), REFERENCE_STEPS,
                    percentile(reference, 0.50), percentile(reference, 0.99));
            w.printf(Locale.ROOT, "%.3f bytes allocated per sample, %d deadline misses (> 0.5 ms late), plan median "
                            + "%.3f ms, %d chunks, %d stops, %d limit enforcements%n", (double) allocated / ticks,
                    misses, policy.medianMillis(), chunks, stops, enforcements);
        }
        w.flush();
        return 0;
    }

    /**
     * The measured loop. It runs once for {@link #RESOLVE_TICKS} before the measured run: the first
     * pass through its call sites resolves them, which allocates (a few kilobytes, once).
     */
    private final class Loop {
        final RobotController controller;
        final long[] latency;       // (ticks) sample() nanoseconds
        final long[] timer;         // (ticks) back-to-back nanoTime, a reference
        final long[] reference;     // (ticks) REFERENCE_STEPS multiply-adds, a sample-sized reference
        double sink;                // keeps the reference's result alive
        final double[] observation; // (O)
        final double[] out;         // (D)
        final ControllerWorkload.Robot robot;
        int misses;
        long first;
        long last;

        Loop(RobotController controller, int capacity) {
            this.controller = controller;
            latency = new long[capacity];
            timer = new long[capacity];
            reference = new long[capacity];
            observation = new double[workload.observationSize()];
            out = new double[workload.initial().length];
            robot = workload.robot().get();
        }

        void run(int ticks) {
            misses = 0;
            long begin = System.nanoTime() + TICK_NANOS;
            for (int k = 0; k < ticks; k++) {
                long deadline = begin + k * TICK_NANOS;
                waitUntil(deadline, wait == Wait.park);
                long now = System.nanoTime();
                if (now - deadline > LATE_NANOS) {
                    misses++;
                }
                if (k == 0) {
                    first = now;
                }
                last = now;
                robot.observe(k, observation);
                controller.observe(observation);
                long s0 = System.nanoTime();
                controller.sample(now, out);
                long s1 = System.nanoTime();
                latency[k] = s1 - s0;
                timer[k] = System.nanoTime() - s1;
                long r0 = System.nanoTime();
                double x = k;
                for (int i = 0; i < REFERENCE_STEPS; i++) {
                    x = x * 1.0000001 + 1e-9;
                }
                sink += x;
                reference[k] = System.nanoTime() - r0;
                robot.command(out);
            }
        }
    }

    private ControllerSettings settings() {
        return ControllerSettings.defaults(workload.initial().length, workload.observationSize())
                .withLimits(workload.limits());
    }

    /**
     * Compiles the sampling path: 10 s of simulated control at 20 kHz, the policy kept in step, the
     * robot observed and commanded once per simulated millisecond.
     */
    private void warmUp() {
        AtomicLong clock = new AtomicLong();
        double[] observation = new double[workload.observationSize()];
        double[] out = new double[workload.initial().length];
        ControllerWorkload.Robot robot = workload.robot().get();
        try (RobotController controller = new RobotController(workload.policy().get(), settings(), workload.initial(),
                clock::get)) {
            controller.start();
            Duration patience = Duration.ofSeconds(10);
            for (int k = 0; k < WARMUP_SAMPLES; k++) {
                long t = k * 50_000L;
                clock.set(t);
                robot.observe(k / 20, observation);
                controller.observe(observation);
                controller.awaitPolicy(t, patience);
                controller.sample(t, out);
                if (k % 20 == 19) {
                    robot.command(out);
                }
            }
        }
    }

    /** Waits for the deadline: spinning, or parked while far from it and spinning over the last 150-200 us. */
    private static void waitUntil(long deadline, boolean park) {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            if (park && remaining > 200_000) {
                LockSupport.parkNanos(remaining - 150_000);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** The value at quantile q of a sorted array (nearest rank). */
    static long percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The workload's policy with each {@code plan} call timed (called on the policy thread only). */
    private static final class TimedPolicy implements ChunkPolicy {
        private final ChunkPolicy inner;
        private long[] nanos = new long[64];
        private int count;

        TimedPolicy(ChunkPolicy inner) {
            this.inner = inner;
        }

        @Override
        public int dof() {
            return inner.dof();
        }

        @Override
        public void observe(double[] observation, long timeNanos) {
            inner.observe(observation, timeNanos);
        }

        @Override
        public ActionChunk plan(double[] observation, double[] startPosition, double[] startVelocity) throws Exception {
            long begin = System.nanoTime();
            ActionChunk chunk = inner.plan(observation, startPosition, startVelocity);
            record(System.nanoTime() - begin);
            return chunk;
        }

        private synchronized void record(long elapsed) {
            if (count == nanos.length) {
                nanos = Arrays.copyOf(nanos, 2 * count);
            }
            nanos[count++] = elapsed;
        }

        /** Median plan time in milliseconds; NaN if the policy was never asked. */
        synchronized double medianMillis() {
            if (count == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(nanos, count);
            Arrays.sort(sorted);
            return percentile(sorted, 0.5) * 1e-6;
        }
    }
}
