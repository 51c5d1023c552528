package dev.chimera.robotics.tokenize;

import dev.chimera.robotics.control.ActionChunk;
import java.util.Arrays;
import java.util.List;

/**
 * BEAST, B-spline encoded action sequence tokens (REFERENCE §7; Zhou et al., arXiv 2506.06072):
 * each continuous DoF of a chunk becomes the control points of a clamped uniform B-spline over
 * u in [0, 1], u = 0 being the previously executed action and u = j / T the chunk's j-th action.
 * c_0 is pinned to the previous action (C0; with C1, c_1 to the previous velocity too), so the
 * decoded motion never jumps at a chunk boundary and the pinned points are not tokens; the free
 * points are a ridge fit ({@link SplineFit}). A gripper DoF is a degree-0 spline of N segment means
 * decoded binary-aware ({@link GripperSegments}). Every token is one of 256 bins between per-DoF
 * bounds: the extremes of the training chunks' fitted control points (a gripper's two levels);
 * the encoder quantises the points in order, each later one re-fitted to the rounding of the
 * earlier ones, which the decoder need not know.
 * Tokens are control-point-major: c_1 of every DoF, then c_2, ... (gripper segments from 0).
 *
 * <p>Values are normalised ({@link DofScaler}); {@link #toActionChunk} gives robot units. The
 * velocity is in normalised units per step, so the spline's slope at u = 0 is v T. Holds scratch
 * buffers: one instance per thread.
 */
public final class BeastTokenizer implements ActionTokenizer {
    public static final int BINS = 256;
    private final BeastSettings settings;
    private final SplineFit fit;
    private final GripperSegments segments;
    private final boolean[] gripper; // (D)
    private final double[] lower;    // (D) quantisation bounds
    private final double[] upper;    // (D)
    private final DofScaler scaler;
    private final int dof;
    private final int tokens;
    private final double[] points;   // (N, D) scratch control points
    private final double[] means;    // (N) scratch segment means
    private final double[] steps;    // (T, D) scratch gripper steps
    private final double[] basisScratch;

    private BeastTokenizer(BeastSettings settings, boolean[] gripper, double[] lower, double[] upper,
                           DofScaler scaler) {
        this.settings = settings;
        this.fit = SplineFit.of(settings.steps(), settings.controlPoints(), settings.degree(), settings.lambda(),
                settings.continuity());
        this.segments = new GripperSegments(settings.steps(), settings.controlPoints());
        this.gripper = gripper.clone();
        this.lower = lower;
        this.upper = upper;
        this.scaler = scaler;
        this.dof = gripper.length;
        int grippers = 0;
        for (boolean g : gripper) {
            grippers += g ? 1 : 0;
        }
        this.tokens = settings.tokensPerChunk(dof - grippers, grippers);
        this.points = new double[settings.controlPoints() * dof];
        this.means = new double[settings.controlPoints()];
        this.steps = new double[settings.steps() * dof];
        this.basisScratch = new double[fit.basis.scratchLength()];
    }

    /**
     * Fits the quantisation bounds on training chunks (teacher-forced: each chunk's true previous
     * action and velocity): per continuous DoF the extremes of its fitted free control points, per
     * gripper DoF the extremes of its values.
     */
    public static BeastTokenizer fit(BeastSettings settings, boolean[] gripper, DofScaler scaler,
                                     List<ChunkedEpisode> training) {
        int dof = gripper.length;
        double[] lower = new double[dof];
        double[] upper = new double[dof];
        Arrays.fill(lower, Double.POSITIVE_INFINITY);
        Arrays.fill(upper, Double.NEGATIVE_INFINITY);
        BeastTokenizer probe = new BeastTokenizer(settings, gripper, lower.clone(), upper.clone(), scaler);
        double[] previous = new double[dof];
        double[] velocity = new double[dof];
        double[] cp = new double[settings.controlPoints() * dof]; // (N, D)
        for (ChunkedEpisode episode : training) {
            for (int k = 0; k < episode.chunks(); k++) {
                double[] chunk = episode.chunk(k);
                episode.previous(k, previous);
                episode.velocity(k, velocity);
                probe.fitControlPoints(chunk, previous, velocity, cp);
                for (int d = 0; d < dof; d++) {
                    if (gripper[d]) {
                        for (int j = 0; j < settings.steps(); j++) {
                            lower[d] = Math.min(lower[d], chunk[j * dof + d]);
                            upper[d] = Math.max(upper[d], chunk[j * dof + d]);
                        }
                        continue;
                    }
                    for (int i = settings.continuity().pinned(); i < settings.controlPoints(); i++) {
                        lower[d] = Math.min(lower[d], cp[i * dof + d]);
                        upper[d] = Math.max(upper[d], cp[i * dof + d]);
                    }
                }
            }
        }
        for (int d = 0; d < dof; d++) {
            if (!(lower[d] <= upper[d])) {
                throw new IllegalArgumentException("no training chunks to fit BEAST's bounds on");
            }
        }
        return new BeastTokenizer(settings, gripper, lower, upper, scaler);
    }

