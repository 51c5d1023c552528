package dev.chimera.core.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link FourierBasis#evaluate}'s vector and scalar paths against the plain loops they replace, bit for bit. */
class FourierBasisTest {

    /**
     * Bin counts below, at and between multiples of the lane count (4 on AVX2, 8 on AVX-512), so
     * the vector loop, the scalar tail, or both do the work; many rows, so the loops get compiled.
     */
    @ParameterizedTest
    @CsvSource({"1, 2", "3, 7", "6, 50", "14, 16", "24, 128", "24, 131", "40, 33"})
    void vectorAndScalarEvaluateMatchThePlainLoopsBitForBit(int n, int bins) {
        FourierBasis vector = new FourierBasis(n, bins, true);
        FourierBasis scalar = new FourierBasis(n, bins, false);
        PlainEvaluate plain = new PlainEvaluate(n, bins);
        int width = 2 * (n + 1);
        int rows = 300;
        SplittableRandom random = new SplittableRandom(31L * n + bins);
        double[] a = new double[rows * width];
        for (int i = 0; i < a.length; i++) {
            // Scales from 1e-3 to 1e3 row by row, signs of both kinds, some exact zeros (never a_0, so c_0 > 0).
            double scale = Math.pow(10, 3 * ((i / width) % 3 - 1));
            boolean zero = i % width != 0 && random.nextInt(10) == 0;
            a[i] = zero ? 0 : scale * (2 * random.nextDouble() - 1);
        }
        FourierActivations.Scratch expected = new FourierActivations.Scratch(n, bins);
        FourierActivations.Scratch fromVector = new FourierActivations.Scratch(n, bins);
        FourierActivations.Scratch fromScalar = new FourierActivations.Scratch(n, bins);
        for (int r = 0; r < rows; r++) {
            plain.evaluate(a, r * width, expected);
            vector.evaluate(a, r * width, fromVector);
            scalar.evaluate(a, r * width, fromScalar);
            assertSameBits(expected, fromVector, "vector, row " + r);
            assertSameBits(expected, fromScalar, "scalar, row " + r);
        }
    }

    private static void assertSameBits(FourierActivations.Scratch expected, FourierActivations.Scratch actual,
            String where) {
        assertArrayEquals(bits(expected.ar), bits(actual.ar), "Re A, " + where);
        assertArrayEquals(bits(expected.ai), bits(actual.ai), "Im A, " + where);
        assertArrayEquals(bits(expected.p), bits(actual.p), "p, " + where);
        assertEquals(Double.doubleToRawLongBits(expected.c0), Double.doubleToRawLongBits(actual.c0), "c0, " + where);
        assertEquals(Double.doubleToRawLongBits(expected.qSum), Double.doubleToRawLongBits(actual.qSum),
                "S, " + where);
    }

    private static long[] bits(double[] x) {
        long[] b = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            b[i] = Double.doubleToRawLongBits(x[i]);
        }
        return b;
    }

    /** The density of a row as plain scalar loops over the frequencies, then the bins, with its own table. */
    private static final class PlainEvaluate {
        private final int frequencies;
        private final int bins;
        private final double[] cos;
        private final double[] sin;

        PlainEvaluate(int frequencies, int bins) {
            this.frequencies = frequencies;
            this.bins = bins;
            cos = new double[(frequencies + 1) * bins];
            sin = new double[(frequencies + 1) * bins];
            for (int n = 0; n <= frequencies; n++) {
                for (int m = 0; m < bins; m++) {
                    long turns = Math.floorMod((long) n * (2 * m + 1 - bins), 2L * bins);
                    double angle = Math.PI * turns / bins;
                    cos[n * bins + m] = Math.cos(angle);
                    sin[n * bins + m] = Math.sin(angle);
                }
            }
        }

        void evaluate(double[] a, int ao, FourierActivations.Scratch s) {
            int n1 = frequencies + 1;
            Arrays.fill(s.ar, 0);
            Arrays.fill(s.ai, 0);
            double c0 = 0;
            for (int n = 0; n < n1; n++) {
                double re = a[ao + n];
                double im = a[ao + n1 + n];
                c0 += re * re + im * im;
                int t = n * bins;
                for (int m = 0; m < bins; m++) {
                    s.ar[m] += re * cos[t + m] - im * sin[t + m];
                    s.ai[m] += re * sin[t + m] + im * cos[t + m];
                }
            }
            double qSum = 0;
            for (int m = 0; m < bins; m++) {
                s.p[m] = (s.ar[m] * s.ar[m] + s.ai[m] * s.ai[m]) / (2 * c0);
                qSum += s.p[m];
            }
            for (int m = 0; m < bins; m++) {
                s.p[m] /= qSum;
            }
            s.c0 = c0;
            s.qSum = qSum;
        }
    }
}
