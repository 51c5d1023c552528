package dev.chimera.core.layers;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.ToDoubleFunction;

/**
 * Central finite differences in double precision, and the norm-wise relative error used by every
 * gradient check: ||analytic - numeric|| / max(||numeric||, tiny) per tensor.
 */
final class GradientCheck {
    /** Step for central differences on a double-precision loss: truncation ~h^2, rounding ~1e-16/h. */
    static final double H = 1e-5;
    /** The bound the issue sets for every parameter tensor and the input. */
    static final double MAX_RELATIVE_ERROR = 1e-4;

    private GradientCheck() {
    }

    /** dL/dtheta[i] for i in [from, to) by central differences; theta is restored. */
    static double[] numeric(double[] theta, int from, int to, ToDoubleFunction<double[]> loss) {
        double[] g = new double[to - from];
        for (int i = from; i < to; i++) {
            double saved = theta[i];
            theta[i] = saved + H;
            double up = loss.applyAsDouble(theta);
            theta[i] = saved - H;
            double down = loss.applyAsDouble(theta);
            theta[i] = saved;
            g[i - from] = (up - down) / (2 * H);
        }
        return g;
    }

    /** Fails unless the analytic gradient (float) is within MAX_RELATIVE_ERROR of the numeric one, norm-wise. */
    static double assertClose(String what, float[] analytic, int offset, double[] numeric) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < numeric.length; i++) {
            double d = analytic[offset + i] - numeric[i];
            diff += d * d;
            norm += numeric[i] * numeric[i];
        }
        double rel = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
        if (!(rel <= MAX_RELATIVE_ERROR)) {
            int worst = 0;
            for (int i = 1; i < numeric.length; i++) {
                if (Math.abs(analytic[offset + i] - numeric[i]) > Math.abs(analytic[offset + worst] - numeric[worst])) {
                    worst = i;
                }
            }
            fail(what + ": relative error " + rel + " > " + MAX_RELATIVE_ERROR + "; worst at " + worst
                    + ": analytic " + analytic[offset + worst] + " vs numeric " + numeric[worst]);
        }
        if (Math.sqrt(norm) < 1e-9) {
            fail(what + ": numeric gradient is zero, the check would prove nothing");
        }
        return rel;
    }

    /**
     * Checks every parameter tensor of {@code p}: its accumulated float gradient against central
     * differences of {@code loss} over theta, a double copy of the parameter values.
     */
    static void assertParameters(String what, dev.chimera.core.model.Parameters p, double[] theta,
                                 ToDoubleFunction<double[]> loss) {
        for (dev.chimera.core.model.Parameters.Entry e : p.entries()) {
            assertClose(what + e.name(), p.grads(), e.offset(), numeric(theta, e.offset(), e.offset() + e.size(), loss));
        }
    }

    /** Fills a with independent uniform values in [-scale, scale) from a seeded generator. */
    static void randomise(float[] a, long seed, double scale) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
    }

    static double[] toDouble(float[] a, int from, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = a[from + i];
        }
        return d;
    }
}
