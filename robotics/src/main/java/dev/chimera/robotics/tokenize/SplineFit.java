package dev.chimera.robotics.tokenize;

import dev.chimera.robotics.spline.BSplineBasis;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * The linear algebra of a BEAST fit for one (T, N, p, lambda, continuity), computed once and cached
 * (REFERENCE §7: "precompute the N x T matrix once"). The spline runs over the T + 1 instants
 * u_j = j / T: j = 0 is the previously executed action, which the clamped curve passes through as
 * c_0, and j = 1..T are the chunk's actions. With the pinned control points c_0 (and c_1 for C1)
 * known, the free ones solve the ridge problem
 * <pre>
 *   min_c || a - Phi_F c - B_0 c_0 - B_1 c_1 ||^2 + lambda || c ||^2   over j = 1..T
 *   c = P (a - B_0 c_0 - B_1 c_1),   P = (Phi_F^T Phi_F + lambda I)^-1 Phi_F^T
 * </pre>
 * with P from a Cholesky decomposition (Commons Math). Quantising the free points one at a time
 * in order, the points not yet quantised are moved to the ridge optimum given those already fixed:
 * the objective being quadratic with Hessian H = Phi_F^T Phi_F + lambda I, fixing point i at
 * x_i + delta moves the later points R by {@code -H_RR^-1 H_Ri delta} ({@link #feedback}), so the
 * later points absorb the rounding of the earlier ones. Immutable.
 */
final class SplineFit {
    private static final Map<Key, SplineFit> CACHE = new ConcurrentHashMap<>();
    private static final AtomicInteger COMPUTED = new AtomicInteger();

    record Key(int steps, int controlPoints, int degree, double lambda, Continuity continuity) {
    }

    final BSplineBasis basis;
    final int steps;          // T
    final int controlPoints;  // N
    final int first;          // index of the first free control point: 1 (C0) or 2 (C1)
    final double[] pseudo;    // (F, T) P, F = N - first
    final double[] pinned0;   // (F) P B_0: how c_0 moves the free points
    final double[] pinned1;   // (F) P B_1 (C1 only, zeros otherwise)
    final double[] design;    // (T, N) B_i(u_j) for j = 1..T
    final double[] feedback;  // (F, F) row i: how the points after i move per unit change of point i

    private SplineFit(Key key) {
        this.steps = key.steps();
        this.controlPoints = key.controlPoints();
        this.first = key.continuity().pinned();
        this.basis = BSplineBasis.clampedUniform(controlPoints, key.degree());
        double[] u = new double[steps];
        for (int j = 1; j <= steps; j++) {
            u[j - 1] = (double) j / steps;
        }
        double[][] phi = basis.design(u); // (T, N)
        int free = controlPoints - first;
        RealMatrix phiF = new Array2DRowRealMatrix(steps, free);
        for (int j = 0; j < steps; j++) {
            for (int f = 0; f < free; f++) {
                phiF.setEntry(j, f, phi[j][first + f]);
            }
        }
        RealMatrix gram = phiF.transpose().multiply(phiF);
        for (int f = 0; f < free; f++) {
            gram.addToEntry(f, f, key.lambda());
        }
        RealMatrix p = new CholeskyDecomposition(gram).getSolver().solve(phiF.transpose()); // (F, T)
        this.pseudo = new double[free * steps];
        this.pinned0 = new double[free];
        this.pinned1 = new double[free];
        for (int f = 0; f < free; f++) {
            for (int j = 0; j < steps; j++) {
                double w = p.getEntry(f, j);
                pseudo[f * steps + j] = w;
                pinned0[f] += w * phi[j][0];
                if (first == 2) {
                    pinned1[f] += w * phi[j][1];
                }
            }
        }
        this.feedback = new double[free * free];
        for (int i = 0; i + 1 < free; i++) {
            RealMatrix later = gram.getSubMatrix(i + 1, free - 1, i + 1, free - 1);
            RealMatrix coupling = gram.getSubMatrix(i + 1, free - 1, i, i);
            RealMatrix move = new CholeskyDecomposition(later).getSolver().solve(coupling);
            for (int r = i + 1; r < free; r++) {
                feedback[i * free + r] = move.getEntry(r - i - 1, 0);
            }
        }
        this.design = new double[steps * controlPoints];
        for (int j = 0; j < steps; j++) {
            System.arraycopy(phi[j], 0, design, j * controlPoints, controlPoints);
        }
        COMPUTED.incrementAndGet();
    }

    /** The fit for these settings, computed on first use. */
    static SplineFit of(int steps, int controlPoints, int degree, double lambda, Continuity continuity) {
        return CACHE.computeIfAbsent(new Key(steps, controlPoints, degree, lambda, continuity), SplineFit::new);
    }

    /** How many fits were computed in this JVM (the cache test counts them). */
    static int computed() {
        return COMPUTED.get();
    }

    int free() {
        return controlPoints - first;
    }
}
