package dev.chimera.core.heads;

/**
 * A plain, independent double evaluation of the Fourier head formulas of REFERENCE.md §4 (Fourier
 * Head, ICLR 2025, fourier_head.py), written the way the reference writes them: the explicit
 * autocorrelation c_k, the normalised series q_m = 1/2 + Re sum_k c^_k e^{i pi k x_m} with angles
 * taken straight from x_m, logits log(p + 1e-5), cross-entropy as logsumexp(l) - l_t, and the
 * penalty sum_k 2 pi^2 k^2 |c_k|^2. {@link FourierDensity} evaluates |A(x)|^2 / (2 c_0) instead, so
 * agreement checks both the maths and the identity between the two forms.
 */
final class ReferenceFourier {
    private ReferenceFourier() {
    }

    /** c_k = sum_{j=0}^{N-k} a_{j+k} conj(a_j) as {re[], im[]} for k = 0..N, from one row of z. */
    static double[][] autocorrelation(double[] z, int offset, int n) {
        double[] re = new double[n + 1];
        double[] im = new double[n + 1];
        for (int k = 0; k <= n; k++) {
            for (int j = 0; j + k <= n; j++) {
                Complex x = new Complex(z[offset + j + k], z[offset + n + 1 + j + k]);
                Complex y = new Complex(z[offset + j], -z[offset + n + 1 + j]);
                Complex xy = x.times(y);
                re[k] += xy.re;
                im[k] += xy.im;
            }
        }
        return new double[][] {re, im};
    }

    /** p_m of one row, from the normalised series. */
    static double[] probabilities(double[] z, int offset, int n, int bins) {
        double[][] c = autocorrelation(z, offset, n);
        double[] q = new double[bins];
        double sum = 0;
        for (int m = 0; m < bins; m++) {
            double x = -1 + (2.0 * m + 1) / bins;
            double v = 0.5;
            for (int k = 1; k <= n; k++) {
                Complex chat = new Complex(c[0][k] / c[0][0], c[1][k] / c[0][0]);
                v += chat.times(new Complex(Math.cos(Math.PI * k * x), Math.sin(Math.PI * k * x))).re;
            }
            q[m] = v;
            sum += v;
        }
        for (int m = 0; m < bins; m++) {
            q[m] /= sum;
        }
        return q;
    }

    static double[] logits(double[] p) {
        double[] l = new double[p.length];
        for (int m = 0; m < p.length; m++) {
            l[m] = Math.log(p[m] + 1e-5);
        }
        return l;
    }

    /** -log softmax(l)_t, computed from the logits as torch's cross_entropy does. */
    static double crossEntropy(double[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (double l : logits) {
            sum += Math.exp(l - max);
        }
        return max + Math.log(sum) - logits[target];
    }

    /** sum_{k=0}^{N} 2 pi^2 k^2 |c_k|^2 with the unnormalised c_k. */
    static double penalty(double[] z, int offset, int n) {
        double[][] c = autocorrelation(z, offset, n);
        double total = 0;
        for (int k = 0; k <= n; k++) {
            total += 2 * Math.PI * Math.PI * k * k * (c[0][k] * c[0][k] + c[1][k] * c[1][k]);
        }
        return total;
    }

    /** The reference's loss_regularization: gamma * 2 * mean over rows of the penalty. */
    static double regularizer(double[] z, int rows, int n, double gamma) {
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            sum += penalty(z, r * 2 * (n + 1), n);
        }
        return gamma * 2 * sum / rows;
    }

    private static final class Complex {
        final double re;
        final double im;

        Complex(double re, double im) {
            this.re = re;
            this.im = im;
        }

        Complex times(Complex o) {
            return new Complex(re * o.re - im * o.im, re * o.im + im * o.re);
        }
    }
}
