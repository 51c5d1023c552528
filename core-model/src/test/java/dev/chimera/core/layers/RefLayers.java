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
}
