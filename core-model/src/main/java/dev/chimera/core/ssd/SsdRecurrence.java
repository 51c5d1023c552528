package dev.chimera.core.ssd;

/**
 * The SSD scan as its plain recurrence, in double precision: the truth that {@link SsdChunked}
 * and {@link SsdScan} are tested against (REFERENCE §2, "Recurrence" and "Gradients of the
 * recurrence"; state-spaces/mamba modules/ssd_minimal.py tests against the same loop).
 *
 * <pre>
 *   h_t = exp(dt_t A) h_{t-1} + dt_t (x_t outer B_t)     h (headdim, dstate) per head
 *   y_t = h_t . C_t + D x_t                               h_{-1} = h0, or zeros
 * </pre>
 *
 * Arrays use {@link SsdShape}'s layouts; arguments come in the order outputs, then mamba's
 * {@code mamba_chunk_scan_combined} order (x, dt, A, B, C, D, initial state), then the shape.
 * Single-threaded and unoptimised on purpose; {@link #step(float[], float[], float[], float[],
 * float[], float[], float[], float[], SsdShape)} is the float32 reference for the inference path.
 */
public final class SsdRecurrence {

    /** Gradients of a loss with respect to every input of {@link #forward}, in the inputs' layouts. */
    public record Gradients(double[] dx, double[] ddt, double[] dA, double[] dB, double[] dC, double[] dD,
                            double[] dh0) {
    }

    private SsdRecurrence() {
    }

    /**
     * y and the final state from the recurrence. {@code hFinal} and {@code h0} may be null
     * (final state not wanted; zero initial state).
     */
    public static void forward(double[] y, double[] hFinal, double[] x, double[] dt, double[] A, double[] B,
                               double[] C, double[] D, double[] h0, SsdShape s) {
        String op = "SsdRecurrence.forward";
        check(op, x, dt, A, B, C, D, s);
        s.require(op, "y", y.length, s.xShape());
        if (hFinal != null) {
            s.require(op, "hFinal", hFinal.length, s.stateShape());
        }
        if (h0 != null) {
            s.require(op, "h0", h0.length, s.stateShape());
        }
        double[] h = new double[s.stateSize()]; // (headdim, dstate): one head's running state
        for (int b = 0; b < s.batch(); b++) {
            for (int hd = 0; hd < s.nheads(); hd++) {
                int stateOff = (b * s.nheads() + hd) * s.stateSize();
                initState(h, h0, stateOff);
                for (int t = 0; t < s.seqlen(); t++) {
                    advance(h, y, x, dt, A, B, C, D, s, b, t, hd);
                }
                if (hFinal != null) {
                    System.arraycopy(h, 0, hFinal, stateOff, h.length);
                }
            }
        }
    }

