package dev.chimera.robotics.spline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The basis against the Cox-de Boor recursion written out directly, and the spline's derivative against finite differences. */
class BSplineBasisTest {

    /** B_{i,p}(u) by its definition (right-open intervals, u = 1 given to the last non-empty span). */
    private static double coxDeBoor(double[] t, int i, int p, double u) {
        if (p == 0) {
            int last = t.length - 1;
            while (last > 0 && t[last - 1] == t[last]) {
                last--;
            }
            boolean inside = t[i] <= u && u < t[i + 1];
            boolean atEnd = u == t[t.length - 1] && i + 1 == last;
            return inside || atEnd ? 1.0 : 0.0;
        }
        double a = t[i + p] > t[i] ? (u - t[i]) / (t[i + p] - t[i]) * coxDeBoor(t, i, p - 1, u) : 0.0;
        double b = t[i + p + 1] > t[i + 1] ? (t[i + p + 1] - u) / (t[i + p + 1] - t[i + 1]) * coxDeBoor(t, i + 1, p - 1, u)
                : 0.0;
        return a + b;
    }

    @Test
    void basisMatchesTheRecursionAndSumsToOne() {
        int[][] shapes = {{10, 4}, {5, 4}, {12, 3}, {3, 0}, {7, 1}, {2, 1}};
        for (int[] s : shapes) {
            BSplineBasis basis = BSplineBasis.clampedUniform(s[0], s[1]);
            double[] knots = basis.knots();
            double[] values = new double[s[0]];
            double[] scratch = new double[basis.scratchLength()];
            for (int j = 0; j <= 40; j++) {
                double u = j / 40.0;
                basis.values(u, values, scratch);
                double sum = 0;
                for (int i = 0; i < s[0]; i++) {
                    // 1e-12: both sides are a few dozen multiply-adds of numbers in [0, 1]
                    assertEquals(coxDeBoor(knots, i, s[1], u), values[i], 1e-12, "N=" + s[0] + " p=" + s[1] + " u=" + u);
                    sum += values[i];
                }
                assertEquals(1.0, sum, 1e-12, "partition of unity");
            }
        }
    }

    @Test
    void clampedCurveStartsAndEndsAtItsEndControlPoints() {
        BSplineBasis basis = BSplineBasis.clampedUniform(6, 4);
        double[] c = {0.3, -1.0, 2.0, 0.5, 0.1, -0.7};
        double[] scratch = new double[basis.scratchLength()];
        assertEquals(0.3, basis.evaluate(c, 0, 1, 0.0, scratch), 1e-15);
        assertEquals(-0.7, basis.evaluate(c, 0, 1, 1.0, scratch), 1e-15);
    }

    @Test
    void derivativeMatchesFiniteDifferencesAndStartSlope() {
        SplittableRandom random = new SplittableRandom(3);
        BSplineBasis basis = BSplineBasis.clampedUniform(9, 4);
        BSplineBasis dBasis = basis.derivative();
        // coefficients interleaved with stride 2, as a chunk's control points are (control-point-major)
        double[] c = new double[18];
        for (int i = 0; i < c.length; i++) {
            c[i] = random.nextDouble(-1, 1);
        }
        double[] q = new double[8];
        basis.derivativeCoefficients(c, 1, 2, q, 0, 1);
        double[] scratch = new double[basis.scratchLength()];
        double h = 1e-6;
        for (int j = 1; j < 20; j++) {
            double u = j / 20.0 + 0.013;
            double fd = (basis.evaluate(c, 1, 2, u + h, scratch) - basis.evaluate(c, 1, 2, u - h, scratch)) / (2 * h);
            // central difference error ~ h^2 |S'''| ~ 1e-12 * 1e4; rounding ~ 1e-16 / 1e-6
            assertEquals(fd, dBasis.evaluate(q, 0, 1, u, scratch), 1e-7, "u=" + u);
        }
        assertEquals(basis.startSlopePerSecondPoint() * (c[3] - c[1]), dBasis.evaluate(q, 0, 1, 0.0, scratch), 1e-12);
    }

    @Test
    void rejectsTooFewControlPoints() {
        assertThrows(IllegalArgumentException.class, () -> BSplineBasis.clampedUniform(4, 4));
        assertThrows(IllegalStateException.class, () -> BSplineBasis.clampedUniform(3, 0).derivative());
    }
}
