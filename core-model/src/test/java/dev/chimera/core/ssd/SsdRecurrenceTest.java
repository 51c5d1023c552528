package dev.chimera.core.ssd;

import static dev.chimera.core.ssd.SsdTestData.assertClose;
import static dev.chimera.core.ssd.SsdTestData.d;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The double-precision recurrence: its backward against finite differences, its steps against its forward. */
class SsdRecurrenceTest {

    /**
     * Loss L = sum(wy * y) + sum(wh * hFinal) with fixed random weights, so dL/dy = wy and
     * dL/dhFinal = wh; every element of every input is perturbed by +-eps.
     */
    @ParameterizedTest(name = "nheads={0} ngroups={1}")
    @CsvSource({"2, 1", "4, 2", "4, 1"})
    void backwardMatchesCentralDifferences(int nheads, int ngroups) {
        SsdShape s = new SsdShape(2, 5, nheads, 3, ngroups, 4);
        // dt scaled by 5 (up to 0.5) so that exp(dt A) ranges from ~1 down to ~3e-4 and the decay is exercised.
        SsdTestData data = new SsdTestData(11 + nheads * 7L + ngroups, s, true, 5.0);
        double[][] in = {d(data.x), d(data.dt), d(data.A), d(data.B), d(data.C), d(data.D), d(data.h0)};
        String[] names = {"x", "dt", "A", "B", "C", "D", "h0"};
        SplittableRandom r = new SplittableRandom(99);
        double[] wy = r.doubles(in[0].length, -1, 1).toArray();
        double[] wh = r.doubles(s.batch() * s.nheads() * s.stateSize(), -1, 1).toArray();
        SsdRecurrence.Gradients g = SsdRecurrence.backward(wy, wh, in[0], in[1], in[2], in[3], in[4], in[5], in[6], s);
        double[][] analytic = {g.dx(), g.ddt(), g.dA(), g.dB(), g.dC(), g.dD(), g.dh0()};
        double eps = 1e-6;
        for (int k = 0; k < in.length; k++) {
            double scale = 0;
            for (double v : analytic[k]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < in[k].length; i++) {
                double v = in[k][i];
                in[k][i] = v + eps;
                double up = loss(in, wy, wh, s);
                in[k][i] = v - eps;
                double down = loss(in, wy, wh, s);
                in[k][i] = v;
                double fd = (up - down) / (2 * eps);
                // Relative to |analytic|, floored at 1e-3 of the input's largest gradient: an entry that
                // cancels to ~0 has no relative accuracy left in a difference quotient.
                double rel = Math.abs(fd - analytic[k][i]) / Math.max(Math.abs(analytic[k][i]), 1e-3 * scale);
                assertTrue(rel <= 1e-4, names[k] + "[" + i + "]: finite difference " + fd + " vs backward "
                        + analytic[k][i] + ", relative error " + rel);
            }
        }
    }

    private static double loss(double[][] in, double[] wy, double[] wh, SsdShape s) {
        double[] y = new double[in[0].length];
        double[] hFinal = new double[wh.length];
        SsdRecurrence.forward(y, hFinal, in[0], in[1], in[2], in[3], in[4], in[5], in[6], s);
        double l = 0;
        for (int i = 0; i < y.length; i++) {
            l += wy[i] * y[i];
        }
        for (int i = 0; i < hFinal.length; i++) {
            l += wh[i] * hFinal[i];
        }
        return l;
    }

    /** dh0 of a zero initial state is still the gradient at zero, and a null dhFinal means zeros. */
    @Test
    void nullInitialAndFinalStatesMeanZeros() {
        SsdShape s = new SsdShape(2, 4, 4, 3, 2, 5);
        SsdTestData data = new SsdTestData(5, s, false, 1.0);
        double[] dy = new SplittableRandom(3).doubles(data.x.size(), -1, 1).toArray();
        double[] zeros = new double[s.batch() * s.nheads() * s.stateSize()];
        SsdRecurrence.Gradients a = SsdRecurrence.backward(dy, null, d(data.x), d(data.dt), d(data.A), d(data.B),
                d(data.C), d(data.D), null, s);
        SsdRecurrence.Gradients b = SsdRecurrence.backward(dy, zeros, d(data.x), d(data.dt), d(data.A), d(data.B),
                d(data.C), d(data.D), zeros, s);
        assertArrayEquals(b.dx(), a.dx());
        assertArrayEquals(b.ddt(), a.ddt());
        assertArrayEquals(b.dA(), a.dA());
        assertArrayEquals(b.dB(), a.dB());
        assertArrayEquals(b.dC(), a.dC());
        assertArrayEquals(b.dD(), a.dD());
        assertArrayEquals(b.dh0(), a.dh0());
    }

    @ParameterizedTest(name = "ngroups={0}")
    @CsvSource({"1", "2"})
    void doubleStepsEqualForward(int ngroups) {
        SsdShape s = new SsdShape(2, 9, 4, 3, ngroups, 5);
        SsdTestData data = new SsdTestData(21, s, true, 3.0);
        double[][] ref = data.reference();
        double[] h = d(data.h0);
        double[] y = new double[data.x.size()];
        SsdShape one = new SsdShape(s.batch(), 1, s.nheads(), s.headdim(), s.ngroups(), s.dstate());
        for (int t = 0; t < s.seqlen(); t++) {
            double[] yt = new double[s.batch() * s.nheads() * s.headdim()];
            SsdRecurrence.step(yt, h, d(data.at(data.x, t)), d(data.at(data.dt, t)), d(data.A),
                    d(data.at(data.B, t)), d(data.at(data.C, t)), d(data.D), one);
            scatter(yt, y, s, t);
        }
        // The step and the forward pass share one update, in the same order: bit-identical.
        assertArrayEquals(ref[0], y);
        assertArrayEquals(ref[1], h);
    }

    @ParameterizedTest(name = "ngroups={0}")
    @CsvSource({"1", "2"})
    void floatStepsMatchDoubleForward(int ngroups) {
        SsdShape s = new SsdShape(2, 40, 4, 7, ngroups, 17);
        SsdTestData data = new SsdTestData(31, s, true, 3.0);
        double[][] ref = data.reference();
        float[] h = data.h0.toArray();
        float[] y = new float[data.x.size()];
        SsdShape one = new SsdShape(s.batch(), 1, s.nheads(), s.headdim(), s.ngroups(), s.dstate());
        for (int t = 0; t < s.seqlen(); t++) {
            float[] yt = new float[s.batch() * s.nheads() * s.headdim()];
            SsdRecurrence.step(yt, h, data.at(data.x, t).toArray(), data.at(data.dt, t).toArray(),
                    data.A.toArray(), data.at(data.B, t).toArray(), data.at(data.C, t).toArray(),
                    data.D.toArray(), one);
            scatter(yt, y, s, t);
        }
        // float32 state rounded at each of 40 steps, products summed over dstate 17: ~1e-6 of values of size ~1.
        assertClose("y", ref[0], y, 2e-6, 1e-5);
        assertClose("hFinal", ref[1], h, 2e-6, 1e-5);
    }

    /** Copies y_t (batch, nheads, headdim) into step t of y (batch, seqlen, nheads, headdim). */
    private static void scatter(Object yt, Object y, SsdShape s, int t) {
        int row = s.nheads() * s.headdim();
        for (int b = 0; b < s.batch(); b++) {
            System.arraycopy(yt, b * row, y, (b * s.seqlen() + t) * row, row);
        }
    }
}
