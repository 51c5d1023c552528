package dev.chimera.core.ssd;

import dev.chimera.core.kernel.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner loops of {@link SsdScan}: one time step of one (sequence, head) pair, forward and
 * reverse, over a state laid out (headdim, dstate) as mamba keeps it (REFERENCE §2).
 *
 * <p>Each state row h[p][0..dstate) is processed as Vector API vectors of {@link Simd#FLOAT}
 * followed by a scalar tail, so dstate need not be a multiple of the lane count; with the
 * vector path turned off ({@code -Dchimera.kernels=scalar}) the tail does all of it. Sums over
 * dstate are vector accumulations reduced once per row; sums over headdim (dC, dB) accumulate
 * into their output rows, so no lane reduction sits in the innermost loop.
 */
final class SsdScanKernels {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();

    private final boolean vector;

    SsdScanKernels(boolean vector) {
        this.vector = vector;
    }

    /** The decay of one step, exp(dt A); computed the same way wherever a state is (re)built. */
    static float decay(float dt, float a) {
        return (float) Math.exp(dt * a);
    }

    /** End of the vector part of a row of n values: a multiple of the lane count, or 0 when scalar is forced. */
    private int bound(int n) {
        return vector ? S.loopBound(n) : 0;
    }

    /**
     * dst = decay src + (dt x) outer B, for a state (headdim, dstate); src and dst may be the
     * same place. x at xo (headdim), B at bo (dstate).
     */
    void advance(float[] dst, int dOff, float[] src, int sOff, float[] x, int xo, float[] B, int bo, float dt,
                 float decay, int P, int N) {
        int vEnd = bound(N);
        FloatVector vDecay = FloatVector.broadcast(S, decay);
        for (int p = 0; p < P; p++) {
            float xdt = dt * x[xo + p];
            FloatVector vx = FloatVector.broadcast(S, xdt);
            int d = dOff + p * N;
            int s = sOff + p * N;
            int n = 0;
            for (; n < vEnd; n += L) {
                FloatVector.fromArray(S, B, bo + n).fma(vx, FloatVector.fromArray(S, src, s + n).mul(vDecay))
                        .intoArray(dst, d + n);
            }
            for (; n < N; n++) {
                dst[d + n] = decay * src[s + n] + xdt * B[bo + n];
            }
        }
    }

    /**
     * h = decay h + (dt x) outer B in place, then y = h . C + Dh x: the forward step and the
     * inference step. h at ho (headdim, dstate); x, y (headdim); B, C (dstate).
     */
    void advanceAndRead(float[] h, int ho, float[] y, int yo, float[] x, int xo, float[] B, int bo, float[] C,
                        int co, float dt, float decay, float Dh, int P, int N) {
        int vEnd = bound(N);
        FloatVector vDecay = FloatVector.broadcast(S, decay);
        for (int p = 0; p < P; p++) {
            float xp = x[xo + p];
            float xdt = dt * xp;
            FloatVector vx = FloatVector.broadcast(S, xdt);
            FloatVector acc = FloatVector.zero(S);
            int row = ho + p * N;
            int n = 0;
            for (; n < vEnd; n += L) {
                FloatVector hv = FloatVector.fromArray(S, B, bo + n).fma(vx,
                        FloatVector.fromArray(S, h, row + n).mul(vDecay));
                hv.intoArray(h, row + n);
                acc = hv.fma(FloatVector.fromArray(S, C, co + n), acc);
            }
            float sum = vEnd > 0 ? acc.reduceLanes(VectorOperators.ADD) : 0f;
            for (; n < N; n++) {
                float hn = decay * h[row + n] + xdt * B[bo + n];
                h[row + n] = hn;
                sum += hn * C[co + n];
            }
            y[yo + p] = sum + Dh * xp;
        }
    }

    /**
     * One step of the reverse sweep at time t, for one pair. On entry g holds dL/dh_t from the
     * steps after t (exp(dt_{t+1} A) G_{t+1}, or dL/d final state); with G_t = g + dy_t outer C_t:
     * <ul>
     *   <li>dx_t = dt G_t B_t + Dh dy_t is written at dxo (headdim);</li>
     *   <li>h_t^T dy_t is added into dC at dco (dstate) — this head's part of dC_t;</li>
     *   <li>G_t^T x_t is added into u at uo (dstate) — dB_t is dt times it;</li>
     *   <li>g becomes exp(dt_t A) G_t = dL/dh_{t-1} from steps &gt;= t;</li>
     * </ul>
     * and &lt;G_t, h_{t-1}&gt; is returned, for ddt_t and dA.
     */
    float reverseStep(float[] g, int go, float[] hCur, int hco, float[] hPrev, int hpo, float[] dy, int dyo,
                      float[] x, int xo, float[] B, int bo, float[] C, int co, float[] dx, int dxo,
                      float[] dC, int dco, float[] u, int uo, float dt, float decay, float Dh, int P, int N) {
        int vEnd = bound(N);
        FloatVector vDecay = FloatVector.broadcast(S, decay);
        FloatVector prevAcc = FloatVector.zero(S);
        float prevTail = 0f;
        for (int p = 0; p < P; p++) {
            float dyp = dy[dyo + p];
            float xp = x[xo + p];
            FloatVector vdy = FloatVector.broadcast(S, dyp);
            FloatVector vx = FloatVector.broadcast(S, xp);
            FloatVector gbAcc = FloatVector.zero(S);
            int gr = go + p * N;
            int hcr = hco + p * N;
            int hpr = hpo + p * N;
            int n = 0;
            for (; n < vEnd; n += L) {
                FloatVector gt = FloatVector.fromArray(S, C, co + n).fma(vdy, FloatVector.fromArray(S, g, gr + n));
                FloatVector.fromArray(S, hCur, hcr + n).fma(vdy, FloatVector.fromArray(S, dC, dco + n))
                        .intoArray(dC, dco + n);
                gt.fma(vx, FloatVector.fromArray(S, u, uo + n)).intoArray(u, uo + n);
                gbAcc = gt.fma(FloatVector.fromArray(S, B, bo + n), gbAcc);
                prevAcc = gt.fma(FloatVector.fromArray(S, hPrev, hpr + n), prevAcc);
                gt.mul(vDecay).intoArray(g, gr + n);
            }
            float gb = vEnd > 0 ? gbAcc.reduceLanes(VectorOperators.ADD) : 0f;
            for (; n < N; n++) {
                float gt = g[gr + n] + dyp * C[co + n];
                dC[dco + n] += hCur[hcr + n] * dyp;
                u[uo + n] += xp * gt;
                gb += gt * B[bo + n];
                prevTail += gt * hPrev[hpr + n];
                g[gr + n] = decay * gt;
            }
            dx[dxo + p] = dt * gb + Dh * dyp;
        }
        return (vEnd > 0 ? prevAcc.reduceLanes(VectorOperators.ADD) : 0f) + prevTail;
    }
}
