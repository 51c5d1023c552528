package dev.chimera.core.ssd;

import dev.chimera.core.kernel.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner loops of {@link SsdScan}.
 *
 * <p>Two layouts of a state are used. "Row" layout is (headdim, dstate), as mamba keeps it and
 * as every state tensor of the public API is laid out. "Column" layout is its transpose,
 * (dstate, headdim). A sum over dstate (the readout y = h C; G B for dx in the backward pass)
 * is plain broadcast-FMA over headdim vectors in column layout; a sum over headdim (h^T dy for
 * dC, G^T x for dB) is broadcast-FMA over dstate vectors in row layout. The kernels are
 * arranged so that no horizontal lane reduction sits in a loop: the forward pass runs in column
 * layout ({@link #forwardStep}, {@link #forwardSteps2}); the backward pass uses register tiles
 * (the *Tile methods, see {@link SsdScanBackward}) in both layouts.
 *
 * <p>The forward pass and the inference step ({@link #rowStep}, row layout, as the state tensor
 * it updates) give the same bits, and so do the vector and the scalar paths
 * ({@code -Dchimera.kernels=scalar}), because their arithmetic is pinned value by value: a
 * state value is updated as fma(dt x_p, B_n, decay h) (scalar code: {@link Math#fma} with the
 * same operands, dt x_p rounded first), and a readout y_p = sum_n h_pn C_n is taken as four
 * chains c_j = fma(h_pn, C_n, c_j) over n = j, j+4, j+8, ... in increasing n from 0, then
 * ((c0 + c1) + (c2 + c3)) + D x_p. Four chains rather than one keep the step's readout, two rows
 * at a time, from waiting on one chain's latency, at some cost to the forward pass's registers.
 * Sums in the backward pass do depend on the vector width (not on the thread count).
 *
 * <p>Vector values stay local to one method, with tiles and blocks unrolled by hand: a
 * FloatVector passed to a method the JIT does not inline is boxed, which is far slower.
 */
final class SsdScanKernels {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();

    /**
     * Masks an index into an array known to hold fewer than 2^30 values (the backward pass's
     * scratch rows, see SsdScanBackward), which leaves it unchanged: the JIT then knows that
     * adding a small constant cannot overflow and folds the constant into the address instead of
     * computing and sign-extending every offset of a step separately.
     */
    static final int SMALL = (1 << 30) - 1;

    private final boolean vector;

    SsdScanKernels(boolean vector) {
        this.vector = vector;
    }

    /** The decay of one step, exp(dt A); computed the same way wherever a state is (re)built. */
    static float decay(float dt, float a) {
        return (float) Math.exp(dt * a);
    }

    /** Lanes of the vector species, or 16 when scalar is forced: the backward pass's per-step lane rows. */
    int lanes() {
        return vector ? L : 16;
    }

    /** End of the vector part of a row of n values (see {@link #bound}). */
    int vectorEnd(int n) {
        return bound(n);
    }

    /** End of the vector part of a row of n values: a multiple of the lane count, or 0 when scalar is forced. */
    private int bound(int n) {
        return vector ? S.loopBound(n) : 0;
    }

    /** dst (cols, rows) = the transpose of src (rows, cols). */
    static void transpose(float[] dst, int dOff, float[] src, int sOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int s = sOff + r * cols;
            for (int c = 0; c < cols; c++) {
                dst[dOff + c * rows + r] = src[s + c];
            }
        }
    }

    /**
     * dst = decay src + (dt x) outer B for a state in row layout (headdim, dstate); src and dst
     * may be the same place. x at xo (headdim), B at bo (dstate). Rebuilds the forward pass's
     * states bit for bit.
     */
    void advance(float[] dst, int dOff, float[] src, int sOff, float[] x, int xo, float[] B, int bo, float dt,
                 float decay, int P, int N) {
        int vEnd = bound(N);
        FloatVector vDecay = FloatVector.broadcast(S, decay);
        int n = 0;
        for (; n + 4 * L <= vEnd; n += 4 * L) {
            FloatVector b0 = FloatVector.fromArray(S, B, bo + n);
            FloatVector b1 = FloatVector.fromArray(S, B, bo + n + L);
            FloatVector b2 = FloatVector.fromArray(S, B, bo + n + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, B, bo + n + 3 * L);
            int d = dOff + n;
            int s = sOff + n;
            for (int p = 0; p < P; p++, d += N, s += N) {
                FloatVector vx = FloatVector.broadcast(S, dt * x[xo + p]);
                vx.fma(b0, FloatVector.fromArray(S, src, s).mul(vDecay)).intoArray(dst, d);
                vx.fma(b1, FloatVector.fromArray(S, src, s + L).mul(vDecay)).intoArray(dst, d + L);
                vx.fma(b2, FloatVector.fromArray(S, src, s + 2 * L).mul(vDecay)).intoArray(dst, d + 2 * L);
                vx.fma(b3, FloatVector.fromArray(S, src, s + 3 * L).mul(vDecay)).intoArray(dst, d + 3 * L);
            }
        }
        for (; n < vEnd; n += L) {
            FloatVector b0 = FloatVector.fromArray(S, B, bo + n);
            int d = dOff + n;
            int s = sOff + n;
            for (int p = 0; p < P; p++, d += N, s += N) {
                FloatVector.broadcast(S, dt * x[xo + p]).fma(b0, FloatVector.fromArray(S, src, s).mul(vDecay))
                        .intoArray(dst, d);
            }
        }
        for (; n < N; n++) {
            float bn = B[bo + n];
            int d = dOff + n;
            int s = sOff + n;
            for (int p = 0; p < P; p++, d += N, s += N) {
                dst[d] = Math.fma(dt * x[xo + p], bn, decay * src[s]);
            }
        }
    }

    /**
     * The forward step on a state in column layout (dstate, headdim) at ho: h = decay h + (dt x)
     * outer B, then y = h C + Dh x, each y_p summed as the class comment says (four chains over
     * n mod 4, then ((c0 + c1) + (c2 + c3))). x, y (headdim); B, C (dstate).
     */
    void forwardStep(float[] h, int ho, float[] y, int yo, float[] x, int xo, float[] B, int bo, float[] C, int co,
                     float dt, float decay, float Dh, int P, int N) {
        forwardStep(h, ho, y, yo, x, xo, B, bo, C, co, dt, decay, Dh, P, N, 0);
    }

    /** As {@link #forwardStep} for the columns p &gt;= p0 only (each column p is independent). */
    private void forwardStep(float[] h, int ho, float[] y, int yo, float[] x, int xo, float[] B, int bo, float[] C,
                             int co, float dt, float decay, float Dh, int P, int N, int p0) {
        int vEnd = bound(P);
        int n4 = N & ~3;
        FloatVector vDecay = FloatVector.broadcast(S, decay);
        FloatVector vDt = FloatVector.broadcast(S, dt);
        FloatVector vD = FloatVector.broadcast(S, Dh);
        int p = p0;
        for (; p < vEnd; p += L) {
            FloatVector xd = FloatVector.fromArray(S, x, xo + p).mul(vDt);
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            int r = ho + p;
            int n = 0;
            for (; n < n4; n += 4, r += 4 * P) {
                FloatVector hv = xd.fma(FloatVector.broadcast(S, B[bo + n]), FloatVector.fromArray(S, h, r).mul(vDecay));
                hv.intoArray(h, r);
                a0 = hv.fma(FloatVector.broadcast(S, C[co + n]), a0);
                hv = xd.fma(FloatVector.broadcast(S, B[bo + n + 1]), FloatVector.fromArray(S, h, r + P).mul(vDecay));
                hv.intoArray(h, r + P);
                a1 = hv.fma(FloatVector.broadcast(S, C[co + n + 1]), a1);
                hv = xd.fma(FloatVector.broadcast(S, B[bo + n + 2]), FloatVector.fromArray(S, h, r + 2 * P).mul(vDecay));
                hv.intoArray(h, r + 2 * P);
                a2 = hv.fma(FloatVector.broadcast(S, C[co + n + 2]), a2);
                hv = xd.fma(FloatVector.broadcast(S, B[bo + n + 3]), FloatVector.fromArray(S, h, r + 3 * P).mul(vDecay));
                hv.intoArray(h, r + 3 * P);
                a3 = hv.fma(FloatVector.broadcast(S, C[co + n + 3]), a3);
            }
            if (n < N) {
                FloatVector hv = xd.fma(FloatVector.broadcast(S, B[bo + n]), FloatVector.fromArray(S, h, r).mul(vDecay));
                hv.intoArray(h, r);
                a0 = hv.fma(FloatVector.broadcast(S, C[co + n]), a0);
            }
            if (n + 1 < N) {
                FloatVector hv = xd.fma(FloatVector.broadcast(S, B[bo + n + 1]), FloatVector.fromArray(S, h, r + P).mul(vDecay));
                hv.intoArray(h, r + P);
                a1 = hv.fma(FloatVector.broadcast(S, C[co + n + 1]), a1);
            }
            if (n + 2 < N) {
                FloatVector hv = xd.fma(FloatVector.broadcast(S, B[bo + n + 2]), FloatVector.fromArray(S, h, r + 2 * P).mul(vDecay));
                hv.intoArray(h, r + 2 * P);
                a2 = hv.fma(FloatVector.broadcast(S, C[co + n + 2]), a2);
            }
            a0.add(a1).add(a2.add(a3)).add(FloatVector.fromArray(S, x, xo + p).mul(vD)).intoArray(y, yo + p);
        }
        for (; p < P; p++) {
            float xp = x[xo + p];
            float xdt = dt * xp;
            float c0 = 0f;
            float c1 = 0f;
            float c2 = 0f;
            float c3 = 0f;
            int r = ho + p;
            for (int n = 0; n < N; n++, r += P) {
                float hn = Math.fma(xdt, B[bo + n], decay * h[r]);
                h[r] = hn;
                switch (n & 3) {
                    case 0: c0 = Math.fma(hn, C[co + n], c0); break;
                    case 1: c1 = Math.fma(hn, C[co + n], c1); break;
                    case 2: c2 = Math.fma(hn, C[co + n], c2); break;
                    default: c3 = Math.fma(hn, C[co + n], c3); break;
                }
            }
            y[yo + p] = ((c0 + c1) + (c2 + c3)) + Dh * xp;
        }
    }
    /**
     * Two forward steps, t (x, y, B, C at xo, yo, bo, co; dt, decay) and t + 1 (at xo2, yo2,
     * bo2, co2; dt2, decay2), on a state in column layout: the same arithmetic, in the same
     * order for every value, as two calls of {@link #forwardStep}, so the same bits; but each
     * pair of vectors of the state is loaded and stored once for both steps.
     */
    void forwardSteps2(float[] h, int ho, float[] y, int yo, int yo2, float[] x, int xo, int xo2, float[] B, int bo,
                       int bo2, float[] C, int co, int co2, float dt, float decay, float dt2, float decay2, float Dh,
                       int P, int N) {
        int vEnd = bound(P);
        int n4 = N & ~3;
        FloatVector vDecay = FloatVector.broadcast(S, decay);
        FloatVector vDecay2 = FloatVector.broadcast(S, decay2);
        FloatVector vDt = FloatVector.broadcast(S, dt);
        FloatVector vDt2 = FloatVector.broadcast(S, dt2);
        FloatVector vD = FloatVector.broadcast(S, Dh);
        int p = 0;
        for (; p + 2 * L <= vEnd; p += 2 * L) {
            FloatVector x0 = FloatVector.fromArray(S, x, xo + p).mul(vDt);
            FloatVector x1 = FloatVector.fromArray(S, x, xo + p + L).mul(vDt);
            FloatVector z0 = FloatVector.fromArray(S, x, xo2 + p).mul(vDt2);
            FloatVector z1 = FloatVector.fromArray(S, x, xo2 + p + L).mul(vDt2);
            FloatVector a00 = FloatVector.zero(S);
            FloatVector a01 = FloatVector.zero(S);
            FloatVector a10 = FloatVector.zero(S);
            FloatVector a11 = FloatVector.zero(S);
            FloatVector a20 = FloatVector.zero(S);
            FloatVector a21 = FloatVector.zero(S);
            FloatVector a30 = FloatVector.zero(S);
            FloatVector a31 = FloatVector.zero(S);
            FloatVector e00 = FloatVector.zero(S);
            FloatVector e01 = FloatVector.zero(S);
            FloatVector e10 = FloatVector.zero(S);
            FloatVector e11 = FloatVector.zero(S);
            FloatVector e20 = FloatVector.zero(S);
            FloatVector e21 = FloatVector.zero(S);
            FloatVector e30 = FloatVector.zero(S);
            FloatVector e31 = FloatVector.zero(S);
            int r = ho + p;
            int n = 0;
            FloatVector vb;
            FloatVector vc;
            FloatVector h0;
            FloatVector h1;
            for (; n < n4; n += 4, r += 4 * P) {
                vb = FloatVector.broadcast(S, B[bo + n]);
                vc = FloatVector.broadcast(S, C[co + n]);
                h0 = x0.fma(vb, FloatVector.fromArray(S, h, r).mul(vDecay));
                h1 = x1.fma(vb, FloatVector.fromArray(S, h, r + L).mul(vDecay));
                a00 = h0.fma(vc, a00);
                a01 = h1.fma(vc, a01);
                vb = FloatVector.broadcast(S, B[bo2 + n]);
                vc = FloatVector.broadcast(S, C[co2 + n]);
                h0 = z0.fma(vb, h0.mul(vDecay2));
                h1 = z1.fma(vb, h1.mul(vDecay2));
                h0.intoArray(h, r);
                h1.intoArray(h, r + L);
                e00 = h0.fma(vc, e00);
                e01 = h1.fma(vc, e01);
                vb = FloatVector.broadcast(S, B[bo + n + 1]);
                vc = FloatVector.broadcast(S, C[co + n + 1]);
                h0 = x0.fma(vb, FloatVector.fromArray(S, h, r + P).mul(vDecay));
                h1 = x1.fma(vb, FloatVector.fromArray(S, h, r + P + L).mul(vDecay));
                a10 = h0.fma(vc, a10);
                a11 = h1.fma(vc, a11);
                vb = FloatVector.broadcast(S, B[bo2 + n + 1]);
                vc = FloatVector.broadcast(S, C[co2 + n + 1]);
                h0 = z0.fma(vb, h0.mul(vDecay2));
                h1 = z1.fma(vb, h1.mul(vDecay2));
                h0.intoArray(h, r + P);
                h1.intoArray(h, r + P + L);
                e10 = h0.fma(vc, e10);
                e11 = h1.fma(vc, e11);
                vb = FloatVector.broadcast(S, B[bo + n + 2]);
                vc = FloatVector.broadcast(S, C[co + n + 2]);
                h0 = x0.fma(vb, FloatVector.fromArray(S, h, r + 2 * P).mul(vDecay));
                h1 = x1.fma(vb, FloatVector.fromArray(S, h, r + 2 * P + L).mul(vDecay));
                a20 = h0.fma(vc, a20);
                a21 = h1.fma(vc, a21);
                vb = FloatVector.broadcast(S, B[bo2 + n + 2]);
                vc = FloatVector.broadcast(S, C[co2 + n + 2]);
                h0 = z0.fma(vb, h0.mul(vDecay2));
                h1 = z1.fma(vb, h1.mul(vDecay2));
                h0.intoArray(h, r + 2 * P);
                h1.intoArray(h, r + 2 * P + L);
                e20 = h0.fma(vc, e20);
                e21 = h1.fma(vc, e21);
                vb = FloatVector.broadcast(S, B[bo + n + 3]);
                vc = FloatVector.broadcast(S, C[co + n + 3]);
                h0 = x0.fma(vb, FloatVector.fromArray(S, h, r + 3 * P).mul(vDecay));
                h1 = x1.fma(vb, FloatVector.fromArray(S, h, r + 3 * P + L).mul(vDecay));
                a30 = h0.fma(vc, a30);
                a31 = h1.fma(vc, a31);
                vb = FloatVector.broadcast(S, B[bo2 + n + 3]);
                vc = FloatVector.broadcast(S, C[co2 + n + 3]);
                h0 = z0.fma(vb, h0.mul(vDecay2));
                h1 = z1.fma(vb, h1.mul(vDecay2));
                h0.intoArray(h, r + 3 * P);
                h1.intoArray(h, r + 3 * P + L);
                e30 = h0.fma(vc, e30);
                e31 = h1.fma(vc, e31);
            }
            if (n < N) {
                vb = FloatVector.broadcast(S, B[bo + n]);
                vc = FloatVector.broadcast(S, C[co + n]);
                h0 = x0.fma(vb, FloatVector.fromArray(S, h, r).mul(vDecay));
                h1 = x1.fma(vb, FloatVector.fromArray(S, h, r + L).mul(vDecay));
                a00 = h0.fma(vc, a00);
                a01 = h1.fma(vc, a01);
                vb = FloatVector.broadcast(S, B[bo2 + n]);
                vc = FloatVector.broadcast(S, C[co2 + n]);
                h0 = z0.fma(vb, h0.mul(vDecay2));
                h1 = z1.fma(vb, h1.mul(vDecay2));
                h0.intoArray(h, r);
                h1.intoArray(h, r + L);
                e00 = h0.fma(vc, e00);
                e01 = h1.fma(vc, e01);
            }
            if (n + 1 < N) {
                vb = FloatVector.broadcast(S, B[bo + n + 1]);
                vc = FloatVector.broadcast(S, C[co + n + 1]);
                h0 = x0.fma(vb, FloatVector.fromArray(S, h, r + P).mul(vDecay));
                h1 = x1.fma(vb, FloatVector.fromArray(S, h, r + P + L).mul(vDecay));
                a10 = h0.fma(vc, a10);
                a11 = h1.fma(vc, a11);
                vb = FloatVector.broadcast(S, B[bo2 + n + 1]);
                vc = FloatVector.broadcast(S, C[co2 + n + 1]);
                h0 = z0.fma(vb, h0.mul(vDecay2));
                h1 = z1.fma(vb, h1.mul(vDecay2));
                h0.intoArray(h, r + P);
                h1.intoArray(h, r + P + L);
                e10 = h0.fma(vc, e10);
                e11 = h1.fma(vc, e11);
            }
            if (n + 2 < N) {
                vb = FloatVector.broadcast(S, B[bo + n + 2]);
                vc = FloatVector.broadcast(S, C[co + n + 2]);
                h0 = x0.fma(vb, FloatVector.fromArray(S, h, r + 2 * P).mul(vDecay));
                h1 = x1.fma(vb, FloatVector.fromArray(S, h, r + 2 * P + L).mul(vDecay));
                a20 = h0.fma(vc, a20);
                a21 = h1.fma(vc, a21);
                vb = FloatVector.broadcast(S, B[bo2 + n + 2]);
                vc = FloatVector.broadcast(S, C[co2 + n + 2]);
                h0 = z0.fma(vb, h0.mul(vDecay2));
                h1 = z1.fma(vb, h1.mul(vDecay2));
                h0.intoArray(h, r + 2 * P);
                h1.intoArray(h, r + 2 * P + L);
                e20 = h0.fma(vc, e20);
                e21 = h1.fma(vc, e21);
            }
            a00.add(a10).add(a20.add(a30)).add(FloatVector.fromArray(S, x, xo + p).mul(vD)).intoArray(y, yo + p);
            a01.add(a11).add(a21.add(a31)).add(FloatVector.fromArray(S, x, xo + p + L).mul(vD)).intoArray(y, yo + p + L);
            e00.add(e10).add(e20.add(e30)).add(FloatVector.fromArray(S, x, xo2 + p).mul(vD)).intoArray(y, yo2 + p);
            e01.add(e11).add(e21.add(e31)).add(FloatVector.fromArray(S, x, xo2 + p + L).mul(vD)).intoArray(y, yo2 + p + L);
        }
        if (p < P) {
            forwardStep(h, ho, y, yo, x, xo, B, bo, C, co, dt, decay, Dh, P, N, p);
            forwardStep(h, ho, y, yo2, x, xo2, B, bo2, C, co2, dt2, decay2, Dh, P, N, p);
        }
    }
    /**
     * The inference step on a state in row layout (headdim, dstate) at ho: the same arithmetic as
     * {@link #forwardStep}, so a step gives the forward pass's bits. The update is vector work
     * along the rows; the readout of each row runs its four chains (n mod 4) as scalar fused
     * multiply-adds. (They were the lanes of a 128-bit vector, eight rows side by side: that
     * second species in the step made C2 compile the prefill's kernels with the Vector API's Java
     * fallback in places once both ran in one JVM, a prefill between steps taking twice as long and
     * allocating 4 MB.)
     */
    void rowStep(float[] h, int ho, float[] y, int yo, float[] x, int xo, float[] B, int bo, float[] C, int co,
                 float dt, float decay, float Dh, int P, int N) {
        advance(h, ho, h, ho, x, xo, B, bo, dt, decay, P, N);
        int n4 = N & ~3;
        int p = 0;
        for (; p + 2 <= P; p += 2) {
            int r = ho + p * N;
            int s = r + N;
            float c0 = 0f;
            float c1 = 0f;
            float c2 = 0f;
            float c3 = 0f;
            float d0 = 0f;
            float d1 = 0f;
            float d2 = 0f;
            float d3 = 0f;
            for (int n = 0; n < n4; n += 4) {
                float k0 = C[co + n];
                float k1 = C[co + n + 1];
                float k2 = C[co + n + 2];
                float k3 = C[co + n + 3];
                c0 = Math.fma(h[r + n], k0, c0);
                c1 = Math.fma(h[r + n + 1], k1, c1);
                c2 = Math.fma(h[r + n + 2], k2, c2);
                c3 = Math.fma(h[r + n + 3], k3, c3);
                d0 = Math.fma(h[s + n], k0, d0);
                d1 = Math.fma(h[s + n + 1], k1, d1);
                d2 = Math.fma(h[s + n + 2], k2, d2);
                d3 = Math.fma(h[s + n + 3], k3, d3);
            }
            y[yo + p] = readout(c0, c1, c2, c3, h, r, C, co, n4, N) + Dh * x[xo + p];
            y[yo + p + 1] = readout(d0, d1, d2, d3, h, s, C, co, n4, N) + Dh * x[xo + p + 1];
        }
        for (; p < P; p++) {
            y[yo + p] = readout(0f, 0f, 0f, 0f, h, ho + p * N, C, co, 0, N) + Dh * x[xo + p];
        }
    }

    /**
     * Finishes one readout: the four chains c0..c3 over n mod 4, which have taken n &lt; from,
     * take the rest of the row at r (n from from to N), then ((c0 + c1) + (c2 + c3)).
     */
    private static float readout(float c0, float c1, float c2, float c3, float[] h, int r, float[] C, int co, int from,
                                 int N) {
        for (int n = from; n < N; n++) {
            switch (n & 3) {
                case 0: c0 = Math.fma(h[r + n], C[co + n], c0); break;
                case 1: c1 = Math.fma(h[r + n], C[co + n], c1); break;
                case 2: c2 = Math.fma(h[r + n], C[co + n], c2); break;
                default: c3 = Math.fma(h[r + n], C[co + n], c3); break;
            }
        }
        return (c0 + c1) + (c2 + c3);
    }

    // ---------------------------------------------------------------------------------------
    // Backward tiles (see SsdScanBackward). Each runs m steps of the recurrence for one tile of
    // a state kept in registers, adding its part of every step's sums into per-step rows. Step i
    // of a block reads a per-step row at (offset + i * stride). The 4x4 tiles are 4 rows by 4
    // vectors, the 4x1 tiles 4 rows by one vector; the scalar tiles take any rectangle.
    // ---------------------------------------------------------------------------------------

    /**
     * Forward over steps 0..m-1 for rows [0, 4) x 4 vectors of a state h in row layout at ho (row
     * stride N): h = fma(dt x_p, B_n, decay h), as {@link #forwardStep} updates it, then
     * dc_i[n] += sum over the rows of h[p, n] dy_i[p]. x and dy at xo and yo (row 0) step by xs
     * and ys, B at bo and dc at co (column 0) by bs and cs.
     */
    void fTile4x4(float[] h, int ho, int N, float[] x, int xo, int xs, float[] dy, int yo, int ys, float[] B, int bo,
                  int bs, float[] dc, int co, int cs, float[] steps, float[] decays, int m) {
        int r0 = ho;
        int r1 = ho + N;
        int r2 = ho + 2 * N;
        int r3 = ho + 3 * N;
        FloatVector h00 = FloatVector.fromArray(S, h, r0);
        FloatVector h01 = FloatVector.fromArray(S, h, r0 + L);
        FloatVector h02 = FloatVector.fromArray(S, h, r0 + 2 * L);
        FloatVector h03 = FloatVector.fromArray(S, h, r0 + 3 * L);
        FloatVector h10 = FloatVector.fromArray(S, h, r1);
        FloatVector h11 = FloatVector.fromArray(S, h, r1 + L);
        FloatVector h12 = FloatVector.fromArray(S, h, r1 + 2 * L);
        FloatVector h13 = FloatVector.fromArray(S, h, r1 + 3 * L);
        FloatVector h20 = FloatVector.fromArray(S, h, r2);
        FloatVector h21 = FloatVector.fromArray(S, h, r2 + L);
        FloatVector h22 = FloatVector.fromArray(S, h, r2 + 2 * L);
        FloatVector h23 = FloatVector.fromArray(S, h, r2 + 3 * L);
        FloatVector h30 = FloatVector.fromArray(S, h, r3);
        FloatVector h31 = FloatVector.fromArray(S, h, r3 + L);
        FloatVector h32 = FloatVector.fromArray(S, h, r3 + 2 * L);
        FloatVector h33 = FloatVector.fromArray(S, h, r3 + 3 * L);
        for (int i = 0; i < m; i++) {
            int xi = xo + i * xs;
            int yi = yo + i * ys;
            int bi = bo + i * bs;
            int ci = co + i * cs;
            float dt = steps[i];
            FloatVector vd = FloatVector.broadcast(S, decays[i]);
            FloatVector b0 = FloatVector.fromArray(S, B, bi);
            FloatVector b1 = FloatVector.fromArray(S, B, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, B, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, B, bi + 3 * L);
            FloatVector d0 = FloatVector.fromArray(S, dc, ci);
            FloatVector d1 = FloatVector.fromArray(S, dc, ci + L);
            FloatVector d2 = FloatVector.fromArray(S, dc, ci + 2 * L);
            FloatVector d3 = FloatVector.fromArray(S, dc, ci + 3 * L);
            FloatVector vx = FloatVector.broadcast(S, dt * x[xi]);
            FloatVector vy = FloatVector.broadcast(S, dy[yi]);
            h00 = vx.fma(b0, h00.mul(vd));
            h01 = vx.fma(b1, h01.mul(vd));
            h02 = vx.fma(b2, h02.mul(vd));
            h03 = vx.fma(b3, h03.mul(vd));
            d0 = h00.fma(vy, d0);
            d1 = h01.fma(vy, d1);
            d2 = h02.fma(vy, d2);
            d3 = h03.fma(vy, d3);
            vx = FloatVector.broadcast(S, dt * x[xi + 1]);
            vy = FloatVector.broadcast(S, dy[yi + 1]);
            h10 = vx.fma(b0, h10.mul(vd));
            h11 = vx.fma(b1, h11.mul(vd));
            h12 = vx.fma(b2, h12.mul(vd));
            h13 = vx.fma(b3, h13.mul(vd));
            d0 = h10.fma(vy, d0);
            d1 = h11.fma(vy, d1);
            d2 = h12.fma(vy, d2);
            d3 = h13.fma(vy, d3);
            vx = FloatVector.broadcast(S, dt * x[xi + 2]);
            vy = FloatVector.broadcast(S, dy[yi + 2]);
            h20 = vx.fma(b0, h20.mul(vd));
            h21 = vx.fma(b1, h21.mul(vd));
            h22 = vx.fma(b2, h22.mul(vd));
            h23 = vx.fma(b3, h23.mul(vd));
            d0 = h20.fma(vy, d0);
            d1 = h21.fma(vy, d1);
            d2 = h22.fma(vy, d2);
            d3 = h23.fma(vy, d3);
            vx = FloatVector.broadcast(S, dt * x[xi + 3]);
            vy = FloatVector.broadcast(S, dy[yi + 3]);
            h30 = vx.fma(b0, h30.mul(vd));
            h31 = vx.fma(b1, h31.mul(vd));
            h32 = vx.fma(b2, h32.mul(vd));
            h33 = vx.fma(b3, h33.mul(vd));
            d0 = h30.fma(vy, d0);
            d1 = h31.fma(vy, d1);
            d2 = h32.fma(vy, d2);
            d3 = h33.fma(vy, d3);
            d0.intoArray(dc, ci);
            d1.intoArray(dc, ci + L);
            d2.intoArray(dc, ci + 2 * L);
            d3.intoArray(dc, ci + 3 * L);
        }
        h00.intoArray(h, r0);
        h01.intoArray(h, r0 + L);
        h02.intoArray(h, r0 + 2 * L);
        h03.intoArray(h, r0 + 3 * L);
        h10.intoArray(h, r1);
        h11.intoArray(h, r1 + L);
        h12.intoArray(h, r1 + 2 * L);
        h13.intoArray(h, r1 + 3 * L);
        h20.intoArray(h, r2);
        h21.intoArray(h, r2 + L);
        h22.intoArray(h, r2 + 2 * L);
        h23.intoArray(h, r2 + 3 * L);
        h30.intoArray(h, r3);
        h31.intoArray(h, r3 + L);
        h32.intoArray(h, r3 + 2 * L);
        h33.intoArray(h, r3 + 3 * L);
    }

    /** As {@link #fTile4x4} for 4 rows by one vector. */
    void fTile4x1(float[] h, int ho, int N, float[] x, int xo, int xs, float[] dy, int yo, int ys, float[] B, int bo,
                  int bs, float[] dc, int co, int cs, float[] steps, float[] decays, int m) {
        FloatVector h0 = FloatVector.fromArray(S, h, ho);
        FloatVector h1 = FloatVector.fromArray(S, h, ho + N);
        FloatVector h2 = FloatVector.fromArray(S, h, ho + 2 * N);
        FloatVector h3 = FloatVector.fromArray(S, h, ho + 3 * N);
        for (int i = 0; i < m; i++) {
            int xi = xo + i * xs;
            int yi = yo + i * ys;
            int ci = co + i * cs;
            float dt = steps[i];
            FloatVector vd = FloatVector.broadcast(S, decays[i]);
            FloatVector b0 = FloatVector.fromArray(S, B, bo + i * bs);
            FloatVector d0 = FloatVector.fromArray(S, dc, ci);
            h0 = FloatVector.broadcast(S, dt * x[xi]).fma(b0, h0.mul(vd));
            h1 = FloatVector.broadcast(S, dt * x[xi + 1]).fma(b0, h1.mul(vd));
            h2 = FloatVector.broadcast(S, dt * x[xi + 2]).fma(b0, h2.mul(vd));
            h3 = FloatVector.broadcast(S, dt * x[xi + 3]).fma(b0, h3.mul(vd));
            d0 = h0.fma(FloatVector.broadcast(S, dy[yi]), d0);
            d0 = h1.fma(FloatVector.broadcast(S, dy[yi + 1]), d0);
            d0 = h2.fma(FloatVector.broadcast(S, dy[yi + 2]), d0);
            d0 = h3.fma(FloatVector.broadcast(S, dy[yi + 3]), d0);
            d0.intoArray(dc, ci);
        }
        h0.intoArray(h, ho);
        h1.intoArray(h, ho + N);
        h2.intoArray(h, ho + 2 * N);
        h3.intoArray(h, ho + 3 * N);
    }

    /** As {@link #fTile4x4} for rows x cols values one at a time. */
    static void fTileScalar(float[] h, int ho, int N, int rows, int cols, float[] x, int xo, int xs, float[] dy, int yo,
                            int ys, float[] B, int bo, int bs, float[] dc, int co, int cs, float[] steps,
                            float[] decays, int m) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int e = ho + r * N + c;
                float hv = h[e];
                for (int i = 0; i < m; i++) {
                    hv = Math.fma(steps[i] * x[xo + i * xs + r], B[bo + i * bs + c], decays[i] * hv);
                    int ci = co + i * cs + c;
                    dc[ci] = Math.fma(hv, dy[yo + i * ys + r], dc[ci]);
                }
                h[e] = hv;
            }
        }
    }

    /**
     * States only, over steps 0..m-1, for rows [0, 4) x 4 vectors of a state in row layout
     * starting from src at so (row stride N), with {@link #fTile4x4}'s arithmetic: writes the
     * start into slot 0 of buf at bo and the state after step i into slot i + 1, each slot 16
     * vectors (row r, vector j at (4 r + j) L).
     */
    void sTile4x4(float[] src, int so, int N, float[] buf, int bufo, float[] x, int xo, int xs, float[] B, int bo,
                  int bs, float[] steps, float[] decays, int m) {
        int r0 = so;
        int r1 = so + N;
        int r2 = so + 2 * N;
        int r3 = so + 3 * N;
        FloatVector h00 = FloatVector.fromArray(S, src, r0);
        FloatVector h01 = FloatVector.fromArray(S, src, r0 + L);
        FloatVector h02 = FloatVector.fromArray(S, src, r0 + 2 * L);
        FloatVector h03 = FloatVector.fromArray(S, src, r0 + 3 * L);
        FloatVector h10 = FloatVector.fromArray(S, src, r1);
        FloatVector h11 = FloatVector.fromArray(S, src, r1 + L);
        FloatVector h12 = FloatVector.fromArray(S, src, r1 + 2 * L);
        FloatVector h13 = FloatVector.fromArray(S, src, r1 + 3 * L);
        FloatVector h20 = FloatVector.fromArray(S, src, r2);
        FloatVector h21 = FloatVector.fromArray(S, src, r2 + L);
        FloatVector h22 = FloatVector.fromArray(S, src, r2 + 2 * L);
        FloatVector h23 = FloatVector.fromArray(S, src, r2 + 3 * L);
        FloatVector h30 = FloatVector.fromArray(S, src, r3);
        FloatVector h31 = FloatVector.fromArray(S, src, r3 + L);
        FloatVector h32 = FloatVector.fromArray(S, src, r3 + 2 * L);
        FloatVector h33 = FloatVector.fromArray(S, src, r3 + 3 * L);
        int o0 = bufo & SMALL;
        h00.intoArray(buf, o0);
        h01.intoArray(buf, o0 + L);
        h02.intoArray(buf, o0 + 2 * L);
        h03.intoArray(buf, o0 + 3 * L);
        h10.intoArray(buf, o0 + 4 * L);
        h11.intoArray(buf, o0 + 5 * L);
        h12.intoArray(buf, o0 + 6 * L);
        h13.intoArray(buf, o0 + 7 * L);
        h20.intoArray(buf, o0 + 8 * L);
        h21.intoArray(buf, o0 + 9 * L);
        h22.intoArray(buf, o0 + 10 * L);
        h23.intoArray(buf, o0 + 11 * L);
        h30.intoArray(buf, o0 + 12 * L);
        h31.intoArray(buf, o0 + 13 * L);
        h32.intoArray(buf, o0 + 14 * L);
        h33.intoArray(buf, o0 + 15 * L);
        for (int i = 0; i < m; i++) {
            int xi = xo + i * xs;
            int bi = bo + i * bs;
            float dt = steps[i];
            FloatVector vd = FloatVector.broadcast(S, decays[i]);
            FloatVector b0 = FloatVector.fromArray(S, B, bi);
            FloatVector b1 = FloatVector.fromArray(S, B, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, B, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, B, bi + 3 * L);
            FloatVector vx = FloatVector.broadcast(S, dt * x[xi]);
            h00 = vx.fma(b0, h00.mul(vd));
            h01 = vx.fma(b1, h01.mul(vd));
            h02 = vx.fma(b2, h02.mul(vd));
            h03 = vx.fma(b3, h03.mul(vd));
            vx = FloatVector.broadcast(S, dt * x[xi + 1]);
            h10 = vx.fma(b0, h10.mul(vd));
            h11 = vx.fma(b1, h11.mul(vd));
            h12 = vx.fma(b2, h12.mul(vd));
            h13 = vx.fma(b3, h13.mul(vd));
            vx = FloatVector.broadcast(S, dt * x[xi + 2]);
            h20 = vx.fma(b0, h20.mul(vd));
            h21 = vx.fma(b1, h21.mul(vd));
            h22 = vx.fma(b2, h22.mul(vd));
            h23 = vx.fma(b3, h23.mul(vd));
            vx = FloatVector.broadcast(S, dt * x[xi + 3]);
            h30 = vx.fma(b0, h30.mul(vd));
            h31 = vx.fma(b1, h31.mul(vd));
            h32 = vx.fma(b2, h32.mul(vd));
            h33 = vx.fma(b3, h33.mul(vd));
            int o = (bufo + (i + 1) * 16 * L) & SMALL;
            h00.intoArray(buf, o);
            h01.intoArray(buf, o + L);
            h02.intoArray(buf, o + 2 * L);
            h03.intoArray(buf, o + 3 * L);
            h10.intoArray(buf, o + 4 * L);
            h11.intoArray(buf, o + 5 * L);
            h12.intoArray(buf, o + 6 * L);
            h13.intoArray(buf, o + 7 * L);
            h20.intoArray(buf, o + 8 * L);
            h21.intoArray(buf, o + 9 * L);
            h22.intoArray(buf, o + 10 * L);
            h23.intoArray(buf, o + 11 * L);
            h30.intoArray(buf, o + 12 * L);
            h31.intoArray(buf, o + 13 * L);
            h32.intoArray(buf, o + 14 * L);
            h33.intoArray(buf, o + 15 * L);
        }
    }

    /** As {@link #sTile4x4} for 4 rows by one vector; slots of 4 vectors (row r at r L). */
    void sTile4x1(float[] src, int so, int N, float[] buf, int bufo, float[] x, int xo, int xs, float[] B, int bo,
                  int bs, float[] steps, float[] decays, int m) {
        FloatVector h0 = FloatVector.fromArray(S, src, so);
        FloatVector h1 = FloatVector.fromArray(S, src, so + N);
        FloatVector h2 = FloatVector.fromArray(S, src, so + 2 * N);
        FloatVector h3 = FloatVector.fromArray(S, src, so + 3 * N);
        h0.intoArray(buf, bufo);
        h1.intoArray(buf, bufo + L);
        h2.intoArray(buf, bufo + 2 * L);
        h3.intoArray(buf, bufo + 3 * L);
        for (int i = 0; i < m; i++) {
            int xi = xo + i * xs;
            float dt = steps[i];
            FloatVector vd = FloatVector.broadcast(S, decays[i]);
            FloatVector b0 = FloatVector.fromArray(S, B, bo + i * bs);
            h0 = FloatVector.broadcast(S, dt * x[xi]).fma(b0, h0.mul(vd));
            h1 = FloatVector.broadcast(S, dt * x[xi + 1]).fma(b0, h1.mul(vd));
            h2 = FloatVector.broadcast(S, dt * x[xi + 2]).fma(b0, h2.mul(vd));
            h3 = FloatVector.broadcast(S, dt * x[xi + 3]).fma(b0, h3.mul(vd));
            int o = (bufo + (i + 1) * 4 * L) & SMALL;
            h0.intoArray(buf, o);
            h1.intoArray(buf, o + L);
            h2.intoArray(buf, o + 2 * L);
            h3.intoArray(buf, o + 3 * L);
        }
    }

    /** As {@link #sTile4x4} for rows x cols values one at a time; slots of rows x cols (row r, column c at r cols + c). */
    static void sTileScalar(float[] src, int so, int N, int rows, int cols, float[] buf, int bufo, float[] x, int xo,
                            int xs, float[] B, int bo, int bs, float[] steps, float[] decays, int m) {
        int slot = rows * cols;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float hv = src[so + r * N + c];
                int o = bufo + r * cols + c;
                buf[o] = hv;
                for (int i = 0; i < m; i++) {
                    hv = Math.fma(steps[i] * x[xo + i * xs + r], B[bo + i * bs + c], decays[i] * hv);
                    buf[o + (i + 1) * slot] = hv;
                }
            }
        }
    }

    /**
     * Reverse over steps m-1..0 for rows [0, 4) x 4 vectors of a carry K in row layout at ko
     * (row stride N): K += s_i[p] C_i[n], then u_i[n] += sum over the rows of K[p, n] x_i[p] and
     * q_i += K . H_i lane by lane (H_i the state tile in slot i of hb, laid out as
     * {@link #sTile4x4} writes it; q_i one vector at qo + i L), then K *= rescale[i] when that is
     * not 1. s and x at so and xo (row 0) step by ss and xs, C at co and u at uo (column 0) by
     * cs and us.
     */
    void rTile4x4(float[] K, int ko, int N, float[] sv, int so, int ss, float[] x, int xo, int xs, float[] C, int co,
                  int cs, float[] u, int uo, int us, float[] hb, int hbo, float[] q, int qo, float[] rescale, int m) {
        int r0 = ko;
        int r1 = ko + N;
        int r2 = ko + 2 * N;
        int r3 = ko + 3 * N;
        FloatVector k00 = FloatVector.fromArray(S, K, r0);
        FloatVector k01 = FloatVector.fromArray(S, K, r0 + L);
        FloatVector k02 = FloatVector.fromArray(S, K, r0 + 2 * L);
        FloatVector k03 = FloatVector.fromArray(S, K, r0 + 3 * L);
        FloatVector k10 = FloatVector.fromArray(S, K, r1);
        FloatVector k11 = FloatVector.fromArray(S, K, r1 + L);
        FloatVector k12 = FloatVector.fromArray(S, K, r1 + 2 * L);
        FloatVector k13 = FloatVector.fromArray(S, K, r1 + 3 * L);
        FloatVector k20 = FloatVector.fromArray(S, K, r2);
        FloatVector k21 = FloatVector.fromArray(S, K, r2 + L);
        FloatVector k22 = FloatVector.fromArray(S, K, r2 + 2 * L);
        FloatVector k23 = FloatVector.fromArray(S, K, r2 + 3 * L);
        FloatVector k30 = FloatVector.fromArray(S, K, r3);
        FloatVector k31 = FloatVector.fromArray(S, K, r3 + L);
        FloatVector k32 = FloatVector.fromArray(S, K, r3 + 2 * L);
        FloatVector k33 = FloatVector.fromArray(S, K, r3 + 3 * L);
        for (int i = m - 1; i >= 0; i--) {
            int si = (so + i * ss) & SMALL;
            int xi = xo + i * xs;
            int ci = co + i * cs;
            int ui = (uo + i * us) & SMALL;
            FloatVector c0 = FloatVector.fromArray(S, C, ci);
            FloatVector c1 = FloatVector.fromArray(S, C, ci + L);
            FloatVector c2 = FloatVector.fromArray(S, C, ci + 2 * L);
            FloatVector c3 = FloatVector.fromArray(S, C, ci + 3 * L);
            FloatVector u0 = FloatVector.fromArray(S, u, ui);
            FloatVector u1 = FloatVector.fromArray(S, u, ui + L);
            FloatVector u2 = FloatVector.fromArray(S, u, ui + 2 * L);
            FloatVector u3 = FloatVector.fromArray(S, u, ui + 3 * L);
            int hi = (hbo + i * 16 * L) & SMALL;
            FloatVector vs = FloatVector.broadcast(S, sv[si]);
            FloatVector vx = FloatVector.broadcast(S, x[xi]);
            k00 = vs.fma(c0, k00);
            k01 = vs.fma(c1, k01);
            k02 = vs.fma(c2, k02);
            k03 = vs.fma(c3, k03);
            u0 = k00.fma(vx, u0);
            u1 = k01.fma(vx, u1);
            u2 = k02.fma(vx, u2);
            u3 = k03.fma(vx, u3);
            FloatVector qa = k00.mul(FloatVector.fromArray(S, hb, hi));
            qa = k01.fma(FloatVector.fromArray(S, hb, hi + L), qa);
            qa = k02.fma(FloatVector.fromArray(S, hb, hi + 2 * L), qa);
            qa = k03.fma(FloatVector.fromArray(S, hb, hi + 3 * L), qa);
            vs = FloatVector.broadcast(S, sv[si + 1]);
            vx = FloatVector.broadcast(S, x[xi + 1]);
            k10 = vs.fma(c0, k10);
            k11 = vs.fma(c1, k11);
            k12 = vs.fma(c2, k12);
            k13 = vs.fma(c3, k13);
            u0 = k10.fma(vx, u0);
            u1 = k11.fma(vx, u1);
            u2 = k12.fma(vx, u2);
            u3 = k13.fma(vx, u3);
            FloatVector qb = k10.mul(FloatVector.fromArray(S, hb, hi + 4 * L));
            qb = k11.fma(FloatVector.fromArray(S, hb, hi + 5 * L), qb);
            qb = k12.fma(FloatVector.fromArray(S, hb, hi + 6 * L), qb);
            qb = k13.fma(FloatVector.fromArray(S, hb, hi + 7 * L), qb);
            vs = FloatVector.broadcast(S, sv[si + 2]);
            vx = FloatVector.broadcast(S, x[xi + 2]);
            k20 = vs.fma(c0, k20);
            k21 = vs.fma(c1, k21);
            k22 = vs.fma(c2, k22);
            k23 = vs.fma(c3, k23);
            u0 = k20.fma(vx, u0);
            u1 = k21.fma(vx, u1);
            u2 = k22.fma(vx, u2);
            u3 = k23.fma(vx, u3);
            qa = k20.fma(FloatVector.fromArray(S, hb, hi + 8 * L), qa);
            qa = k21.fma(FloatVector.fromArray(S, hb, hi + 9 * L), qa);
            qa = k22.fma(FloatVector.fromArray(S, hb, hi + 10 * L), qa);
            qa = k23.fma(FloatVector.fromArray(S, hb, hi + 11 * L), qa);
            vs = FloatVector.broadcast(S, sv[si + 3]);
            vx = FloatVector.broadcast(S, x[xi + 3]);
            k30 = vs.fma(c0, k30);
            k31 = vs.fma(c1, k31);
            k32 = vs.fma(c2, k32);
            k33 = vs.fma(c3, k33);
            u0 = k30.fma(vx, u0);
            u1 = k31.fma(vx, u1);
            u2 = k32.fma(vx, u2);
            u3 = k33.fma(vx, u3);
            qb = k30.fma(FloatVector.fromArray(S, hb, hi + 12 * L), qb);
            qb = k31.fma(FloatVector.fromArray(S, hb, hi + 13 * L), qb);
            qb = k32.fma(FloatVector.fromArray(S, hb, hi + 14 * L), qb);
            qb = k33.fma(FloatVector.fromArray(S, hb, hi + 15 * L), qb);
            u0.intoArray(u, ui);
            u1.intoArray(u, ui + L);
            u2.intoArray(u, ui + 2 * L);
            u3.intoArray(u, ui + 3 * L);
            int qi = (qo + i * L) & SMALL;
            qa.add(qb).add(FloatVector.fromArray(S, q, qi)).intoArray(q, qi);
            float f = rescale[i];
            if (f != 1f) {
                FloatVector vf = FloatVector.broadcast(S, f);
                k00 = k00.mul(vf);
                k01 = k01.mul(vf);
                k02 = k02.mul(vf);
                k03 = k03.mul(vf);
                k10 = k10.mul(vf);
                k11 = k11.mul(vf);
                k12 = k12.mul(vf);
                k13 = k13.mul(vf);
                k20 = k20.mul(vf);
                k21 = k21.mul(vf);
                k22 = k22.mul(vf);
                k23 = k23.mul(vf);
                k30 = k30.mul(vf);
                k31 = k31.mul(vf);
                k32 = k32.mul(vf);
                k33 = k33.mul(vf);
            }
        }
        k00.intoArray(K, r0);
        k01.intoArray(K, r0 + L);
        k02.intoArray(K, r0 + 2 * L);
        k03.intoArray(K, r0 + 3 * L);
        k10.intoArray(K, r1);
        k11.intoArray(K, r1 + L);
        k12.intoArray(K, r1 + 2 * L);
        k13.intoArray(K, r1 + 3 * L);
        k20.intoArray(K, r2);
        k21.intoArray(K, r2 + L);
        k22.intoArray(K, r2 + 2 * L);
        k23.intoArray(K, r2 + 3 * L);
        k30.intoArray(K, r3);
        k31.intoArray(K, r3 + L);
        k32.intoArray(K, r3 + 2 * L);
        k33.intoArray(K, r3 + 3 * L);
    }

    /** As {@link #rTile4x4} for 4 rows by one vector. */
    void rTile4x1(float[] K, int ko, int N, float[] sv, int so, int ss, float[] x, int xo, int xs, float[] C, int co,
                  int cs, float[] u, int uo, int us, float[] hb, int hbo, float[] q, int qo, float[] rescale, int m) {
        FloatVector k0 = FloatVector.fromArray(S, K, ko);
        FloatVector k1 = FloatVector.fromArray(S, K, ko + N);
        FloatVector k2 = FloatVector.fromArray(S, K, ko + 2 * N);
        FloatVector k3 = FloatVector.fromArray(S, K, ko + 3 * N);
        for (int i = m - 1; i >= 0; i--) {
            int si = (so + i * ss) & SMALL;
            int xi = xo + i * xs;
            int ui = (uo + i * us) & SMALL;
            FloatVector c0 = FloatVector.fromArray(S, C, co + i * cs);
            FloatVector u0 = FloatVector.fromArray(S, u, ui);
            k0 = FloatVector.broadcast(S, sv[si]).fma(c0, k0);
            k1 = FloatVector.broadcast(S, sv[si + 1]).fma(c0, k1);
            k2 = FloatVector.broadcast(S, sv[si + 2]).fma(c0, k2);
            k3 = FloatVector.broadcast(S, sv[si + 3]).fma(c0, k3);
            u0 = k0.fma(FloatVector.broadcast(S, x[xi]), u0);
            u0 = k1.fma(FloatVector.broadcast(S, x[xi + 1]), u0);
            u0 = k2.fma(FloatVector.broadcast(S, x[xi + 2]), u0);
            u0 = k3.fma(FloatVector.broadcast(S, x[xi + 3]), u0);
            u0.intoArray(u, ui);
            int hi = (hbo + i * 4 * L) & SMALL;
            FloatVector qa = k0.mul(FloatVector.fromArray(S, hb, hi));
            FloatVector qb = k1.mul(FloatVector.fromArray(S, hb, hi + L));
            qa = k2.fma(FloatVector.fromArray(S, hb, hi + 2 * L), qa);
            qb = k3.fma(FloatVector.fromArray(S, hb, hi + 3 * L), qb);
            int qi = (qo + i * L) & SMALL;
            qa.add(qb).add(FloatVector.fromArray(S, q, qi)).intoArray(q, qi);
            float f = rescale[i];
            if (f != 1f) {
                FloatVector vf = FloatVector.broadcast(S, f);
                k0 = k0.mul(vf);
                k1 = k1.mul(vf);
                k2 = k2.mul(vf);
                k3 = k3.mul(vf);
            }
        }
        k0.intoArray(K, ko);
        k1.intoArray(K, ko + N);
        k2.intoArray(K, ko + 2 * N);
        k3.intoArray(K, ko + 3 * N);
    }

    /** As {@link #rTile4x4} for rows x cols values one at a time. */
    static void rTileScalar(float[] K, int ko, int N, int rows, int cols, float[] sv, int so, int ss, float[] x, int xo,
                            int xs, float[] C, int co, int cs, float[] u, int uo, int us, float[] hb, int hbo,
                            float[] q, int qo, int qs, float[] rescale, int m) {
        int slot = rows * cols;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int e = ko + r * N + c;
                float kv = K[e];
                for (int i = m - 1; i >= 0; i--) {
                    kv = Math.fma(sv[so + i * ss + r], C[co + i * cs + c], kv);
                    int ui = uo + i * us + c;
                    u[ui] = Math.fma(kv, x[xo + i * xs + r], u[ui]);
                    int qi = qo + i * qs + c % qs; // qs partial sums (lanes), as the vector tiles keep
                    q[qi] = Math.fma(kv, hb[hbo + i * slot + r * cols + c], q[qi]);
                    kv *= rescale[i];
                }
                K[e] = kv;
            }
        }
    }

    /**
     * Reverse over steps m-1..0 for rows [0, 4) x 4 vectors of a carry K' in column layout at
     * ko (rows are dstate, row stride P): K'[n, p] += C_i[n] s_i[p], then a_i[p] += sum over the
     * rows of K'[n, p] B_i[n], then K' *= rescale[i] when that is not 1. s and a at so and ao
     * (column 0) step by ss and as, B and C at bo and co (row 0) by bs and cs.
     */
    void cTile4x4(float[] K, int ko, int P, float[] sv, int so, int ss, float[] B, int bo, int bs, float[] C, int co,
                  int cs, float[] a, int ao, int as, float[] rescale, int m) {
        int r0 = ko;
        int r1 = ko + P;
        int r2 = ko + 2 * P;
        int r3 = ko + 3 * P;
        FloatVector k00 = FloatVector.fromArray(S, K, r0);
        FloatVector k01 = FloatVector.fromArray(S, K, r0 + L);
        FloatVector k02 = FloatVector.fromArray(S, K, r0 + 2 * L);
        FloatVector k03 = FloatVector.fromArray(S, K, r0 + 3 * L);
        FloatVector k10 = FloatVector.fromArray(S, K, r1);
        FloatVector k11 = FloatVector.fromArray(S, K, r1 + L);
        FloatVector k12 = FloatVector.fromArray(S, K, r1 + 2 * L);
        FloatVector k13 = FloatVector.fromArray(S, K, r1 + 3 * L);
        FloatVector k20 = FloatVector.fromArray(S, K, r2);
        FloatVector k21 = FloatVector.fromArray(S, K, r2 + L);
        FloatVector k22 = FloatVector.fromArray(S, K, r2 + 2 * L);
        FloatVector k23 = FloatVector.fromArray(S, K, r2 + 3 * L);
        FloatVector k30 = FloatVector.fromArray(S, K, r3);
        FloatVector k31 = FloatVector.fromArray(S, K, r3 + L);
        FloatVector k32 = FloatVector.fromArray(S, K, r3 + 2 * L);
        FloatVector k33 = FloatVector.fromArray(S, K, r3 + 3 * L);
        for (int i = m - 1; i >= 0; i--) {
            int si = (so + i * ss) & SMALL;
            int ai = (ao + i * as) & SMALL;
            int bi = bo + i * bs;
            int ci = co + i * cs;
            FloatVector s0 = FloatVector.fromArray(S, sv, si);
            FloatVector s1 = FloatVector.fromArray(S, sv, si + L);
            FloatVector s2 = FloatVector.fromArray(S, sv, si + 2 * L);
            FloatVector s3 = FloatVector.fromArray(S, sv, si + 3 * L);
            FloatVector a0 = FloatVector.fromArray(S, a, ai);
            FloatVector a1 = FloatVector.fromArray(S, a, ai + L);
            FloatVector a2 = FloatVector.fromArray(S, a, ai + 2 * L);
            FloatVector a3 = FloatVector.fromArray(S, a, ai + 3 * L);
            FloatVector vc = FloatVector.broadcast(S, C[ci]);
            FloatVector vb = FloatVector.broadcast(S, B[bi]);
            k00 = s0.fma(vc, k00);
            k01 = s1.fma(vc, k01);
            k02 = s2.fma(vc, k02);
            k03 = s3.fma(vc, k03);
            a0 = k00.fma(vb, a0);
            a1 = k01.fma(vb, a1);
            a2 = k02.fma(vb, a2);
            a3 = k03.fma(vb, a3);
            vc = FloatVector.broadcast(S, C[ci + 1]);
            vb = FloatVector.broadcast(S, B[bi + 1]);
            k10 = s0.fma(vc, k10);
            k11 = s1.fma(vc, k11);
            k12 = s2.fma(vc, k12);
            k13 = s3.fma(vc, k13);
            a0 = k10.fma(vb, a0);
            a1 = k11.fma(vb, a1);
            a2 = k12.fma(vb, a2);
            a3 = k13.fma(vb, a3);
            vc = FloatVector.broadcast(S, C[ci + 2]);
            vb = FloatVector.broadcast(S, B[bi + 2]);
            k20 = s0.fma(vc, k20);
            k21 = s1.fma(vc, k21);
            k22 = s2.fma(vc, k22);
            k23 = s3.fma(vc, k23);
            a0 = k20.fma(vb, a0);
            a1 = k21.fma(vb, a1);
            a2 = k22.fma(vb, a2);
            a3 = k23.fma(vb, a3);
            vc = FloatVector.broadcast(S, C[ci + 3]);
            vb = FloatVector.broadcast(S, B[bi + 3]);
            k30 = s0.fma(vc, k30);
            k31 = s1.fma(vc, k31);
            k32 = s2.fma(vc, k32);
            k33 = s3.fma(vc, k33);
            a0 = k30.fma(vb, a0);
            a1 = k31.fma(vb, a1);
            a2 = k32.fma(vb, a2);
            a3 = k33.fma(vb, a3);
            a0.intoArray(a, ai);
            a1.intoArray(a, ai + L);
            a2.intoArray(a, ai + 2 * L);
            a3.intoArray(a, ai + 3 * L);
            float f = rescale[i];
            if (f != 1f) {
                FloatVector vf = FloatVector.broadcast(S, f);
                k00 = k00.mul(vf);
                k01 = k01.mul(vf);
                k02 = k02.mul(vf);
                k03 = k03.mul(vf);
                k10 = k10.mul(vf);
                k11 = k11.mul(vf);
                k12 = k12.mul(vf);
                k13 = k13.mul(vf);
                k20 = k20.mul(vf);
                k21 = k21.mul(vf);
                k22 = k22.mul(vf);
                k23 = k23.mul(vf);
                k30 = k30.mul(vf);
                k31 = k31.mul(vf);
                k32 = k32.mul(vf);
                k33 = k33.mul(vf);
            }
        }
        k00.intoArray(K, r0);
        k01.intoArray(K, r0 + L);
        k02.intoArray(K, r0 + 2 * L);
        k03.intoArray(K, r0 + 3 * L);
        k10.intoArray(K, r1);
        k11.intoArray(K, r1 + L);
        k12.intoArray(K, r1 + 2 * L);
        k13.intoArray(K, r1 + 3 * L);
        k20.intoArray(K, r2);
        k21.intoArray(K, r2 + L);
        k22.intoArray(K, r2 + 2 * L);
        k23.intoArray(K, r2 + 3 * L);
        k30.intoArray(K, r3);
        k31.intoArray(K, r3 + L);
        k32.intoArray(K, r3 + 2 * L);
        k33.intoArray(K, r3 + 3 * L);
    }

    /** As {@link #cTile4x4} for 4 rows by one vector. */
    void cTile4x1(float[] K, int ko, int P, float[] sv, int so, int ss, float[] B, int bo, int bs, float[] C, int co,
                  int cs, float[] a, int ao, int as, float[] rescale, int m) {
        FloatVector k0 = FloatVector.fromArray(S, K, ko);
        FloatVector k1 = FloatVector.fromArray(S, K, ko + P);
        FloatVector k2 = FloatVector.fromArray(S, K, ko + 2 * P);
        FloatVector k3 = FloatVector.fromArray(S, K, ko + 3 * P);
        for (int i = m - 1; i >= 0; i--) {
            int ai = (ao + i * as) & SMALL;
            int bi = bo + i * bs;
            int ci = co + i * cs;
            FloatVector s0 = FloatVector.fromArray(S, sv, (so + i * ss) & SMALL);
            FloatVector a0 = FloatVector.fromArray(S, a, ai);
            k0 = s0.fma(FloatVector.broadcast(S, C[ci]), k0);
            k1 = s0.fma(FloatVector.broadcast(S, C[ci + 1]), k1);
            k2 = s0.fma(FloatVector.broadcast(S, C[ci + 2]), k2);
            k3 = s0.fma(FloatVector.broadcast(S, C[ci + 3]), k3);
            a0 = k0.fma(FloatVector.broadcast(S, B[bi]), a0);
            a0 = k1.fma(FloatVector.broadcast(S, B[bi + 1]), a0);
            a0 = k2.fma(FloatVector.broadcast(S, B[bi + 2]), a0);
            a0 = k3.fma(FloatVector.broadcast(S, B[bi + 3]), a0);
            a0.intoArray(a, ai);
            float f = rescale[i];
            if (f != 1f) {
                FloatVector vf = FloatVector.broadcast(S, f);
                k0 = k0.mul(vf);
                k1 = k1.mul(vf);
                k2 = k2.mul(vf);
                k3 = k3.mul(vf);
            }
        }
        k0.intoArray(K, ko);
        k1.intoArray(K, ko + P);
        k2.intoArray(K, ko + 2 * P);
        k3.intoArray(K, ko + 3 * P);
    }

    /** As {@link #cTile4x4} for rows x cols values one at a time. */
    static void cTileScalar(float[] K, int ko, int P, int rows, int cols, float[] sv, int so, int ss, float[] B, int bo,
                            int bs, float[] C, int co, int cs, float[] a, int ao, int as, float[] rescale, int m) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int e = ko + r * P + c;
                float kv = K[e];
                for (int i = m - 1; i >= 0; i--) {
                    kv = Math.fma(sv[so + i * ss + c], C[co + i * cs + r], kv);
                    int ai = ao + i * as + c;
                    a[ai] = Math.fma(kv, B[bo + i * bs + r], a[ai]);
                    kv *= rescale[i];
                }
                K[e] = kv;
            }
        }
    }

    /** The sum of a[ao + i] b[bo + i] over i in [0, n). */
    float dot(float[] a, int ao, float[] b, int bo, int n) {
        int vEnd = bound(n);
        float sum = 0f;
        int i = 0;
        if (vEnd > 0) {
            FloatVector acc = FloatVector.zero(S);
            for (; i < vEnd; i += L) {
                acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum = Math.fma(a[ao + i], b[bo + i], sum);
        }
        return sum;
    }

    /** The sum of a[off + i] over i in [0, n). */
    float sum(float[] a, int off, int n) {
        int vEnd = bound(n);
        float sum = 0f;
        int i = 0;
        if (vEnd > 0) {
            FloatVector acc = FloatVector.fromArray(S, a, off);
            for (i = L; i < vEnd; i += L) {
                acc = acc.add(FloatVector.fromArray(S, a, off + i));
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum += a[off + i];
        }
        return sum;
    }

    /**
     * The sum of the float products a[ao + i] b[bo + i] over i in [0, n), added up in double in
     * four interleaved partial sums (so not one long chain of dependent additions).
     */
    static double dotDouble(float[] a, int ao, float[] b, int bo, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[ao + i] * b[bo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** dst[dOff + i] = alpha a[ao + i] for i in [0, n). */
    void scaleInto(float[] dst, int dOff, float alpha, float[] a, int ao, int n) {
        int vEnd = bound(n);
        FloatVector va = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (; i < vEnd; i += L) {
            FloatVector.fromArray(S, a, ao + i).mul(va).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = alpha * a[ao + i];
        }
    }

    /** dst[dOff + i] = alpha a[ao + i] + beta b[bo + i] for i in [0, n). */
    void axpby(float[] dst, int dOff, float alpha, float[] a, int ao, float beta, float[] b, int bo, int n) {
        int vEnd = bound(n);
        FloatVector va = FloatVector.broadcast(S, alpha);
        FloatVector vb = FloatVector.broadcast(S, beta);
        int i = 0;
        for (; i < vEnd; i += L) {
            FloatVector.fromArray(S, a, ao + i).mul(va).add(FloatVector.fromArray(S, b, bo + i).mul(vb))
                    .intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = alpha * a[ao + i] + beta * b[bo + i];
        }
    }
}
