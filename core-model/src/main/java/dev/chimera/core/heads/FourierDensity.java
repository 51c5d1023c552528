package dev.chimera.core.heads;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.FourierDensityOp;
import dev.chimera.core.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * The Fourier head after its linear layer: coefficients z -> a smooth categorical distribution
 * over B bins of [-1, 1]. Reference: Gillman et al., "Fourier Head: Helping Large Language Models
 * Learn Complex Probability Distributions", ICLR 2025 (nate-gillman/fourier-head, fourier_head.py);
 * REFERENCE.md §4.
 *
 * <p>A row of z (rows, 2(N+1)) holds a_j = z_j + i z_{N+1+j}, j = 0..N. With the autocorrelation
 * c_k = sum_{j=0}^{N-k} a_{j+k} conj(a_j) and c^_k = c_k / c_0, the density on [-1, 1] is
 * q(x) = 1/2 + Re sum_{k=1}^{N} c^_k e^{i pi k x}; at the bin centres x_m = -1 + (2m+1)/B it gives
 * p_m = q_m / sum_m q_m and logits l_m = log(p_m + 1e-5).
 *
 * <p>Since c is the autocorrelation of a, q(x) = |A(x)|^2 / (2 c_0) with A(x) = sum_j a_j e^{i pi j x}
 * (Fejer-Riesz). We evaluate that form: the same numbers at the same O(N B) cost, but q_m >= 0 holds
 * in floating point and keeps its relative precision where the density is near zero, where the
 * series loses it to cancellation and may dip below zero, which sampling and quantiles cannot take.
 * The backward pass differentiates the same form: dL/da_n = (1/c_0) sum_m gq_m A_m e^{-i pi n x_m}
 * with gq_m = (dL/dp_m - sum_j p_j dL/dp_j) / S (p does not depend on c_0, see {@link FourierBasis});
 * "dL/da" means dL/dRe a + i dL/dIm a, so dz_n = Re dL/da_n and dz_{N+1+n} = Im dL/da_n.
 * REFERENCE.md's route through c_k gives the same gradient; the finite-difference tests check it
 * against that series form.
 *
 * <p>Regulariser, as the reference: R = gamma * 2 * mean_rows sum_{k=1}^{N} 2 pi^2 k^2 |c_k|^2 with
 * the <em>unnormalised</em> c_k (fourier_head.py squares fourier_coeffs before dividing by c_0),
 * averaged over every row of the forward call, ignored targets included. The reference uses
 * gamma = 1e-6. Its gradient enters through dL/dc_k = gamma * 2 / rows * 2 pi^2 k^2 * 2 c_k and
 * dL/da_n += sum_k [dL/dc_k a_{n-k} (n >= k) + conj(dL/dc_k) a_{n+k} (n + k <= N)].
 *
 * <p>Precision: z comes in as float32 (the model path, {@link Tensor}) or float64 (arrays, used by
 * the gradient checks); everything in between is double. Rows are split over the pool. As in
 * {@link Backend}, outputs and dz are overwritten, "rows" are all leading axes flattened, and
 * targets are in [0, B) or {@link Backend#IGNORE_TARGET}.
 */
public final class FourierDensity implements FourierDensityOp {
    /** Added to p before the log (the reference's const_inverse_softmax), so an empty bin has a finite logit. */
    public static final double LOG_EPS = 1e-5;

    private final int frequencies;
    private final int bins;
    private final ComputePool pool;
    private final FourierBasis basis;

    /**
     * {@code vector}: evaluate densities with the Vector API loops, or with the scalar loops only
     * (the reference backend's choice); both give the same bits.
     */
    public FourierDensity(int frequencies, int bins, ComputePool pool, boolean vector) {
        if (frequencies < 1) {
            throw new IllegalArgumentException("FourierDensity: frequencies N must be >= 1, got " + frequencies);
        }
        if (bins < 2) {
            throw new IllegalArgumentException("FourierDensity: bins B must be >= 2, got " + bins);
        }
        this.frequencies = frequencies;
        this.bins = bins;
        this.pool = Objects.requireNonNull(pool, "FourierDensity: pool");
        this.basis = new FourierBasis(frequencies, bins, vector);
    }

    @Override
    public int frequencies() {
        return frequencies;
    }

    @Override
    public int bins() {
        return bins;
    }

    /** Width of a row of z: 2(N+1). */
    @Override
    public int width() {
        return 2 * (frequencies + 1);
    }

    /** Saved state and scratch for forwards of up to {@code maxRows} rows. */
    @Override
    public FourierActivations allocate(int maxRows) {
        return new FourierActivations(this, maxRows, pool.threads());
    }

    // ---- forward: probabilities and logits --------------------------------------------------

    /** probs, logits: (rows, B) from z: (rows, 2(N+1)); saves z for the backward pass. */
    @Override
    public void forward(Tensor probs, Tensor logits, Tensor z, Saved saved) {
        FourierActivations act = own(saved);
        int rows = HeadChecks.rows("forward", "z", z, width());
        HeadChecks.shape("forward", "probs", probs, rows, bins);
        HeadChecks.shape("forward", "logits", logits, rows, bins);
        forward(Values.of(probs), Values.of(logits), Values.of(z), rows, act);
    }

    /** The float64 path of {@link #forward(Tensor, Tensor, Tensor, FourierActivations)}. */
    public void forward(double[] probs, double[] logits, double[] z, int rows, FourierActivations act) {
        HeadChecks.length("forward", "z", z, rows, width());
        HeadChecks.length("forward", "probs", probs, rows, bins);
        HeadChecks.length("forward", "logits", logits, rows, bins);
        forward(Values.of(probs), Values.of(logits), Values.of(z), rows, act);
    }

    /**
     * probs: (rows, B) from z: (rows, 2(N+1)), the same values as {@link #forward} writes, without
     * the logits; saves z as forward does.
     */
    @Override
    public void probabilities(Tensor probs, Tensor z, Saved saved) {
        FourierActivations act = own(saved);
        int rows = HeadChecks.rows("probabilities", "z", z, width());
        HeadChecks.shape("probabilities", "probs", probs, rows, bins);
        forward(Values.of(probs), null, Values.of(z), rows, act);
    }

    /** probs and, unless {@code logits} is null, logits from z; saves z. */
    private void forward(Values probs, Values logits, Values z, int rows, FourierActivations act) {
        begin(act, rows);
        eachRow(rows, act, (r, s) -> {
            load(z, r, act);
            basis.evaluate(act.a, r * width(), s);
            for (int m = 0; m < bins; m++) {
                probs.set(r * bins + m, s.p[m]);
            }
            if (logits != null) {
                for (int m = 0; m < bins; m++) {
                    logits.set(r * bins + m, Math.log(s.p[m] + LOG_EPS));
                }
            }
        });
        act.rows = rows;
    }

    /**
     * Backward from dlogits: (rows, B) into dz: (rows, 2(N+1)), with the regulariser's gradient
     * when gamma > 0. dL/dp_m = dlogits_m / (p_m + 1e-5). Returns R (0 when gamma = 0).
     */
    public double backward(Tensor dz, Tensor dlogits, double gamma, Saved saved) {
        FourierActivations act = own(saved);
        int rows = saved(act);
        HeadChecks.shape("backward", "dz", dz, rows, width());
        HeadChecks.shape("backward", "dlogits", dlogits, rows, bins);
        return backward(Values.of(dz), dlogitsSource(Values.of(dlogits), act), gamma, act);
    }

    /** The float64 path of {@link #backward(Tensor, Tensor, double, FourierActivations)}. */
    public double backward(double[] dz, double[] dlogits, double gamma, FourierActivations act) {
        int rows = saved(act);
        HeadChecks.length("backward", "dz", dz, rows, width());
        HeadChecks.length("backward", "dlogits", dlogits, rows, bins);
        return backward(Values.of(dz), dlogitsSource(Values.of(dlogits), act), gamma, act);
    }

    private GradientSource dlogitsSource(Values dlogits, FourierActivations act) {
        return (r, s) -> {
            basis.evaluate(act.a, r * width(), s);
            for (int m = 0; m < bins; m++) {
                s.g[m] = dlogits.get(r * bins + m) / (s.p[m] + LOG_EPS);
            }
            return true;
        };
    }

    // ---- forward: fused cross-entropy -------------------------------------------------------

    /**
     * losses: (rows), loss_r = logsumexp(l) - l_t = log(sum_m p_m + B eps) - log(p_t + eps) for the
     * target bin t, 0 where t = IGNORE_TARGET; no (rows, B) output is written. Saves z.
     */
    @Override
    public void crossEntropy(Tensor losses, Tensor z, int[] targets, Saved saved) {
        FourierActivations act = own(saved);
        int rows = HeadChecks.rows("crossEntropy", "z", z, width());
        HeadChecks.vector("crossEntropy", "losses", losses, rows);
        crossEntropy(Values.of(losses), Values.of(z), targets, rows, act);
    }

    /** The float64 path of {@link #crossEntropy(Tensor, Tensor, int[], FourierActivations)}. */
    public void crossEntropy(double[] losses, double[] z, int[] targets, int rows, FourierActivations act) {
        HeadChecks.length("crossEntropy", "z", z, rows, width());
        HeadChecks.length("crossEntropy", "losses", losses, rows, 1);
        crossEntropy(Values.of(losses), Values.of(z), targets, rows, act);
    }

    private void crossEntropy(Values losses, Values z, int[] targets, int rows, FourierActivations act) {
        HeadChecks.targets("crossEntropy", targets, rows, bins);
        begin(act, rows);
        eachRow(rows, act, (r, s) -> {
            load(z, r, act);
            basis.evaluate(act.a, r * width(), s);
            int t = targets[r];
            losses.set(r, t == Backend.IGNORE_TARGET ? 0
                    : Math.log(sum(s.p) + bins * LOG_EPS) - Math.log(s.p[t] + LOG_EPS));
        });
        act.rows = rows;
    }

    /** sum_m p_m in bin order (1 up to rounding). */
    private static double sum(double[] p) {
        double sum = 0;
        for (double v : p) {
            sum += v;
        }
        return sum;
    }

    /**
     * Backward of {@link #crossEntropy} scaled per row by dlosses: (rows), into dz: (rows, 2(N+1)),
     * with the regulariser's gradient when gamma > 0. Of loss = log(sum_m p_m + B eps) - log(p_t + eps)
     * only the second term varies with z (sum_m p_m = 1), so dL/dp_m = -dloss 1{m = t} / (p_t + eps);
     * this is softmax(l) - onehot(t) pulled back through l = log(p + eps), whose constant part the
     * normalisation of p cancels. Returns R (0 when gamma = 0).
     */
    @Override
    public double crossEntropyBackward(Tensor dz, Tensor dlosses, int[] targets, double gamma, Saved saved) {
        FourierActivations act = own(saved);
        int rows = saved(act);
        HeadChecks.shape("crossEntropyBackward", "dz", dz, rows, width());
        HeadChecks.vector("crossEntropyBackward", "dlosses", dlosses, rows);
        HeadChecks.targets("crossEntropyBackward", targets, rows, bins);
        return backward(Values.of(dz), crossEntropySource(Values.of(dlosses), targets, act), gamma, act);
    }

    /** The float64 path of {@link #crossEntropyBackward(Tensor, Tensor, int[], double, FourierActivations)}. */
    public double crossEntropyBackward(double[] dz, double[] dlosses, int[] targets, double gamma,
            FourierActivations act) {
        int rows = saved(act);
        HeadChecks.length("crossEntropyBackward", "dz", dz, rows, width());
        HeadChecks.length("crossEntropyBackward", "dlosses", dlosses, rows, 1);
        HeadChecks.targets("crossEntropyBackward", targets, rows, bins);
        return backward(Values.of(dz), crossEntropySource(Values.of(dlosses), targets, act), gamma, act);
    }

    private GradientSource crossEntropySource(Values dlosses, int[] targets, FourierActivations act) {
        return (r, s) -> {
            int t = targets[r];
            double dloss = dlosses.get(r);
            if (t == Backend.IGNORE_TARGET || dloss == 0) {
                return false;
            }
            basis.evaluate(act.a, r * width(), s);
            Arrays.fill(s.g, 0);
            s.g[t] = -dloss / (s.p[t] + LOG_EPS);
            return true;
        };
    }

    // ---- regulariser ------------------------------------------------------------------------

    /** R = gamma * 2 * mean_rows sum_{k=1}^{N} 2 pi^2 k^2 |c_k|^2 over the rows of the last forward. */
    @Override
    public double regularizer(double gamma, Saved saved) {
        FourierActivations act = own(saved);
        int rows = saved(act);
        HeadChecks.gamma(gamma);
        eachRow(rows, act, (r, s) -> act.penalty[r] = basis.penalty(act.a, r * width(), 0, s));
        return meanPenalty(gamma, rows, act);
    }

    private static double meanPenalty(double gamma, int rows, FourierActivations act) {
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            sum += act.penalty[r];
        }
        return gamma * 2 * sum / rows;
    }

    /** The saved state as this class's own type (whose owner the row passes check). */
    private static FourierActivations own(Saved saved) {
        if (!(saved instanceof FourierActivations)) {
            throw new IllegalArgumentException("FourierDensity: saved state of another backend: " + saved);
        }
        return (FourierActivations) saved;
    }

    // ---- the shared row work ----------------------------------------------------------------

    /** dL/dp_m of row r into s.g (after evaluating the row); false when the row has no such gradient. */
    private interface GradientSource {
        boolean fill(int r, FourierActivations.Scratch s);
    }

    private double backward(Values dz, GradientSource source, double gamma, FourierActivations act) {
        HeadChecks.gamma(gamma);
        int rows = act.rows;
        double gradScale = gamma * 2 / rows;
        eachRow(rows, act, (r, s) -> {
            int ao = r * width();
            Arrays.fill(s.ga, 0);
            if (source.fill(r, s)) {
                basis.densityBackward(act.a, ao, s);
            }
            if (gamma > 0) {
                act.penalty[r] = basis.penalty(act.a, ao, gradScale, s);
            }
            for (int i = 0; i < width(); i++) {
                dz.set(ao + i, s.ga[i]);
            }
        });
        return gamma > 0 ? meanPenalty(gamma, rows, act) : 0;
    }

    /** Copies row r of z into the saved coefficients, refusing non-finite values and all-zero rows (c_0 = 0). */
    private void load(Values z, int r, FourierActivations act) {
        int w = width();
        boolean nonzero = false;
        for (int i = 0; i < w; i++) {
            double v = z.get(r * w + i);
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("FourierDensity: z[" + r + ", " + i + "] = " + v + " is not finite");
            }
            nonzero |= v != 0;
            act.a[r * w + i] = v;
        }
        if (!nonzero) {
            throw new IllegalArgumentException("FourierDensity: row " + r
                    + " of z is all zeros, so c_0 = 0 and the density is undefined");
        }
    }

    private void begin(FourierActivations act, int rows) {
        if (act.owner != this) {
            throw new IllegalArgumentException("FourierDensity: activations were allocated by another head");
        }
        if (rows < 1 || rows > act.maxRows) {
            throw new IllegalArgumentException("FourierDensity: " + rows + " rows, but the activations hold 1.."
                    + act.maxRows);
        }
        act.rows = -1;
    }

    private int saved(FourierActivations act) {
        if (act.owner != this) {
            throw new IllegalArgumentException("FourierDensity: activations were allocated by another head");
        }
        if (act.rows < 0) {
            throw new IllegalStateException("FourierDensity: backward or regularizer before a successful forward");
        }
        return act.rows;
    }

    private interface RowTask {
        void run(int r, FourierActivations.Scratch s);
    }

    /** Runs task over rows [0, rows) in contiguous chunks, one chunk and one scratch per pool thread. */
    private void eachRow(int rows, FourierActivations act, RowTask task) {
        int chunks = Math.min(rows, act.scratch.length);
        pool.parallelFor(chunks, c -> {
            FourierActivations.Scratch s = act.scratch[c];
            int end = (int) ((long) (c + 1) * rows / chunks);
            for (int r = (int) ((long) c * rows / chunks); r < end; r++) {
                task.run(r, s);
            }
        });
    }
}
