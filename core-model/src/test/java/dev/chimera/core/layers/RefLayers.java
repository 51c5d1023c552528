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

    /** Depthwise causal conv with bias over (batch, T, C), weight (C, K). */
    static double[] conv(double[] x, int batch, int seqlen, int c, int k, double[] th, int wOff, int bOff) {
        double[] y = new double[x.length];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seqlen; t++) {
                for (int ch = 0; ch < c; ch++) {
                    double s = th[bOff + ch];
                    for (int j = 0; j < k; j++) {
                        int src = t - (k - 1) + j;
                        if (src >= 0) {
                            s += th[wOff + ch * k + j] * x[(b * seqlen + src) * c + ch];
                        }
                    }
                    y[(b * seqlen + t) * c + ch] = s;
                }
            }
        }
        return y;
    }

    /** Gate-then-norm: y * silu(z), RMS-normalised per group of width/groups channels, times the weight. */
    static double[] gatedNorm(double[] y, double[] z, int rows, int width, int groups, double[] th, int wOff) {
        int gw = width / groups;
        double[] out = new double[y.length];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int o = r * width + g * gw;
                double ss = 0;
                for (int i = 0; i < gw; i++) {
                    double v = y[o + i] * Activation.SILU.apply(z[o + i]);
                    ss += v * v;
                }
                double s = 1 / Math.sqrt(ss / gw + RmsNorm.EPS);
                for (int i = 0; i < gw; i++) {
                    out[o + i] = y[o + i] * Activation.SILU.apply(z[o + i]) * s * th[wOff + g * gw + i];
                }
            }
        }
        return out;
    }

    /** Columns [from, from+width) of a (rows, stride) matrix. */
    static double[] columns(double[] m, int rows, int stride, int from, int width) {
        double[] out = new double[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(m, r * stride + from, out, r * width, width);
        }
        return out;
    }

    /** The Mamba2 block of REFERENCE §2 over x (batch, T, d), in double, with the scan as the plain recurrence. */
    static double[] mamba2(double[] x, int batch, int seqlen, dev.chimera.core.model.ModelConfig c, double[] th,
                           Parameters layout, String prefix) {
        int rows = batch * seqlen;
        int dInner = c.dInner();
        int heads = c.mambaHeads();
        int gn = c.ngroups() * c.dState();
        int convDim = c.convDim();
        int dProj = 2 * dInner + 2 * gn + heads;
        double[] proj = linear(x, rows, c.dModel(), th, off(layout, prefix + ".in_proj.weight"), dProj, -1);
        double[] z = columns(proj, rows, dProj, 0, dInner);
        double[] xbc = apply(Activation.SILU, conv(columns(proj, rows, dProj, dInner, convDim), batch, seqlen,
                convDim, c.dConv(), th, off(layout, prefix + ".conv1d.weight"), off(layout, prefix + ".conv1d.bias")));
        double[] xs = columns(xbc, rows, convDim, 0, dInner);
        double[] bs = columns(xbc, rows, convDim, dInner, gn);
        double[] cs = columns(xbc, rows, convDim, dInner + gn, gn);
        double[] dt = columns(proj, rows, dProj, dInner + convDim, heads);
        int biasOff = off(layout, prefix + ".dt_bias");
        for (int i = 0; i < dt.length; i++) {
            dt[i] = Activation.SOFTPLUS.apply(dt[i] + th[biasOff + i % heads]);
        }
        double[] a = new double[heads];
        double[] dSkip = new double[heads];
        for (int h = 0; h < heads; h++) {
            a[h] = -Math.exp(th[off(layout, prefix + ".A_log") + h]);
            dSkip[h] = th[off(layout, prefix + ".D") + h];
        }
        double[] y = new double[rows * dInner];
        dev.chimera.core.ssd.SsdRecurrence.forward(y, null, xs, dt, a, bs, cs, dSkip, null,
                new dev.chimera.core.ssd.SsdShape(batch, seqlen, heads, c.headdim(), c.ngroups(), c.dState()));
        double[] normed = gatedNorm(y, z, rows, dInner, c.ngroups(), th, off(layout, prefix + ".norm.weight"));
        return linear(normed, rows, dInner, th, off(layout, prefix + ".out_proj.weight"), c.dModel(), -1);
    }
}
