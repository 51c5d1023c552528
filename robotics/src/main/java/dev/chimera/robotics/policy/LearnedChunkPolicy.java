package dev.chimera.robotics.policy;

import dev.chimera.robotics.control.ActionChunk;
import dev.chimera.robotics.sim.PickPlaceSim;
import dev.chimera.robotics.control.ChunkPolicy;
import dev.chimera.robotics.control.RobotController;
import dev.chimera.robotics.tokenize.BeastTokenizer;
import dev.chimera.robotics.tokenize.DofScaler;
import java.lang.invoke.VarHandle;

/**
 * A trained {@link ActionPolicy} as the {@link ChunkPolicy} of a {@link RobotController}: the
 * learned policy behind the controller, in robot units, at any control rate (REFERENCE §7).
 *
 * <p>History. The policy reads H observations {@code stride / rateHz} seconds apart (0.1 s), the
 * last being the planning instant's. The controller shows this adapter every observation with its
 * clock time ({@link #observe}); it keeps one per {@value #SLOTS_PER_PERIOD}th of that spacing in a
 * ring spanning the history, and at planning time takes for position k the kept observation nearest
 * to {@code newest - (H - 1 - k) * spacing} (the oldest kept one while the episode is younger than
 * the history, as training clips at the episode's start) and the observation {@code plan} is given
 * for the last position. The ring is written by the control thread and read by the policy's thread
 * through a sequence lock (one writer, no locks or allocation on the control thread), as the
 * controller's own observation buffer is.
 *
 * <p>Chunks. {@code plan} normalises the start position as the action executed before the chunk
 * and plans T steps. A BEAST policy's chunk is its decoded control points, denormalised
 * ({@code BeastTokenizer.toActionChunk}): the clamped degree-p spline the tokens stand for, pinned
 * to the start (C0; the controller also pins C1, so the start velocity is not given to the policy,
 * whose codec was trained without it). A binning policy's chunk is per-step values as degree-1
 * splines of T + 1 control points (the start, then the T steps). Gripper DoF are degree-0 splines of
 * the T decoded steps. Either lasts T / rateHz seconds. One instance per controller: the history
 * belongs to one episode.
 */
public final class LearnedChunkPolicy implements ChunkPolicy {
    static final int SLOTS_PER_PERIOD = 200;
    /** Plans made by {@link #warmUp}: enough for the just-in-time compiler to finish (~0.6 s). */
    static final int WARM_UP_PLANS = 1000;

    private final ActionPolicy policy;
    private final PolicyModel model;
    private final PolicyLayout layout;
    private final long spacingNanos;
    private final long resolutionNanos;
    private final double[][] ring;      // (slots, O) kept observations, written by observe only
    private final long[] times;         // (slots) their clock times
    private long written;               // observations kept so far (published by version)
    private volatile long version;      // odd while observe writes
    private final double[][] history;   // (H, O) what plan hands the policy
    private final double[] previous;    // (D) normalised start position
    private final double[] velocity;    // (D) zeros: the BEAST codec pins C0 only
    private final double[][] steps;     // (T, D) normalised decoded steps
    private final int[] tokens;         // (predictions * values per prediction)

    public LearnedChunkPolicy(ActionPolicy policy) {
        this.policy = policy;
        this.model = policy.model();
        this.layout = model.layout();
        ChunkCodec codec = model.codec();
        this.spacingNanos = Math.round(layout.stride() * 1e9 / model.rateHz());
        this.resolutionNanos = Math.max(1, spacingNanos / SLOTS_PER_PERIOD);
        int slots = (layout.history() - 1) * SLOTS_PER_PERIOD + 2;
        this.ring = new double[slots][PickPlaceSim.OBS_DIM];
        this.times = new long[slots];
        this.history = new double[layout.history()][PickPlaceSim.OBS_DIM];
        this.previous = new double[codec.dof()];
        this.velocity = new double[codec.dof()];
        this.steps = new double[codec.steps()][codec.dof()];
        this.tokens = new int[codec.predictionsPerChunk() * codec.valuesPerPrediction()];
    }

    @Override
    public int dof() {
        return model.codec().dof();
    }

    /** Seconds between two history positions: stride / rateHz. */
    public double historySpacingSeconds() {
        return spacingNanos * 1e-9;
    }

    /**
     * Plans {@value #WARM_UP_PLANS} chunks from a history of the simulator's start observation,
     * starting in the middle of the action ranges (its code compiles on the way: from ~9 ms to ~0.3 ms a plan on one thread), through the same
     * code as {@link #plan} but without touching the observation ring, so later plans are unchanged.
     */
    @Override
    public void warmUp() {
        double[] start = new double[PickPlaceSim.OBS_DIM];
        new PickPlaceSim().observation(start);
        for (double[] row : history) {
            System.arraycopy(start, 0, row, 0, start.length);
        }
        double[] position = new double[dof()];  // the middle of each DoF's range
        for (int d = 0; d < position.length; d++) {
            position[d] = model.actionScaler().denormalise(d, 0.0);
        }
        for (int i = 0; i < WARM_UP_PLANS; i++) {
            chunk(position);
        }
    }