    /**
     * Gradients of a loss L given dy = dL/dy and {@code dhFinal} = dL/d(final state) (null: the
     * final state does not reach the loss). With G_t = dL/dh_t = exp(dt_{t+1} A) G_{t+1} + dy_t outer C_t:
     * dx_t = dt_t G_t B_t + D dy_t; ddt_t = A exp(dt_t A) &lt;G_t, h_{t-1}&gt; + &lt;x_t outer B_t, G_t&gt;;
     * dA = sum dt_t exp(dt_t A) &lt;G_t, h_{t-1}&gt;; dB_t = dt_t G_t^T x_t; dC_t = h_t^T dy_t;
     * dD = sum dy x; dh0 = exp(dt_0 A) G_0. Sums over the heads of a group for dB, dC, over
     * batch and time for dA, dD. dh0 is returned even when h0 is null (zeros).
     */
    public static Gradients backward(double[] dy, double[] dhFinal, double[] x, double[] dt, double[] A,
                                     double[] B, double[] C, double[] D, double[] h0, SsdShape s) {
        String op = "SsdRecurrence.backward";
        check(op, x, dt, A, B, C, D, s);
        s.require(op, "dy", dy.length, s.xShape());
        if (dhFinal != null) {
            s.require(op, "dhFinal", dhFinal.length, s.stateShape());
        }
        if (h0 != null) {
            s.require(op, "h0", h0.length, s.stateShape());
        }
        int P = s.headdim();
        int N = s.dstate();
        int T = s.seqlen();
        int hs = s.stateSize();
        Gradients g = new Gradients(new double[x.length], new double[dt.length], new double[A.length],
                new double[B.length], new double[C.length], new double[D.length], new double[s.batch() * s.nheads() * hs]);
        double[] states = new double[(T + 1) * hs]; // (seqlen + 1, headdim, dstate): h_{-1} .. h_{T-1}
        double[] G = new double[hs];               // (headdim, dstate): dL/dh_t
        for (int b = 0; b < s.batch(); b++) {
            for (int hd = 0; hd < s.nheads(); hd++) {
                int stateOff = (b * s.nheads() + hd) * hs;
                double[] h = new double[hs]; // (headdim, dstate)
                initState(h, h0, stateOff);
                System.arraycopy(h, 0, states, 0, hs);
                for (int t = 0; t < T; t++) {
                    advance(h, null, x, dt, A, B, C, D, s, b, t, hd);
                    System.arraycopy(h, 0, states, (t + 1) * hs, hs);
                }
                double a = A[hd];
                // G starts as dL/dh_{T-1} from outside the sequence, then picks up dy_t outer C_t at each t.
                for (int i = 0; i < hs; i++) {
                    G[i] = dhFinal == null ? 0 : dhFinal[stateOff + i];
                }
                for (int t = T - 1; t >= 0; t--) {
                    int xo = ((b * T + t) * s.nheads() + hd) * P;
                    int bo = ((b * T + t) * s.ngroups() + s.group(hd)) * N;
                    int dto = (b * T + t) * s.nheads() + hd;
                    double step = dt[dto];
                    double decay = Math.exp(step * a);
                    double gDotPrev = 0;  // <G_t, h_{t-1}>
                    double gDotInput = 0; // <G_t, x_t outer B_t>
                    for (int p = 0; p < P; p++) {
                        double dyp = dy[xo + p];
                        double gB = 0;
                        for (int n = 0; n < N; n++) {
                            int i = p * N + n;
                            G[i] += dyp * C[bo + n];
                            gB += G[i] * B[bo + n];
                            gDotPrev += G[i] * states[t * hs + i];
                            g.dC[bo + n] += states[(t + 1) * hs + i] * dyp;
                            g.dB[bo + n] += step * x[xo + p] * G[i];
                        }
                        gDotInput += x[xo + p] * gB;
                        g.dx[xo + p] = step * gB + D[hd] * dyp;
                        g.dD[hd] += dyp * x[xo + p];
                    }
                    g.ddt[dto] = a * decay * gDotPrev + gDotInput;
                    g.dA[hd] += step * decay * gDotPrev;
                    for (int i = 0; i < hs; i++) {
                        G[i] *= decay; // now dL/dh_{t-1} from steps >= t
                    }
                }
                System.arraycopy(G, 0, g.dh0, stateOff, hs);
            }
        }
        return g;
    }

    /**
     * One recurrent step for {@code s.batch()} sequences (s.seqlen() must be 1): y (batch, nheads,
     * headdim) from x (batch, nheads, headdim), dt (batch, nheads), B and C (batch, ngroups, dstate),
     * updating the states h (batch, nheads, headdim, dstate) in place.
     */
    public static void step(double[] y, double[] h, double[] x, double[] dt, double[] A, double[] B, double[] C,
                            double[] D, SsdShape s) {
        String op = "SsdRecurrence.step";
        checkStep(op, s);
        check(op, x, dt, A, B, C, D, s);
        s.require(op, "y", y.length, s.xShape());
        s.require(op, "h", h.length, s.stateShape());
        double[] state = new double[s.stateSize()]; // (headdim, dstate)
        for (int b = 0; b < s.batch(); b++) {
            for (int hd = 0; hd < s.nheads(); hd++) {
                int stateOff = (b * s.nheads() + hd) * s.stateSize();
                System.arraycopy(h, stateOff, state, 0, state.length);
                advance(state, y, x, dt, A, B, C, D, s, b, 0, hd);
                System.arraycopy(state, 0, h, stateOff, state.length);
            }
        }
    }

