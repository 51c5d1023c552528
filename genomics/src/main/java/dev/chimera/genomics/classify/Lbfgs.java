package dev.chimera.genomics.classify;

/**
 * Limited-memory BFGS (Nocedal and Wright, "Numerical Optimization", 2nd ed., algorithms 7.4 and
 * 7.5) with a backtracking line search under the Armijo condition, for the smooth convex
 * objectives of the logistic regressions here. A curvature pair with s·y <= 0 is not stored, so
 * the two-loop recursion keeps a positive definite inverse Hessian approximation.
 */
final class Lbfgs {
    /** An objective: its value at x, with its gradient written into grad. */
    interface Objective {
        double valueAndGradient(double[] x, double[] grad);
    }

    private static final int MEMORY = 10;
    private static final double ARMIJO = 1e-4;

    private Lbfgs() {
    }

    /**
     * Minimises {@code f} from {@code x} (updated in place) until the largest gradient component is
     * below {@code gradientTolerance}, a step no longer lowers f, or {@code maxIterations} steps;
     * returns f at the final x.
     */
    static double minimise(Objective f, double[] x, double gradientTolerance, int maxIterations) {
        int n = x.length;
        double[][] s = new double[MEMORY][n];
        double[][] y = new double[MEMORY][n];
        double[] rho = new double[MEMORY];
        double[] alpha = new double[MEMORY];
        double[] g = new double[n];
        double[] gNext = new double[n];
        double[] direction = new double[n];
        double[] xNext = new double[n];
        double value = f.valueAndGradient(x, g);
        int stored = 0;
        int newest = -1;
        for (int iteration = 0; iteration < maxIterations && maxAbs(g) > gradientTolerance; iteration++) {
            // Two-loop recursion: direction = -H g.
            System.arraycopy(g, 0, direction, 0, n);
            for (int j = 0; j < stored; j++) {
                int i = Math.floorMod(newest - j, MEMORY);
                alpha[i] = rho[i] * dot(s[i], direction);
                axpy(-alpha[i], y[i], direction);
            }
            double gamma = stored == 0 ? 1 / Math.max(1e-12, Math.sqrt(dot(g, g))) : dot(s[newest], y[newest])
                    / dot(y[newest], y[newest]);
            scale(direction, gamma);
            for (int j = stored - 1; j >= 0; j--) {
                int i = Math.floorMod(newest - j, MEMORY);
                double beta = rho[i] * dot(y[i], direction);
                axpy(alpha[i] - beta, s[i], direction);
            }
            scale(direction, -1);
            double slope = dot(g, direction);
            if (!(slope < 0)) {
                break;  // not a descent direction: rounding has the last word
            }
            double step = 1;
            double nextValue;
            int halvings = 0;
            while (true) {
                for (int k = 0; k < n; k++) {
                    xNext[k] = x[k] + step * direction[k];
                }
                nextValue = f.valueAndGradient(xNext, gNext);
                if (nextValue <= value + ARMIJO * step * slope || halvings == 50) {
                    break;
                }
                step /= 2;
                halvings++;
            }
            if (!(nextValue < value)) {
                break;
            }
            double sy = 0;
            for (int k = 0; k < n; k++) {
                sy += (xNext[k] - x[k]) * (gNext[k] - g[k]);
            }
            if (sy > 0) {
                newest = (newest + 1) % MEMORY;
                for (int k = 0; k < n; k++) {
                    s[newest][k] = xNext[k] - x[k];
                    y[newest][k] = gNext[k] - g[k];
                }
                rho[newest] = 1 / sy;
                stored = Math.min(stored + 1, MEMORY);
            }
            System.arraycopy(xNext, 0, x, 0, n);
            System.arraycopy(gNext, 0, g, 0, n);
            value = nextValue;
        }
        return value;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static void scale(double[] x, double a) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= a;
        }
    }

    private static double maxAbs(double[] x) {
        double m = 0;
        for (double v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
