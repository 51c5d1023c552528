package dev.chimera.core.ssd;

import static org.junit.jupiter.api.Assertions.fail;

import dev.chimera.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Seeded random SSD inputs shaped like a freshly initialised Mamba2 layer (REFERENCE §2 "Init"):
 * dt log-uniform in [1e-3, 1e-1] times a scale, A = -U(1, 16), D near 1; x, B, C, h0 in [-1, 1).
 * Held as float32 (what the model runs on) with double copies for {@link SsdRecurrence}.
 */
final class SsdTestData {
    final SsdShape s;
    final Tensor x;   // (batch, seqlen, nheads, headdim)
    final Tensor dt;  // (batch, seqlen, nheads)
    final Tensor A;   // (nheads)
    final Tensor B;   // (batch, seqlen, ngroups, dstate)
    final Tensor C;   // (batch, seqlen, ngroups, dstate)
    final Tensor D;   // (nheads)
    final Tensor h0;  // (batch, nheads, headdim, dstate), or null for a zero initial state

    SsdTestData(long seed, SsdShape s, boolean withH0, double dtScale) {
        SplittableRandom r = new SplittableRandom(seed);
        this.s = s;
        x = uniform(r, -1, 1, s.xShape());
        dt = Tensor.zeros(s.dtShape());
        for (int i = 0; i < dt.size(); i++) {
            dt.data()[i] = (float) (dtScale * Math.exp(Math.log(1e-3) + r.nextDouble() * (Math.log(1e-1) - Math.log(1e-3))));
        }
        A = uniform(r, -16, -1, s.nheads());
        B = uniform(r, -1, 1, s.bcShape());
        C = uniform(r, -1, 1, s.bcShape());
        D = uniform(r, 0.5, 1.5, s.nheads());
        h0 = withH0 ? uniform(r, -1, 1, s.stateShape()) : null;
    }

    /** Step t of a (batch, seqlen, ...) input as a new (batch, 1, ...) tensor. */
    Tensor at(Tensor t, int step) {
        int[] shape = t.shape();
        int row = t.size() / (s.batch() * s.seqlen());
        shape[1] = 1;
        Tensor out = Tensor.zeros(shape);
        for (int b = 0; b < s.batch(); b++) {
            System.arraycopy(t.data(), t.offset() + (b * s.seqlen() + step) * row, out.data(), b * row, row);
        }
        return out;
    }

    /**
     * The per-sequence states (nheads, headdim, dstate) that {@link SsdScan#step} takes, as views
     * of one (batch, nheads, headdim, dstate) tensor: stepping them updates that tensor.
     */
    static Tensor[] perSequence(Tensor batchedStates) {
        Tensor[] states = new Tensor[batchedStates.dim(0)];
        for (int b = 0; b < states.length; b++) {
            states[b] = batchedStates.select(b);
        }
        return states;
    }

    static Tensor uniform(SplittableRandom r, double lo, double hi, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return t;
    }

    static double[] d(Tensor t) {
        if (t == null) {
            return null;
        }
        double[] out = new double[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.at(i);
        }
        return out;
    }

    /** The double-precision recurrence on these (float-valued) inputs: {y, hFinal}. */
    double[][] reference() {
        double[] y = new double[x.size()];
        double[] hFinal = new double[s.batch() * s.nheads() * s.stateSize()];
        SsdRecurrence.forward(y, hFinal, d(x), d(dt), d(A), d(B), d(C), d(D), d(h0), s);
        return new double[][] {y, hFinal};
    }

    /** Fails naming the first element where |got - ref| > atol + rtol |ref|; returns the largest |got - ref|. */
    static double assertClose(String what, double[] ref, float[] got, double atol, double rtol) {
        double[] g = new double[got.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = got[i];
        }
        return assertClose(what, ref, g, atol, rtol);
    }

    static double assertClose(String what, double[] ref, double[] got, double atol, double rtol) {
        if (ref.length != got.length) {
            fail(what + ": " + got.length + " values, expected " + ref.length);
        }
        double worst = 0;
        for (int i = 0; i < ref.length; i++) {
            double err = Math.abs(got[i] - ref[i]);
            if (!(err <= atol + rtol * Math.abs(ref[i]))) {
                fail(what + "[" + i + "]: got " + got[i] + ", expected " + ref[i] + " (error " + err + " > " + atol
                        + " + " + rtol + " * |expected|)");
            }
            worst = Math.max(worst, err);
        }
        return worst;
    }

    static double assertClose(String what, double[] ref, Tensor got, double atol, double rtol) {
        return assertClose(what, ref, got.toArray(), atol, rtol);
    }
}