    /**
     * The float32 inference step, as {@link #step(double[], double[], double[], double[], double[],
     * double[], double[], double[], SsdShape)}: the state is stored in float after every update,
     * as a float32 model keeps it; the dot products for y are summed in double.
     */
    public static void step(float[] y, float[] h, float[] x, float[] dt, float[] A, float[] B, float[] C,
                            float[] D, SsdShape s) {
        String op = "SsdRecurrence.step";
        checkStep(op, s);
        s.require(op, "x", x.length, s.xShape());
        s.require(op, "dt", dt.length, s.dtShape());
        s.require(op, "A", A.length, s.nheads());
        s.require(op, "B", B.length, s.bcShape());
        s.require(op, "C", C.length, s.bcShape());
        s.require(op, "D", D.length, s.nheads());
        s.require(op, "y", y.length, s.xShape());
        s.require(op, "h", h.length, s.stateShape());
        int P = s.headdim();
        int N = s.dstate();
        for (int b = 0; b < s.batch(); b++) {
            for (int hd = 0; hd < s.nheads(); hd++) {
                float step = dt[b * s.nheads() + hd];
                float decay = (float) Math.exp(step * A[hd]);
                int xo = (b * s.nheads() + hd) * P;
                int bo = (b * s.ngroups() + s.group(hd)) * N;
                int so = (b * s.nheads() + hd) * s.stateSize();
                for (int p = 0; p < P; p++) {
                    float xdt = step * x[xo + p];
                    double acc = 0;
                    for (int n = 0; n < N; n++) {
                        int i = so + p * N + n;
                        h[i] = decay * h[i] + xdt * B[bo + n];
                        acc += (double) h[i] * C[bo + n];
                    }
                    y[xo + p] = (float) (acc + (double) D[hd] * x[xo + p]);
                }
            }
        }
    }

    /**
     * h = exp(dt_t A) h + dt_t x_t outer B_t, then y_t = h . C_t + D x_t, for head hd of sequence b;
     * y null only updates h (the backward pass recomputing states).
     */
    private static void advance(double[] h, double[] y, double[] x, double[] dt, double[] A, double[] B,
                                double[] C, double[] D, SsdShape s, int b, int t, int hd) {
        int P = s.headdim();
        int N = s.dstate();
        double step = dt[(b * s.seqlen() + t) * s.nheads() + hd];
        double decay = Math.exp(step * A[hd]);
        int xo = ((b * s.seqlen() + t) * s.nheads() + hd) * P;
        int bo = ((b * s.seqlen() + t) * s.ngroups() + s.group(hd)) * N;
        for (int p = 0; p < P; p++) {
            double xdt = step * x[xo + p];
            double acc = 0;
            for (int n = 0; n < N; n++) {
                int i = p * N + n;
                h[i] = decay * h[i] + xdt * B[bo + n];
                acc += h[i] * C[bo + n];
            }
            if (y != null) {
                y[xo + p] = acc + D[hd] * x[xo + p];
            }
        }
    }

    private static void initState(double[] h, double[] h0, int stateOff) {
        for (int i = 0; i < h.length; i++) {
            h[i] = h0 == null ? 0 : h0[stateOff + i];
        }
    }

    private static void checkStep(String op, SsdShape s) {
        if (s.seqlen() != 1) {
            throw new IllegalArgumentException(op + ": a step takes seqlen 1, got " + s);
        }
    }

    private static void check(String op, double[] x, double[] dt, double[] A, double[] B, double[] C, double[] D,
                              SsdShape s) {
        s.require(op, "x", x.length, s.xShape());
        s.require(op, "dt", dt.length, s.dtShape());
        s.require(op, "A", A.length, s.nheads());
        s.require(op, "B", B.length, s.bcShape());
        s.require(op, "C", C.length, s.bcShape());
        s.require(op, "D", D.length, s.nheads());
    }
}