    /** A tokenizer with bounds fitted before (a saved policy's), as {@link #fit} made it. */
    public static BeastTokenizer restore(BeastSettings settings, boolean[] gripper, double[] lower, double[] upper,
                                         DofScaler scaler) {
        if (lower.length != gripper.length || upper.length != gripper.length) {
            throw new IllegalArgumentException(gripper.length + " DoF but " + lower.length + " lower and "
                    + upper.length + " upper bounds");
        }
        return new BeastTokenizer(settings, gripper, lower.clone(), upper.clone(), scaler);
    }

    public BeastSettings settings() {
        return settings;
    }

    @Override
    public String method() {
        return "beast";
    }

    @Override
    public int chunkLength() {
        return settings.steps();
    }

    @Override
    public int dof() {
        return dof;
    }

    @Override
    public int maxTokens() {
        return tokens;
    }

    public boolean gripper(int d) {
        return gripper[d];
    }

    /** The quantisation bounds of DoF d: [lower, upper] maps to bins 0..255. */
    /**
     * The ridge fit this tokenizer encodes with, copied, for another implementation of the same encoding
     * (the GPU's batched one in {@code cuda-kernels}): the F = N - first free control points of a DoF's
     * chunk a (T) are {@code pseudo} (F, T) a - {@code pinned0} c0 - {@code pinned1} c1 (C1 only; zeros for
     * C0), and {@code feedback} (F, F), row i, is how the points after i move per unit of rounding of point i.
     */
    public FitMatrices fitMatrices() {
        return new FitMatrices(fit.first, fit.pseudo.clone(), fit.pinned0.clone(), fit.pinned1.clone(),
                fit.feedback.clone());
    }

    /** See {@link #fitMatrices()}. */
    public record FitMatrices(int first, double[] pseudo, double[] pinned0, double[] pinned1, double[] feedback) {
    }

    public double lower(int d) {
        return lower[d];
    }

    public double upper(int d) {
        return upper[d];
    }

    /**
     * The continuous (unquantised) control points of a chunk into out (N, D): pinned c_0 (and c_1),
     * then the ridge fit; a gripper column holds its segment means.
     */
    public void fitControlPoints(double[] chunk, double[] previous, double[] velocity, double[] out) {
        int n = settings.controlPoints();
        int t = settings.steps();
        int free = fit.free();
        for (int d = 0; d < dof; d++) {
            if (gripper[d]) {
                segments.means(chunk, d, dof, means);
                for (int i = 0; i < n; i++) {
                    out[i * dof + d] = means[i];
                }
                continue;
            }
            double c0 = previous[d];
            double c1 = c0 + velocity[d] * t / fit.basis.startSlopePerSecondPoint();
            out[d] = c0;
            if (fit.first == 2) {
                out[dof + d] = c1;
            }
            for (int f = 0; f < free; f++) {
                double sum = -fit.pinned0[f] * c0 - (fit.first == 2 ? fit.pinned1[f] * c1 : 0.0);
                int row = f * t;
                for (int j = 0; j < t; j++) {
                    sum += fit.pseudo[row + j] * chunk[j * dof + d];
                }
                out[(fit.first + f) * dof + d] = sum;
            }
        }
    }

    /**
     * Quantises the fitted free points in token order; within each continuous DoF every later point
     * takes up the rounding of the earlier ones ({@link SplineFit#feedback}).
     */
    @Override
    public int encode(double[] chunk, double[] previous, double[] velocity, int[] out) {
        fitControlPoints(chunk, previous, velocity, points);
        int free = fit.free();
        int count = 0;
        for (int i = 0; i < settings.controlPoints(); i++) {
            for (int d = 0; d < dof; d++) {
                if (gripper[d] || i >= fit.first) {
                    double x = points[i * dof + d];
                    int q = quantise(x, lower[d], upper[d]);
                    out[count++] = q;
                    if (!gripper[d]) {
                        double delta = dequantise(q, lower[d], upper[d]) - x;
                        int f = i - fit.first;
                        for (int r = f + 1; r < free; r++) {
                            points[(fit.first + r) * dof + d] -= fit.feedback[f * free + r] * delta;
                        }
                    }
                }
            }
        }
        return count;
    }

    static int quantise(double value, double lo, double hi) {
        if (!(hi > lo)) {
            return 0;
        }
        long q = Math.round((value - lo) / (hi - lo) * (BINS - 1));
        return (int) Math.max(0, Math.min(BINS - 1, q));
    }

    static double dequantise(int token, double lo, double hi) {
        return hi > lo ? lo + token * (hi - lo) / (BINS - 1) : lo;
    }

