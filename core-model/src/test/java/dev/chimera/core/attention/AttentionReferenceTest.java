package dev.chimera.core.attention;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The double-precision reference's backward pass against central finite differences of its forward. */
class AttentionReferenceTest {

    static double[] random(SplittableRandom rng, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextDouble(-1, 1);
        }
        return x;
    }

    /** L = sum(o * g) for a fixed random g, so dL/do = g. */
    private static double loss(AttentionReference ref, double[] q, double[] k, double[] v, double[] g) {
        double[] o = new double[q.length];
        ref.forward(o, null, q, k, v);
        double l = 0;
        for (int i = 0; i < o.length; i++) {
            l += o[i] * g[i];
        }
        return l;
    }

    /** Window 1 is left out: a softmax over one key does not depend on q or k, so dq = dk = 0. */
    @ParameterizedTest(name = "window {0}")
    @ValueSource(ints = {0, 2, 3})
    void backwardMatchesFiniteDifferences(int window) {
        int batch = 2;
        int T = 6;
        int nHeads = 4;
        int nKvHeads = 2;
        int headDim = 5;
        AttentionReference ref = new AttentionReference(batch, T, nHeads, nKvHeads, headDim, window);
        SplittableRandom rng = new SplittableRandom(11 + window);
        double[] q = random(rng, batch * T * nHeads * headDim);
        double[] k = random(rng, batch * T * nKvHeads * headDim);
        double[] v = random(rng, batch * T * nKvHeads * headDim);
        double[] g = random(rng, q.length);
        double[] dq = new double[q.length];
        double[] dk = new double[k.length];
        double[] dv = new double[v.length];
        ref.backward(dq, dk, dv, g, q, k, v);
        double[][] inputs = {q, k, v};
        double[][] grads = {dq, dk, dv};
        String[] names = {"q", "k", "v"};
        // Central differences in double: truncation ~h^2 = 1e-10, rounding ~1e-16/h = 1e-11.
        double h = 1e-5;
        for (int which = 0; which < 3; which++) {
            double[] x = inputs[which];
            double[] fd = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double saved = x[i];
                x[i] = saved + h;
                double up = loss(ref, q, k, v, g);
                x[i] = saved - h;
                double down = loss(ref, q, k, v, g);
                x[i] = saved;
                fd[i] = (up - down) / (2 * h);
            }
            double err = 0;
            double norm = 0;
            for (int i = 0; i < x.length; i++) {
                err += (fd[i] - grads[which][i]) * (fd[i] - grads[which][i]);
                norm += grads[which][i] * grads[which][i];
            }
            double rel = Math.sqrt(err / norm);
            assertTrue(norm > 0, names[which] + " gradient is all zero");
            assertTrue(rel <= 1e-4, "d" + names[which] + " relative error " + rel + " vs finite differences");
        }
    }
}
