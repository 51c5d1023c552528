package dev.chimera.robotics.spline;

import java.util.Arrays;

/**
 * A B-spline rewritten as one polynomial per knot span, in powers of {@code x = u - start of the span}:
 * evaluating it is a span lookup (one multiply for uniform knots) and Horner's rule, p multiply-adds,
 * where {@link BSplineBasis#evaluate} rebuilds the p + 1 basis functions with p(p + 1)/2 divisions.
 * The robot controller builds these once per chunk on the policy thread and evaluates them at 1 kHz
 * and more on the control thread. Each span's coefficients are the curve's Taylor coefficients at the
 * span's start, {@code f^(j)(a) / j!}, taken from the B-spline's derivative splines, so the polynomial
 * is the same curve (to rounding). Outside the knots' range the end spans' polynomials extend, as they
 * do in {@link BSplineBasis#evaluate}. Immutable, safe to share between threads, allocation-free.
 */
public final class PiecewisePolynomial {
    private final int degree;
    private final double[] breaks;        // (S + 1) span starts, then the end of the last span
    private final double[] coefficients;  // (S)(p + 1), span-major, the power 0 coefficient first
    private final double spansPerUnit;    // S / (breaks[S] - breaks[0]): the span guess for uniform knots

    private PiecewisePolynomial(int degree, double[] breaks, double[] coefficients) {
        this.degree = degree;
        this.breaks = breaks;
        this.coefficients = coefficients;
        int spans = breaks.length - 1;
        double width = breaks[spans] - breaks[0];
        this.spansPerUnit = width > 0 ? spans / width : 0.0;
    }

    /** The curve {@code sum_i controlPoints[i] B_i(u)} of this basis, span by span. */
    public static PiecewisePolynomial of(BSplineBasis basis, double[] controlPoints) {
        int p = basis.degree();
        int n = basis.controlPoints();
        if (controlPoints.length != n) {
            throw new IllegalArgumentException("a basis of " + n + " control points got " + controlPoints.length);
        }
        double[] knots = basis.knots();
        double[] breaks = distinctBreaks(knots, p, n);
        int spans = breaks.length - 1;
        double[] coefficients = new double[spans * (p + 1)];
        // the j-th derivative spline, evaluated at every span's start, gives every span's j-th coefficient
        BSplineBasis derivativeBasis = basis;
        double[] derivativePoints = controlPoints; // read only; each derivative is a new array
        double[] scratch = new double[basis.scratchLength()];
        double factorial = 1.0;
        for (int j = 0; j <= p; j++) {
            if (j > 0) {
                factorial *= j;
                double[] next = new double[derivativePoints.length - 1];
                derivativeBasis.derivativeCoefficients(derivativePoints, 0, 1, next, 0, 1);
                derivativeBasis = derivativeBasis.derivative();
                derivativePoints = next;
            }
            for (int k = 0; k < spans; k++) {
                coefficients[k * (p + 1) + j] =
                        derivativeBasis.evaluate(derivativePoints, 0, 1, breaks[k], scratch) / factorial;
            }
        }
        return new PiecewisePolynomial(p, breaks, coefficients);
    }

    /** The distinct knot values from {@code knots[p]} to {@code knots[n]}: the spans that carry the curve. */
    private static double[] distinctBreaks(double[] knots, int p, int n) {
        double[] breaks = new double[n - p + 1];
        int count = 0;
        breaks[count++] = knots[p];
        for (int i = p + 1; i <= n; i++) {
            if (knots[i] > breaks[count - 1]) {
                breaks[count++] = knots[i];
            }
        }
        if (count == 1) { // every knot the same: one span of zero width
            breaks[count++] = knots[p];
        }
        return Arrays.copyOf(breaks, count);
    }

    public int degree() {
        return degree;
    }

    /**
     * The derivative d/du times scale (a change of variable: 1 / seconds turns d/du into d/dt), one
     * degree less.
     */
    public PiecewisePolynomial derivative(double scale) {
        if (degree == 0) {
            throw new IllegalStateException("a degree-0 spline is piecewise constant: no derivative polynomial");
        }
        int spans = breaks.length - 1;
        double[] out = new double[spans * degree];
        for (int k = 0; k < spans; k++) {
            for (int j = 0; j < degree; j++) {
                out[k * degree + j] = (j + 1) * coefficients[k * (degree + 1) + j + 1] * scale;
            }
        }
        return new PiecewisePolynomial(degree - 1, breaks, out);
    }

    /** The curve at u. */
    public double value(double u) {
        int k = span(u);
        double x = u - breaks[k];
        int base = k * (degree + 1);
        double sum = coefficients[base + degree];
        for (int j = degree - 1; j >= 0; j--) {
            sum = sum * x + coefficients[base + j];
        }
        return sum;
    }

    /**
     * The curve at u into {@code value[index]} and its derivative d/du times scale into
     * {@code slope[index]}, in one pass (Horner's rule for both); for degree 0 the slope is 0.
     */
    public void valueAndSlope(double u, double scale, double[] value, double[] slope, int index) {
        int k = span(u);
        double x = u - breaks[k];
        int base = k * (degree + 1);
        double sum = coefficients[base + degree];
        double derivative = 0.0;
        for (int j = degree - 1; j >= 0; j--) {
            derivative = derivative * x + sum;
            sum = sum * x + coefficients[base + j];
        }
        value[index] = sum;
        slope[index] = derivative * scale;
    }

    /**
     * The span with {@code breaks[k] <= u < breaks[k + 1]} (the first for u before it, the last for u at
     * or after its end), as {@link BSplineBasis} chooses it: guessed from u for uniform spans, then
     * corrected against the breaks.
     */
    private int span(double u) {
        int last = breaks.length - 2;
        int k = (int) ((u - breaks[0]) * spansPerUnit);
        k = Math.max(0, Math.min(last, k));
        while (k > 0 && u < breaks[k]) {
            k--;
        }
        while (k < last && u >= breaks[k + 1]) {
            k++;
        }
        return k;
    }
}
