package dev.chimera.robotics.spline;

import java.util.Arrays;

/**
 * The basis functions of a B-spline of degree p over a knot vector (REFERENCE §7; Piegl and
 * Tiller, The NURBS Book, algorithms A2.1 and A2.2 for the span and the non-zero basis
 * functions). BEAST's splines are clamped and uniform ({@link #clampedUniform}): knots are p
 * zeros, {@code linspace(0, 1, N - p + 1)} and p ones, so the curve starts at the first control
 * point and ends at the last, and u runs over [0, 1] across a chunk.
 *
 * <p>Evaluation takes a caller's scratch array ({@link #scratchLength()}) and allocates nothing:
 * the robot controller evaluates setpoints at 1 kHz and more. A spline's derivative is a spline of
 * degree p - 1 over the inner knots ({@link #derivative()}, {@link #derivativeCoefficients}).
 * Immutable and safe to share between threads.
 */
public final class BSplineBasis {
    private final double[] knots;
    private final int degree;
    private final int controlPoints;

    /**
     * A basis over the given knots: {@code knots.length - degree - 1} control points.
     *
     * @param knots  non-decreasing, at least {@code 2 * degree + 2} long
     * @param degree p >= 0
     */
    public BSplineBasis(double[] knots, int degree) {
        if (degree < 0) {
            throw new IllegalArgumentException("degree must be >= 0, got " + degree);
        }
        if (knots.length < 2 * degree + 2) {
            throw new IllegalArgumentException(knots.length + " knots are too few for degree " + degree);
        }
        for (int i = 1; i < knots.length; i++) {
            if (!(knots[i] >= knots[i - 1])) {
                throw new IllegalArgumentException("knots must be non-decreasing, got " + Arrays.toString(knots));
            }
        }
        this.knots = knots.clone();
        this.degree = degree;
        this.controlPoints = knots.length - degree - 1;
    }

    /** BEAST's basis: N control points, degree p (0 <= p < N), clamped uniform knots over [0, 1]. */
    public static BSplineBasis clampedUniform(int controlPoints, int degree) {
        if (degree < 0 || controlPoints < degree + 1) {
            throw new IllegalArgumentException("a degree-" + degree + " spline needs at least " + (degree + 1)
                    + " control points, got " + controlPoints);
        }
        int interior = controlPoints - degree + 1;
        double[] knots = new double[controlPoints + degree + 1];
        for (int i = 0; i < interior; i++) {
            knots[degree + i] = (double) i / (interior - 1);
        }
        Arrays.fill(knots, degree + interior, knots.length, 1.0);
        return new BSplineBasis(knots, degree);
    }

    public int degree() {
        return degree;
    }

    public int controlPoints() {
        return controlPoints;
    }

    public double[] knots() {
        return knots.clone();
    }

    /** Doubles of scratch that {@link #evaluate} and {@link #values} need. */
    public int scratchLength() {
        return 3 * (degree + 1);
    }

    /**
     * The knot span k with {@code knots[k] <= u < knots[k + 1]}, among the spans that carry the
     * curve; u at or beyond the last knot belongs to the last span, u before the first to the first.
     */
    int span(double u) {
        int low = degree;
        int high = controlPoints;
        if (u >= knots[high]) {
            return high - 1;
        }
        if (u <= knots[low]) {
            return low;
        }
        while (high - low > 1) {
            int mid = (low + high) >>> 1;
            if (u < knots[mid]) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return low;
    }

    /**
     * The p + 1 basis functions that are non-zero on span k, evaluated at u, into
     * {@code scratch[0..p]} (A2.2); {@code scratch[p+1..]} is working space. They belong to
     * control points k - p .. k.
     */
    private void nonZero(int k, double u, double[] scratch) {
        int left = degree + 1;
        int right = 2 * (degree + 1);
        scratch[0] = 1.0;
        for (int j = 1; j <= degree; j++) {
            scratch[left + j] = u - knots[k + 1 - j];
            scratch[right + j] = knots[k + j] - u;
            double saved = 0.0;
            for (int r = 0; r < j; r++) {
                double temp = scratch[r] / (scratch[right + r + 1] + scratch[left + j - r]);
                scratch[r] = saved + scratch[right + r + 1] * temp;
                saved = scratch[left + j - r] * temp;
            }
            scratch[j] = saved;
        }
    }

    /** Every basis function at u: {@code out[i] = B_i(u)} for the N control points; out is N long. */
    public void values(double u, double[] out, double[] scratch) {
        Arrays.fill(out, 0, controlPoints, 0.0);
        int k = span(u);
        nonZero(k, u, scratch);
        for (int r = 0; r <= degree; r++) {
            out[k - degree + r] = scratch[r];
        }
    }

    /** The design matrix (samples, N): row j holds every basis function at {@code u[j]}. */
    public double[][] design(double[] u) {
        double[][] phi = new double[u.length][controlPoints];
        double[] scratch = new double[scratchLength()];
        for (int j = 0; j < u.length; j++) {
            values(u[j], phi[j], scratch);
        }
        return phi;
    }

    /**
     * The curve at u: sum over i of {@code coefficients[offset + i * stride] * B_i(u)}.
     * Allocates nothing.
     */
    public double evaluate(double[] coefficients, int offset, int stride, double u, double[] scratch) {
        int k = span(u);
        nonZero(k, u, scratch);
        double sum = 0.0;
        int first = k - degree;
        for (int r = 0; r <= degree; r++) {
            sum += coefficients[offset + (first + r) * stride] * scratch[r];
        }
        return sum;
    }

    /** The basis of the curve's derivative d/du: degree p - 1 over the knots without their first and last. */
    public BSplineBasis derivative() {
        if (degree == 0) {
            throw new IllegalStateException("a degree-0 spline is piecewise constant: no derivative basis");
        }
        return new BSplineBasis(Arrays.copyOfRange(knots, 1, knots.length - 1), degree - 1);
    }

    /**
     * The control points of d/du of the curve with these control points (N - 1 of them, in
     * {@link #derivative()}'s basis): {@code q_i = p (c_{i+1} - c_i) / (t_{i+p+1} - t_{i+1})}.
     * Reads {@code coefficients[offset + i * stride]} and writes {@code out[outOffset + i * outStride]}.
     */
    public void derivativeCoefficients(double[] coefficients, int offset, int stride, double[] out, int outOffset,
                                       int outStride) {
        for (int i = 0; i < controlPoints - 1; i++) {
            double width = knots[i + degree + 1] - knots[i + 1];
            double diff = coefficients[offset + (i + 1) * stride] - coefficients[offset + i * stride];
            out[outOffset + i * outStride] = width > 0 ? degree * diff / width : 0.0;
        }
    }

    /**
     * d/du at u = 0 of a clamped curve per unit change of its second control point:
     * {@code S'(0) = p (c_1 - c_0) / t_{p+1}}. BEAST's C1 continuity sets c_1 from a velocity with it.
     */
    public double startSlopePerSecondPoint() {
        return degree / knots[degree + 1];
    }
}