    /**
     * The de-quantised control points of a chunk into out (N, D): c_0 (and c_1) from the previous
     * motion, the rest from the tokens; gripper columns hold segment means.
     */
    public void controlPoints(int[] tokens, double[] previous, double[] velocity, double[] out) {
        int count = 0;
        for (int i = 0; i < settings.controlPoints(); i++) {
            for (int d = 0; d < dof; d++) {
                if (gripper[d] || i >= fit.first) {
                    out[i * dof + d] = dequantise(tokens[count++], lower[d], upper[d]);
                } else if (i == 0) {
                    out[d] = previous[d];
                } else {
                    out[dof + d] = previous[d] + velocity[d] * settings.steps() / fit.basis.startSlopePerSecondPoint();
                }
            }
        }
    }

    @Override
    public void decode(int[] tokens, int count, double[] previous, double[] velocity, double[] out) {
        if (count != this.tokens) {
            throw new IllegalArgumentException("BEAST decodes " + this.tokens + " tokens per chunk, got " + count);
        }
        controlPoints(tokens, previous, velocity, points);
        int n = settings.controlPoints();
        for (int d = 0; d < dof; d++) {
            if (gripper[d]) {
                decodeGripper(previous, d, out);
                continue;
            }
            for (int j = 0; j < settings.steps(); j++) {
                double sum = 0.0;
                int row = j * n;
                for (int i = 0; i < n; i++) {
                    sum += fit.design[row + i] * points[i * dof + d];
                }
                out[j * dof + d] = sum;
            }
        }
    }

    private void decodeGripper(double[] previous, int d, double[] out) {
        for (int i = 0; i < settings.controlPoints(); i++) {
            means[i] = points[i * dof + d];
        }
        segments.decode(means, previous[d], lower[d], upper[d], out, d, dof);
    }

    /**
     * Decodes at any resolution: {@code samples} setpoints at u = s / samples, s = 1..samples, into
     * out (samples, D), e.g. 1 kHz from a 10 Hz chunk. A gripper holds action m over (m / T, (m + 1) / T].
     */
    public void decode(int[] tokens, double[] previous, double[] velocity, int samples, double[] out) {
        controlPoints(tokens, previous, velocity, points);
        for (int d = 0; d < dof; d++) {
            if (gripper[d]) {
                decodeGripper(previous, d, steps);
            }
        }
        int t = settings.steps();
        for (int s = 1; s <= samples; s++) {
            double u = (double) s / samples;
            int m = Math.max(0, Math.min(t - 1, (int) Math.ceil(u * t - 1e-9) - 1));
            for (int d = 0; d < dof; d++) {
                out[(s - 1) * dof + d] = gripper[d] ? steps[m * dof + d] : evaluate(points, d, u);
            }
        }
    }

    /**
     * Continuous DoF d of the spline with control points (N, D) at u in [0, 1]. The clamped curve
     * passes through its end points, which are returned as they are, so that the C0 joint is exact
     * rather than within Cox-de Boor's round-off.
     */
    public double evaluate(double[] controlPoints, int d, double u) {
        if (gripper[d]) {
            throw new IllegalArgumentException("DoF " + d + " is a gripper: decode it with decode(..., samples, ...)");
        }
        if (u <= 0.0) {
            return controlPoints[d];
        }
        if (u >= 1.0) {
            return controlPoints[(settings.controlPoints() - 1) * dof + d];
        }
        return fit.basis.evaluate(controlPoints, d, dof, u, basisScratch);
    }

    /**
     * The chunk in the robot's units for the controller: continuous DoF as degree-p splines of the
     * denormalised control points (an affine map of the control points is that map of the curve, the
     * basis summing to one), gripper DoF as degree-0 splines with one coefficient per step, after
     * binary-aware decoding (step m holding over [m / T, (m + 1) / T)).
     */
    public ActionChunk toActionChunk(int[] tokens, double[] previous, double[] velocity, double rateHz) {
        controlPoints(tokens, previous, velocity, points);
        int n = settings.controlPoints();
        int t = settings.steps();
        int[] degrees = new int[dof];
        double[][] coefficients = new double[dof][];
        for (int d = 0; d < dof; d++) {
            if (gripper[d]) {
                decodeGripper(previous, d, steps);
                coefficients[d] = new double[t];
                for (int m = 0; m < t; m++) {
                    coefficients[d][m] = scaler.denormalise(d, steps[m * dof + d]);
                }
            } else {
                degrees[d] = settings.degree();
                coefficients[d] = new double[n];
                for (int i = 0; i < n; i++) {
                    coefficients[d][i] = scaler.denormalise(d, points[i * dof + d]);
                }
            }
        }
        return new ActionChunk(t / rateHz, degrees, coefficients);
    }
}
