package dev.chimera.robotics.spline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The span polynomials against the B-spline they were built from, and their derivatives against the derivative splines. */
class PiecewisePolynomialTest {
    private static final SplittableRandom RANDOM = new SplittableRandom(20261208);

    private static double[] points(int n) {
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = RANDOM.nextDouble(-3, 3);
        }
        return c;
    }

    /** u on a grid, every knot, just below and above every knot, and outside [0, 1]. */
    private static double[] probes(double[] knots) {
        double[] u = new double[101 + 3 * knots.length + 2];
        int i = 0;
        for (int j = 0; j <= 100; j++) {
            u[i++] = j / 100.0;
        }
        for (double k : knots) {
            u[i++] = k;
            u[i++] = Math.nextDown(k);
            u[i++] = Math.nextUp(k);
        }
        u[i++] = -0.05;
        u[i] = 1.05;
        return u;
    }

    private static void assertSameCurve(BSplineBasis basis, double[] c, PiecewisePolynomial poly, String what) {
        double[] scratch = new double[basis.scratchLength()];
        double scale = 0;
        for (double x : c) {
            scale = Math.max(scale, Math.abs(x));
        }
        for (double u : probes(basis.knots())) {
            assertEquals(basis.evaluate(c, 0, 1, u, scratch), poly.value(u), 1e-11 * Math.max(1, scale),
                    what + " at u=" + u);
        }
    }

    @Test
    void equalsTheSplineOnClampedUniformBases() {
        int[][] shapes = {{10, 4}, {5, 4}, {12, 3}, {3, 0}, {7, 1}, {2, 1}, {1, 0}, {6, 5}, {24, 10}, {9, 2}};
        for (int[] s : shapes) {
            BSplineBasis basis = BSplineBasis.clampedUniform(s[0], s[1]);
            double[] c = points(s[0]);
            PiecewisePolynomial poly = PiecewisePolynomial.of(basis, c);
            assertEquals(s[1], poly.degree());
            assertSameCurve(basis, c, poly, "N=" + s[0] + " p=" + s[1]);
        }
    }

    @Test
    void equalsTheSplineOnUnevenKnotsWithARepeatedInteriorKnot() {
        double[] knots = {0, 0, 0, 0.1, 0.45, 0.45, 0.5, 0.93, 1, 1, 1};
        BSplineBasis basis = new BSplineBasis(knots, 2);
        double[] c = points(basis.controlPoints());
        assertSameCurve(basis, c, PiecewisePolynomial.of(basis, c), "uneven knots");
    }

    @Test
    void derivativesEqualTheDerivativeSplinesScaled() {
        int[][] shapes = {{10, 4}, {12, 3}, {7, 1}, {6, 5}};
        for (int[] s : shapes) {
            BSplineBasis basis = BSplineBasis.clampedUniform(s[0], s[1]);
            double[] c = points(s[0]);
            double scale = 1 / 0.35; // d/du to d/dt over a 0.35 s chunk
            PiecewisePolynomial poly = PiecewisePolynomial.of(basis, c);
            BSplineBasis db = basis;
            double[] dc = c;
            PiecewisePolynomial dp = poly;
            double factor = 1;
            for (int order = 1; order <= Math.min(2, s[1]); order++) {
                double[] next = new double[dc.length - 1];
                db.derivativeCoefficients(dc, 0, 1, next, 0, 1);
                db = db.derivative();
                dc = next;
                dp = dp.derivative(scale);
                factor *= scale;
                double[] scaled = dc.clone();
                for (int i = 0; i < scaled.length; i++) {
                    scaled[i] *= factor;
                }
                assertSameCurve(db, scaled, dp, "derivative " + order + " of N=" + s[0] + " p=" + s[1]);
            }
        }
    }

    @Test
    void oneHornerPassGivesTheValueAndTheScaledSlope() {
        int[][] shapes = {{10, 4}, {5, 4}, {7, 1}, {3, 0}, {24, 10}};
        double[] value = new double[2];
        double[] slope = new double[2];
        for (int[] s : shapes) {
            PiecewisePolynomial poly = PiecewisePolynomial.of(BSplineBasis.clampedUniform(s[0], s[1]), points(s[0]));
            PiecewisePolynomial derivative = s[1] == 0 ? null : poly.derivative(2.5);
            for (double u : probes(BSplineBasis.clampedUniform(s[0], s[1]).knots())) {
                poly.valueAndSlope(u, 2.5, value, slope, 1);
                assertEquals(poly.value(u), value[1], 0.0, "value, N=" + s[0] + " p=" + s[1] + " u=" + u);
                double expected = derivative == null ? 0.0 : derivative.value(u);
                assertEquals(expected, slope[1], 1e-10 * Math.max(1, Math.abs(expected)),
                        "slope, N=" + s[0] + " p=" + s[1] + " u=" + u);
            }
        }
    }

    @Test
    void aDegreeZeroCurveHasNoDerivativeAndAWrongPointCountIsRefused() {
        BSplineBasis basis = BSplineBasis.clampedUniform(3, 0);
        PiecewisePolynomial steps = PiecewisePolynomial.of(basis, new double[] {1, 2, 3});
        assertEquals(1, steps.value(0.0));
        assertEquals(2, steps.value(1.0 / 3));
        assertEquals(3, steps.value(1.0));
        assertThrows(IllegalStateException.class, () -> steps.derivative(1));
        assertThrows(IllegalArgumentException.class, () -> PiecewisePolynomial.of(basis, new double[] {1, 2}));
    }
}
