package dev.chimera.core.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import dev.chimera.core.tensor.Tensor;
import java.util.Arrays;

/**
 * Shared assertions for kernel parity tests.
 *
 * <p>{@link #assertClose} accepts {@code got} where {@code |got - ref| <= atol + rtol * |ref|} for
 * every element. Equal values (including equal infinities) always pass; a NaN on either side
 * fails unless both are NaN. On failure the message names the worst element (flat and
 * multi-index), both values, the allowed and actual error, how many elements failed, and both
 * shapes.
 */
final class Parity {
    /** Unit roundoff of float32 (2^-24): half an ulp at 1. */
    static final double U = 0x1.0p-24;
    /** Machine epsilon of float32 (2^-23): one ulp at 1. */
    static final double EPS = 0x1.0p-23;

    /** -Dchimera.parity.verbose=true prints each comparison's worst error as a fraction of the allowed error. */
    private static final boolean VERBOSE = Boolean.getBoolean("chimera.parity.verbose");

    private Parity() {
    }

    static void assertClose(String what, Tensor ref, Tensor got, double atol, double rtol) {
        if (!Arrays.equals(ref.shape(), got.shape())) {
            fail(what + ": shape mismatch, ref " + ref.shapeString() + " vs got " + got.shapeString());
        }
        int worst = -1;
        double worstRatio = 0;
        int failures = 0;
        for (int i = 0; i < ref.size(); i++) {
            double r = ref.at(i);
            double g = got.at(i);
            double ratio = excess(r, g, atol, rtol);
            if (ratio > 1) {
                failures++;
            }
            if (worst < 0 || ratio > worstRatio) {
                worst = i;
                worstRatio = ratio;
            }
        }
        if (VERBOSE && worst >= 0) {
            System.out.printf("parity %-70s worst error / allowed = %.3f%n", what, worstRatio);
        }
        if (failures > 0) {
            double r = ref.at(worst);
            double g = got.at(worst);
            fail(String.format("%s: %d of %d values differ; worst at flat %d %s: ref %s, got %s, |diff| %.3e > "
                            + "allowed %.3e (atol %.1e + rtol %.1e * |ref|); shapes ref %s, got %s",
                    what, failures, ref.size(), worst, indexString(ref.shape(), worst), Float.toString((float) r),
                    Float.toString((float) g), Math.abs(r - g), atol + rtol * Math.abs(r), atol, rtol,
                    ref.shapeString(), got.shapeString()));
        }
    }

    /** Elementwise exact equality (bit patterns of non-NaN values, +0 == -0), with the same report. */
    static void assertExact(String what, Tensor ref, Tensor got) {
        assertClose(what, ref, got, 0, 0);
    }

    /** Ratio of the error to the allowed error; above 1 means the element fails. */
    private static double excess(double r, double g, double atol, double rtol) {
        if (r == g) {
            return 0;
        }
        if (Double.isNaN(r) && Double.isNaN(g)) {
            return 0;
        }
        if (Double.isNaN(r) || Double.isNaN(g) || Double.isInfinite(r) || Double.isInfinite(g)) {
            return Double.POSITIVE_INFINITY;
        }
        double allowed = atol + rtol * Math.abs(r);
        double diff = Math.abs(r - g);
        return allowed == 0 ? Double.POSITIVE_INFINITY : diff / allowed;
    }

    /** Checks that {@code data[from, to)} still equals {@code before[from, to)} bit for bit. */
    static void assertUntouched(String what, float[] before, float[] data, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Float.floatToRawIntBits(before[i]) != Float.floatToRawIntBits(data[i])) {
                fail(what + ": backing array index " + i + " outside the view changed from " + before[i] + " to "
                        + data[i] + " (protected range [" + from + ", " + to + "))");
            }
        }
    }

    /**
     * A tensor of the given shape with values uniform in [-1, 1), at offset {@code before} inside a
     * larger array whose other values are NaN: reading outside the view poisons the result, and
     * writing outside it changes a NaN's bits (see {@link #assertUntouched}).
     */
    static Tensor paddedView(long seed, int before, int after, int... shape) {
        Tensor values = Tensor.uniform(seed, -1, 1, shape);
        float[] data = new float[before + values.size() + after];
        Arrays.fill(data, Float.NaN);
        System.arraycopy(values.data(), 0, data, before, values.size());
        return Tensor.wrap(data, before, shape);
    }

    /** Fails if any element is NaN. */
    static void assertNoNaN(String what, Tensor t) {
        for (int i = 0; i < t.size(); i++) {
            if (Float.isNaN(t.at(i))) {
                fail(what + ": NaN at flat " + i + " " + indexString(t.shape(), i) + " of " + t.shapeString());
            }
        }
    }

    /** Fails if any element is NaN or infinite. */
    static void assertFinite(String what, Tensor t) {
        for (int i = 0; i < t.size(); i++) {
            if (!Float.isFinite(t.at(i))) {
                fail(what + ": " + t.at(i) + " at flat " + i + " " + indexString(t.shape(), i) + " of "
                        + t.shapeString());
            }
        }
    }

    /** Largest |value| in the tensor. */
    static double maxAbs(Tensor t) {
        double m = 0;
        for (int i = 0; i < t.size(); i++) {
            m = Math.max(m, Math.abs(t.at(i)));
        }
        return m;
    }

    static String indexString(int[] shape, int flat) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] > 0) {
                idx[d] = flat % shape[d];
                flat /= shape[d];
            }
        }
        return Tensor.shapeString(idx).replace('(', '[').replace(')', ']');
    }
}
