package dev.chimera.genomics.classify;

import dev.chimera.genomics.NucleotideTokenizer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small 1-D convolutional classifier over one-hot bases (after the DeepBind / Basset family,
 * reduced to one layer): F filters of width w slide over the record's one-hot encoding (A C G T;
 * N is all zeros) with no padding, then ReLU, global max pooling over positions, and a linear map
 * of the F pooled values to the class logits; softmax cross-entropy.
 *
 * <pre>
 *   z[p, f]  = conv_bias[f] + sum_{j < w} conv[j, x[p + j], f]       p in [0, L - w]   (L - w + 1, F)
 *   m[f]     = max_p relu(z[p, f])  (0 when L < w)                                        (F)
 *   logit[k] = lin_bias[k] + sum_f lin[k, f] m[f]                                          (K)
 * </pre>
 *
 * A one-hot input makes the convolution a sum of w table look-ups per position, and max pooling
 * sends the gradient of m[f] to one position (the first maximum) only, so backward costs O(F w)
 * per record. The parameters are one flat double array: conv (w, 4, F), conv_bias (F), lin (K, F),
 * lin_bias (K).
 */
public final class OneHotCnn {
    private final int classes;
    private final int filters;
    private final int width;
    private final double[] theta;

    public OneHotCnn(int classes, int filters, int width, double[] theta) {
        if (classes < 2 || filters < 1 || width < 1 || theta.length != size(classes, filters, width)) {
            throw new IllegalArgumentException("a CNN of " + classes + " classes, " + filters + " filters of width "
                    + width + " has " + size(classes, filters, width) + " parameters, got " + theta.length);
        }
        this.classes = classes;
        this.filters = filters;
        this.width = width;
        this.theta = theta;
    }

    /** Kaiming-normal convolution (fan-in 4w) and linear (fan-in F) weights from {@code seed}, biases 0. */
    public static OneHotCnn initialised(int classes, int filters, int width, long seed) {
        double[] theta = new double[size(classes, filters, width)];
        SplittableRandom random = new SplittableRandom(seed);
        int conv = width * 4 * filters;
        double convStd = Math.sqrt(2.0 / (4 * width));
        for (int i = 0; i < conv; i++) {
            theta[i] = gaussian(random) * convStd;
        }
        int lin = conv + filters;
        double linStd = Math.sqrt(1.0 / filters);
        for (int i = lin; i < lin + classes * filters; i++) {
            theta[i] = gaussian(random) * linStd;
        }
        return new OneHotCnn(classes, filters, width, theta);
    }

    static int size(int classes, int filters, int width) {
        return width * 4 * filters + filters + classes * filters + classes;
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    public int classes() {
        return classes;
    }

    public int filters() {
        return filters;
    }

    public int width() {
        return width;
    }

    /** The parameters, live: conv (w, 4, F), conv_bias (F), lin (K, F), lin_bias (K). */
    public double[] parameters() {
        return theta;
    }

    private int convBiasAt() {
        return width * 4 * filters;
    }

    private int linAt() {
        return convBiasAt() + filters;
    }

    private int linBiasAt() {
        return linAt() + classes * filters;
    }

    /** m (F) for one record; argmax[f] is the position of the first maximum, -1 where m[f] = 0. */
    private void pool(byte[] x, double[] m, int[] argmax, double[] z) {
        java.util.Arrays.fill(m, 0);
        java.util.Arrays.fill(argmax, -1);
        int biasAt = convBiasAt();
        for (int p = 0; p + width <= x.length; p++) {
            System.arraycopy(theta, biasAt, z, 0, filters);
            for (int j = 0; j < width; j++) {
                int base = x[p + j];
                if (base <= NucleotideTokenizer.T) {
                    int row = (j * 4 + base) * filters;
                    for (int f = 0; f < filters; f++) {
                        z[f] += theta[row + f];
                    }
                }
            }
            for (int f = 0; f < filters; f++) {
                if (z[f] > m[f]) {
                    m[f] = z[f];
                    argmax[f] = p;
                }
            }
        }
    }

    private void logits(double[] m, double[] out) {
        int lin = linAt();
        int linBias = linBiasAt();
        for (int k = 0; k < classes; k++) {
            double s = theta[linBias + k];
            for (int f = 0; f < filters; f++) {
                s += theta[lin + k * filters + f] * m[f];
            }
            out[k] = s;
        }
    }

    /** p(class | record) for each class. */
    public double[] probabilities(byte[] tokens) {
        double[] m = new double[filters];
        double[] logits = new double[classes];
        pool(tokens, m, new int[filters], new double[filters]);
        logits(m, logits);
        double logZ = SoftmaxRegression.logSumExp(logits);
        for (int k = 0; k < classes; k++) {
            logits[k] = Math.exp(logits[k] - logZ);
        }
        return logits;
    }

    /** Mean cross-entropy over {@code batch}; its gradient added into {@code grad} (same layout as the parameters). */
    public double lossAndGradient(List<Example> batch, double[] grad) {
        double[] m = new double[filters];
        int[] argmax = new int[filters];
        double[] z = new double[filters];
        double[] logits = new double[classes];
        double[] dm = new double[filters];
        double inv = 1.0 / batch.size();
        int lin = linAt();
        int linBias = linBiasAt();
        int convBias = convBiasAt();
        double loss = 0;
        for (Example e : batch) {
            byte[] x = e.tokens();
            pool(x, m, argmax, z);
            logits(m, logits);
            double logZ = SoftmaxRegression.logSumExp(logits);
            loss -= logits[e.label()] - logZ;
            java.util.Arrays.fill(dm, 0);
            for (int k = 0; k < classes; k++) {
                double dLogit = (Math.exp(logits[k] - logZ) - (k == e.label() ? 1 : 0)) * inv;
                grad[linBias + k] += dLogit;
                for (int f = 0; f < filters; f++) {
                    grad[lin + k * filters + f] += dLogit * m[f];
                    dm[f] += dLogit * theta[lin + k * filters + f];
                }
            }
            for (int f = 0; f < filters; f++) {
                int p = argmax[f];
                if (p < 0) {
                    continue;  // relu(max) = 0: no gradient
                }
                grad[convBias + f] += dm[f];
                for (int j = 0; j < width; j++) {
                    int base = x[p + j];
                    if (base <= NucleotideTokenizer.T) {
                        grad[(j * 4 + base) * filters + f] += dm[f];
                    }
                }
            }
        }
        return loss * inv;
    }
}
