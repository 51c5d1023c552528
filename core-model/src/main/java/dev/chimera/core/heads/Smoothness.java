package dev.chimera.core.heads;

import java.util.Arrays;

/**
 * The Fourier Head paper's smoothness metric of a categorical distribution (Gillman et al., ICLR
 * 2025, smoothness_metric.py in nate-gillman/fourier-head; REFERENCE.md §4):
 * s(p) = sum_{sigma=1}^{100} 6 / (pi^2 sigma^2) ||p - G_sigma * p||_2, lower is smoother. The weights
 * 6 / (pi^2 sigma^2) sum to 1 as sigma runs to infinity.
 *
 * <p>G_sigma * p is scipy.ndimage.gaussian_filter1d(p, sigma, mode="wrap", radius=B-1), exactly as
 * the reference calls it: the radius B-1 it passes overrides scipy's default truncate=4.0
 * (radius = round(4 sigma)). The kernel is exp(-j^2 / (2 sigma^2)) for j in [-radius, radius],
 * normalised to sum 1 over those taps, and "wrap" extends p periodically. All in double.
 */
public final class Smoothness {
    /** The largest sigma in the sum. */
    public static final int MAX_SIGMA = 100;

    private Smoothness() {
    }

    /** s(p); O(100 B^2): 2.5 * 10^5 multiply-adds at B = 50, 1.7 * 10^9 at B = 4096. */
    public static double metric(double[] p) {
        requireFinite(p);
        int bins = p.length;
        double[] filtered = new double[bins];
        double[] kernel = new double[bins];
        double s = 0;
        for (int sigma = 1; sigma <= MAX_SIGMA; sigma++) {
            foldedKernel(kernel, sigma, bins - 1);
            convolveWrap(filtered, p, kernel);
            double norm = 0;
            for (int i = 0; i < bins; i++) {
                double d = p[i] - filtered[i];
                norm += d * d;
            }
            s += 6 / (Math.PI * Math.PI * sigma * sigma) * Math.sqrt(norm);
        }
        return s;
    }

    /** out = gaussian_filter1d(p, sigma, mode="wrap", radius=radius) (any radius >= 0, also > length). */
    public static void gaussianFilterWrap(double[] out, double[] p, double sigma, int radius) {
        requireFinite(p);
        if (out.length != p.length) {
            throw new IllegalArgumentException("Smoothness: out has " + out.length + " values for " + p.length);
        }
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("Smoothness: sigma must be finite and > 0, got " + sigma);
        }
        if (radius < 0) {
            throw new IllegalArgumentException("Smoothness: radius must be >= 0, got " + radius);
        }
        double[] kernel = new double[p.length];
        foldedKernel(kernel, sigma, radius);
        convolveWrap(out, p, kernel);
    }

    /**
     * The normalised Gaussian taps folded onto one period: kernel[d] = sum of w_j over j in
     * [-radius, radius] with j = d (mod B). Under periodic extension, tap j reads p[(i + j) mod B],
     * so folding turns a kernel of any radius into one circular pass of B taps.
     */
    private static void foldedKernel(double[] kernel, double sigma, int radius) {
        int bins = kernel.length;
        Arrays.fill(kernel, 0);
        double total = 0;
        for (int j = -radius; j <= radius; j++) {
            double w = Math.exp(-0.5 * j * j / (sigma * sigma));
            kernel[Math.floorMod(j, bins)] += w;
            total += w;
        }
        for (int d = 0; d < bins; d++) {
            kernel[d] /= total;
        }
    }

    /** out[i] = sum_d kernel[d] p[(i + d) mod B]. */
    private static void convolveWrap(double[] out, double[] p, double[] kernel) {
        int bins = p.length;
        for (int i = 0; i < bins; i++) {
            double sum = 0;
            for (int d = 0; d < bins; d++) {
                int k = i + d;
                sum += kernel[d] * p[k < bins ? k : k - bins];
            }
            out[i] = sum;
        }
    }

    private static void requireFinite(double[] p) {
        if (p.length == 0) {
            throw new IllegalArgumentException("Smoothness: empty distribution");
        }
        for (int i = 0; i < p.length; i++) {
            if (!Double.isFinite(p[i])) {
                throw new IllegalArgumentException("Smoothness: value " + p[i] + " at index " + i + " is not finite");
            }
        }
    }
}
