package dev.chimera.timeseries.baseline;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;

/**
 * The Holt-Winters initial state that minimises the one-step squared errors over a segment of n
 * rows, for fixed smoothing parameters: for Gaussian errors, the maximum-likelihood initial state
 * that R's forecast::ets finds by optimisation, here in closed form.
 *
 * <p>The filter ({@link HoltWinters}) is linear in the data and the initial state x0 together, so
 * the errors are {@code e = e0 + Z c}: e0 the errors of the data from the zero state, and column i
 * of Z (n x (m+1)) the errors of all-zero data from basis state i. The basis is level, trend, and
 * m-1 seasonal contrasts (phase i up by 1, phase m-1 down by 1): a constant added to the level and
 * taken from every seasonal term changes no forecast, so the seasonal terms are kept summing to
 * zero and Z has full rank. Z depends only on the parameters, m and n, so it is built once (m+1
 * filter passes over zeros) and each segment then costs one filter pass, {@code Z^T e0} and an
 * (m+1) x (m+1) solve: {@code c = -(Z^T Z)^{-1} Z^T e0}, solved on unit-norm columns because the
 * trend column grows with n.
 *
 * <p>Immutable after construction: safe to share between threads.
 */
final class InitialStates {

    private final EtsParameters parameters;
    private final int m;
    private final int n;
    /** Z by columns, each divided by its norm; (m+1, n) */
    private final double[][] columns;
    private final double[] norms;  // (m+1)
    private final DecompositionSolver solver;

    /**
     * @throws IllegalArgumentException when Z^T Z is not positive definite (the parameters make the
     *                                  filter unstable, or n is too short for m)
     */
    InitialStates(EtsParameters p, int m, int n) {
        if (n < 2 * m) {
            throw new IllegalArgumentException("Holt-Winters initial states need two seasons of " + m + " rows, got " + n);
        }
        this.parameters = p;
        this.m = m;
        this.n = n;
        int k = m + 1;
        double[] zeros = new double[n];
        columns = new double[k][n];
        norms = new double[k];
        HoltWinters.State state = new HoltWinters.State(m);
        for (int i = 0; i < k; i++) {
            basis(i, state);
            HoltWinters.filter(zeros, 0, n, p, state, columns[i]);
            double norm = 0;
            for (double v : columns[i]) {
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            if (!(norm > 0) || Double.isInfinite(norm)) {
                throw new IllegalArgumentException("Holt-Winters with " + p + " is unstable over " + n + " rows");
            }
            norms[i] = norm;
            for (int t = 0; t < n; t++) {
                columns[i][t] /= norm;
            }
        }
        double[][] gram = new double[k][k];  // Z^T Z of the normalised columns
        for (int i = 0; i < k; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                double[] a = columns[i];
                double[] b = columns[j];
                for (int t = 0; t < n; t++) {
                    s += a[t] * b[t];
                }
                gram[i][j] = s;
                gram[j][i] = s;
            }
        }
        try {
            solver = new CholeskyDecomposition(new Array2DRowRealMatrix(gram, false), 1e-12, 1e-12).getSolver();
        } catch (NonPositiveDefiniteMatrixException e) {
            throw new IllegalArgumentException("Holt-Winters with " + p + ": the initial state is not identifiable"
                    + " over " + n + " rows", e);
        }
    }

    /** Basis state i before row 0: level, trend, or seasonal contrast i - 2. */
    private void basis(int i, HoltWinters.State state) {
        state.level = i == 0 ? 1 : 0;
        state.trend = i == 1 ? 1 : 0;
        java.util.Arrays.fill(state.season, 0);
        if (i >= 2) {
            state.season[i - 2] = 1;
            state.season[m - 1] = -1;
        }
        state.next = 0;
    }

    /** The least-squares initial state for {@code y[from, from + n)}: the state before row {@code from}. */
    HoltWinters.State solve(double[] y, int from, HoltWinters.State into) {
        double[] e0 = new double[n];  // errors from the zero state
        basis(-1, into);
        HoltWinters.filter(y, from, from + n, parameters, into, e0);
        int k = m + 1;
        double[] rhs = new double[k];  // Z^T e0 (normalised columns)
        for (int i = 0; i < k; i++) {
            double s = 0;
            double[] col = columns[i];
            for (int t = 0; t < n; t++) {
                s += col[t] * e0[t];
            }
            rhs[i] = -s;
        }
        double[] c = solver.solve(new ArrayRealVector(rhs, false)).toArray();
        basis(-1, into);
        into.level = c[0] / norms[0];
        into.trend = c[1] / norms[1];
        for (int i = 2; i < k; i++) {
            double v = c[i] / norms[i];
            into.season[i - 2] += v;
            into.season[m - 1] -= v;
        }
        return into;
    }

    /** The segment length these initial states are for. */
    int length() {
        return n;
    }
}
