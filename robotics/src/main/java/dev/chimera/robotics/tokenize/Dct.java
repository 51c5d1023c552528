package dev.chimera.robotics.tokenize;

/**
 * The orthonormal DCT-II of length T as a precomputed (T, T) matrix, the transform FAST applies to
 * each DoF (arXiv 2501.09747, §V-B):
 * <pre>
 *   C_k = s_k sum_n x_n cos(pi (n + 1/2) k / T),   s_0 = sqrt(1 / T), s_k = sqrt(2 / T)
 * </pre>
 * Orthonormal, so the inverse (DCT-III) is the transpose. Commons Math's FastCosineTransformer
 * needs T = 2^m + 1, and chunks are short, so the O(T^2) product is both general and fast.
 */
final class Dct {
    private final int length;
    private final double[] matrix; // (T, T) row k = basis vector k

    Dct(int length) {
        this.length = length;
        this.matrix = new double[length * length];
        for (int k = 0; k < length; k++) {
            double s = Math.sqrt((k == 0 ? 1.0 : 2.0) / length);
            for (int n = 0; n < length; n++) {
                matrix[k * length + n] = s * Math.cos(Math.PI * (n + 0.5) * k / length);
            }
        }
    }

    int length() {
        return length;
    }

    /** out[o + k * os] = C_k of x[i + n * is], n, k = 0..T-1. */
    void forward(double[] x, int i, int is, double[] out, int o, int os) {
        for (int k = 0; k < length; k++) {
            double sum = 0.0;
            int row = k * length;
            for (int n = 0; n < length; n++) {
                sum += matrix[row + n] * x[i + n * is];
            }
            out[o + k * os] = sum;
        }
    }

    /** The inverse: out[o + n * os] = sum_k C_k basis_k(n) of c[i + k * is]. */
    void inverse(double[] c, int i, int is, double[] out, int o, int os) {
        for (int n = 0; n < length; n++) {
            double sum = 0.0;
            for (int k = 0; k < length; k++) {
                sum += matrix[k * length + n] * c[i + k * is];
            }
            out[o + n * os] = sum;
        }
    }
}
