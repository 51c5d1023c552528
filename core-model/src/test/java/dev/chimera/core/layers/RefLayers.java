package dev.chimera.core.layers;

import dev.chimera.core.kernel.Activation;
import dev.chimera.core.model.ModelConfig.MlpKind;
import dev.chimera.core.model.Parameters;

/**
 * Plain double-precision forward passes of the layers, written independently of the float
 * kernels; parameters are read by name from a double copy of the flat parameter array. The
 * gradient checks differentiate these numerically.
 */
final class RefLayers {
    private RefLayers() {
    }

    static int off(Parameters layout, String name) {
        return layout.entry(name).offset();
    }

    /** y (rows, out) = x (rows, in)·Wᵀ (+ b), W (out, in) at wOff, b at bOff (or -1). */
    static double[] linear(double[] x, int rows, int in, double[] theta, int wOff, int out, int bOff) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                double s = bOff < 0 ? 0 : theta[bOff + j];
                for (int i = 0; i < in; i++) {
                    s += x[r * in + i] * theta[wOff + j * in + i];
                }
                y[r * out + j] = s;
            }
        }
        return y;
    }

    static double[] rmsNorm(double[] x, int rows, int d, double[] theta, int wOff, double eps) {
        double[] y = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < d; i++) {
                ss += x[r * d + i] * x[r * d + i];
            }
            double s = 1 / Math.sqrt(ss / d + eps);
            for (int i = 0; i < d; i++) {
                y[r * d + i] = x[r * d + i] * s * theta[wOff + i];
            }
        }
        return y;
    }

    static double[] apply(Activation f, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = f.apply(x[i]);
        }
        return y;
    }

    static double[] mlp(MlpKind kind, double[] x, int rows, int d, int hidden, double[] theta, Parameters layout,
                        String prefix) {
        double[] g = linear(x, rows, d, theta, off(layout, prefix + ".w1.weight"), hidden, -1);
        double[] h;
        if (kind == MlpKind.SWIGLU) {
            double[] u = linear(x, rows, d, theta, off(layout, prefix + ".w3.weight"), hidden, -1);
            h = apply(Activation.SILU, g);
            for (int i = 0; i < h.length; i++) {
                h[i] *= u[i];
            }
        } else {
            h = apply(Activation.RELU, g);
        }
        return linear(h, rows, hidden, theta, off(layout, prefix + ".w2.weight"), d, -1);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Rotate-half RoPE in place on x (T, heads, headDim) at positions 0..T-1. */
    static void rope(double[] x, int seqlen, int heads, int headDim, double base) {
        int half = headDim / 2;
        for (int t = 0; t < seqlen; t++) {
            for (int h = 0; h < heads; h++) {
                int o = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    double theta = t * Math.pow(base, -2.0 * i / headDim);
                    double a = x[o + i];
                    double b = x[o + i + half];
                    x[o + i] = a * Math.cos(theta) - b * Math.sin(theta);
                    x[o + i + half] = b * Math.cos(theta) + a * Math.sin(theta);
                }
            }
        }
    }

    /**
     * The attention mixer for one sequence x (T, d): projections, RoPE, causal softmax attention
     * over a full span (window 0) or a window, output projection.
     */
    static double[] attentionMixer(double[] x, int seqlen, int d, int nHeads, int nKv, int window, double base,
                                   double[] th, Parameters layout, String prefix) {
        int hd = d / nHeads;
        double[] q = linear(x, seqlen, d, th, off(layout, prefix + ".wq.weight"), nHeads * hd, -1);
        double[] k = linear(x, seqlen, d, th, off(layout, prefix + ".wk.weight"), nKv * hd, -1);
        double[] v = linear(x, seqlen, d, th, off(layout, prefix + ".wv.weight"), nKv * hd, -1);
        rope(q, seqlen, nHeads, hd, base);
        rope(k, seqlen, nKv, hd, base);
        double[] o = new double[seqlen * nHeads * hd];
        double scale = 1 / Math.sqrt(hd);
        for (int h = 0; h < nHeads; h++) {
            int kvh = h / (nHeads / nKv);
            for (int t = 0; t < seqlen; t++) {
                int from = window == 0 ? 0 : Math.max(0, t - window + 1);
                double[] s = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int u = from; u <= t; u++) {
                    double dotp = 0;
                    for (int i = 0; i < hd; i++) {
                        dotp += q[(t * nHeads + h) * hd + i] * k[(u * nKv + kvh) * hd + i];
                    }
                    s[u] = dotp * scale;
                    max = Math.max(max, s[u]);
                }
                double z = 0;
                for (int u = from; u <= t; u++) {
                    s[u] = Math.exp(s[u] - max);
                    z += s[u];
                }
                for (int u = from; u <= t; u++) {
                    for (int i = 0; i < hd; i++) {
                        o[(t * nHeads + h) * hd + i] += s[u] / z * v[(u * nKv + kvh) * hd + i];
                    }
                }
            }
        }
        return linear(o, seqlen, nHeads * hd, th, off(layout, prefix + ".wo.weight"), d, -1);
    }
}