    /** Keeps the observation if the last kept one is at least a resolution step older. Control thread only. */
    @Override
    public void observe(double[] observation, long timeNanos) {
        checkObservation(observation);
        long n = written;
        if (n > 0 && timeNanos - times[(int) ((n - 1) % times.length)] < resolutionNanos) {
            return;
        }
        int slot = (int) (n % times.length);
        long v = version;
        version = v + 1;
        VarHandle.storeStoreFence();
        System.arraycopy(observation, 0, ring[slot], 0, observation.length);
        times[slot] = timeNanos;
        written = n + 1;
        version = v + 2;
    }

    @Override
    public ActionChunk plan(double[] observation, double[] startPosition, double[] startVelocity) {
        checkObservation(observation);
        int dof = dof();
        if (startPosition.length != dof) {
            throw new IllegalArgumentException("a start position of " + startPosition.length + " values, the policy "
                    + "plans " + dof + " DoF");
        }
        history(observation, history);
        return chunk(startPosition);
    }

    /** The chunk planned from {@link #history} as it stands, starting at startPosition (robot units, D). */
    private ActionChunk chunk(double[] startPosition) {
        DofScaler scaler = model.actionScaler();
        for (int d = 0; d < previous.length; d++) {
            previous[d] = scaler.normalise(d, startPosition[d]);
        }
        policy.plan(history, previous, steps);
        if (model.codec().tokenizer() instanceof BeastTokenizer beast) {
            policy.tokens(tokens);
            return beast.toActionChunk(tokens, previous, velocity, model.rateHz());
        }
        return perStep(startPosition);
    }

    /** The decoded steps as degree-1 splines through the start and the T steps; grippers degree 0. */
    private ActionChunk perStep(double[] startPosition) {
        DofScaler scaler = model.actionScaler();
        int dof = dof();
        int t = steps.length;
        int[] degrees = new int[dof];
        double[][] coefficients = new double[dof][];
        for (int d = 0; d < dof; d++) {
            boolean gripper = model.gripper(d);
            degrees[d] = gripper ? 0 : 1;
            double[] c = new double[gripper ? t : t + 1];
            int first = gripper ? 0 : 1;
            if (!gripper) {
                c[0] = startPosition[d];
            }
            for (int j = 0; j < t; j++) {
                c[first + j] = scaler.denormalise(d, steps[j][d]);
            }
            coefficients[d] = c;
        }
        return new ActionChunk(t / model.rateHz(), degrees, coefficients);
    }

    /**
     * The history (H, O) into out for planning now: kept observations nearest to the history's
     * instants before the newest kept one, and {@code latest} last. Policy thread only.
     */
    void history(double[] latest, double[][] out) {
        int h = out.length;
        while (true) {
            long v = version;
            if ((v & 1) == 0) {
                long n = written;
                if (n == 0) {
                    for (int k = 0; k < h - 1; k++) {
                        System.arraycopy(latest, 0, out[k], 0, latest.length);
                    }
                } else {
                    long oldest = Math.max(0, n - times.length);
                    long anchor = times[(int) ((n - 1) % times.length)];
                    for (int k = 0; k < h - 1; k++) {
                        long slot = nearest(anchor - (h - 1 - k) * spacingNanos, oldest, n - 1);
                        double[] kept = ring[(int) (slot % times.length)];
                        System.arraycopy(kept, 0, out[k], 0, kept.length);
                    }
                }
                VarHandle.loadLoadFence();
                if (version == v) {
                    break;
                }
            }
            Thread.onSpinWait();
        }
        System.arraycopy(latest, 0, out[h - 1], 0, latest.length);
    }

    /** The kept observation (a count in [lo, hi]) whose time is nearest the target; times increase with the count. */
    private long nearest(long target, long lo, long hi) {
        long a = lo;
        long b = hi;
        while (a < b) { // the first count at or after the target, or hi
            long mid = (a + b) >>> 1;
            if (times[(int) (mid % times.length)] < target) {
                a = mid + 1;
            } else {
                b = mid;
            }
        }
        if (a > lo && target - times[(int) ((a - 1) % times.length)] <= times[(int) (a % times.length)] - target) {
            return a - 1;
        }
        return a;
    }

    private void checkObservation(double[] observation) {
        if (observation.length != PickPlaceSim.OBS_DIM) {
            throw new IllegalArgumentException("an observation of " + observation.length + " values, the policy reads "
                    + PickPlaceSim.OBS_DIM);
        }
    }
}
