package dev.chimera.core.attention;

/**
 * The plain truth for causal grouped-query attention, in double precision: the full T x T
 * score matrix per (batch, head), masked, softmaxed and multiplied out. The backward pass
 * uses the textbook softmax Jacobian, dS = P * (dP - rowsum(P * dP)), not the D = rowsum(do*o)
 * shortcut of the optimised version, so the two derivations check each other.
 *
 * <p>All arrays are flat and row-major: q, o (batch, T, nHeads, headDim); k, v (batch, T,
 * nKvHeads, headDim); lse (batch, nHeads, T). window 0 means the full causal span.
 */
final class AttentionReference {
    final int batch;
    final int T;
    final int nHeads;
    final int nKvHeads;
    final int headDim;
    final int window;

    AttentionReference(int batch, int T, int nHeads, int nKvHeads, int headDim, int window) {
        this.batch = batch;
        this.T = T;
        this.nHeads = nHeads;
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        this.window = window;
    }

    private boolean visible(int t, int s) {
        return s <= t && (window == 0 || s > t - window);
    }

    private int qi(int b, int t, int h) {
        return ((b * T + t) * nHeads + h) * headDim;
    }

    private int ki(int b, int t, int g) {
        return ((b * T + t) * nKvHeads + g) * headDim;
    }

    /** P[t][s] for one (batch, head); zero where masked. Also fills lse[t] when lse is not null. */
    private double[][] probabilities(double[] q, double[] k, int b, int h, double[] lse) {
        int g = h / (nHeads / nKvHeads);
        double scale = 1 / Math.sqrt(headDim);
        double[][] p = new double[T][T];
        for (int t = 0; t < T; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int s = 0; s <= t; s++) {
                if (visible(t, s)) {
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) {
                        dot += q[qi(b, t, h) + d] * k[ki(b, s, g) + d];
                    }
                    p[t][s] = dot * scale;
                    max = Math.max(max, p[t][s]);
                }
            }
            double sum = 0;
            for (int s = 0; s <= t; s++) {
                if (visible(t, s)) {
                    p[t][s] = Math.exp(p[t][s] - max);
                    sum += p[t][s];
                }
            }
            for (int s = 0; s <= t; s++) {
                p[t][s] /= sum;
            }
            if (lse != null) {
                lse[t] = max + Math.log(sum);
            }
        }
        return p;
    }

    /** o = P v; lse may be null. */
    void forward(double[] o, double[] lse, double[] q, double[] k, double[] v) {
        double[] rowLse = new double[T];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < nHeads; h++) {
                int g = h / (nHeads / nKvHeads);
                double[][] p = probabilities(q, k, b, h, rowLse);
                for (int t = 0; t < T; t++) {
                    for (int d = 0; d < headDim; d++) {
                        double acc = 0;
                        for (int s = 0; s <= t; s++) {
                            acc += p[t][s] * v[ki(b, s, g) + d];
                        }
                        o[qi(b, t, h) + d] = acc;
                    }
                    if (lse != null) {
                        lse[(b * nHeads + h) * T + t] = rowLse[t];
                    }
                }
            }
        }
    }

    /** dq, dk, dv (overwritten) from dout. */
    void backward(double[] dq, double[] dk, double[] dv, double[] dout, double[] q, double[] k, double[] v) {
        java.util.Arrays.fill(dq, 0);
        java.util.Arrays.fill(dk, 0);
        java.util.Arrays.fill(dv, 0);
        double scale = 1 / Math.sqrt(headDim);
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < nHeads; h++) {
                int g = h / (nHeads / nKvHeads);
                double[][] p = probabilities(q, k, b, h, null);
                for (int t = 0; t < T; t++) {
                    double[] dp = new double[T];
                    double pdp = 0;
                    for (int s = 0; s <= t; s++) {
                        for (int d = 0; d < headDim; d++) {
                            dp[s] += dout[qi(b, t, h) + d] * v[ki(b, s, g) + d];
                        }
                        pdp += p[t][s] * dp[s];
                    }
                    for (int s = 0; s <= t; s++) {
                        double ds = p[t][s] * (dp[s] - pdp);
                        for (int d = 0; d < headDim; d++) {
                            dv[ki(b, s, g) + d] += p[t][s] * dout[qi(b, t, h) + d];
                            dq[qi(b, t, h) + d] += scale * ds * k[ki(b, s, g) + d];
                            dk[ki(b, s, g) + d] += scale * ds * q[qi(b, t, h) + d];
                        }
                    }
                }
            }
        }
    }
}
