package dev.chimera.core.eval.fourier;

import dev.chimera.core.heads.Bins;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The three conditional distributions of the Fourier Head paper's synthetic experiment
 * (Gillman et al., ICLR 2025, section 4.1; toy-example-synthetic/scripts/generate_datasets.py).
 * Each sample is (x, y, z); the model sees (x, y) and predicts the distribution of z. With
 * variance s^2 (0.01 in the paper):
 * <ul>
 *   <li>gaussian: x ~ U(-0.8, 0.8), y ~ N(x, s^2), z ~ N(y, s^2);</li>
 *   <li>gmm2: x, y ~ U(-0.8, 0.8), z ~ 1/2 N(x, s^2) + 1/2 N(y, s^2);</li>
 *   <li>beta: x ~ U(-0.8, 0.8), y ~ N(x, s^2), z = +-Beta(100|x|, 100|y|), the sign a fair coin.</li>
 * </ul>
 * z can fall outside [-1, 1] for the first two; the experiment puts such values in the edge bins,
 * as the reference's quantiser does. The true pmf given (x, y) is discretised exactly as the
 * reference does it: the pdf at the bin centres, normalised (gmm2: the mean of the two
 * components' normalised pmfs; beta: the pdf at the positive centres, mirrored onto the negative
 * ones). The paper's Fourier head uses N = 14, 6 and 16 frequencies on them.
 */
public enum ToyDataset {
    GAUSSIAN("gaussian", 14),
    GMM2("gmm2", 6),
    BETA("beta", 16);

    /** x (and y, for gmm2) are drawn from U(-X_RANGE, X_RANGE). */
    public static final double X_RANGE = 0.8;
    /** Beta(BETA_SCALE |x|, BETA_SCALE |y|). */
    public static final double BETA_SCALE = 100;

    private final String id;
    private final int paperFrequencies;

    ToyDataset(String id, int paperFrequencies) {
        this.id = id;
        this.paperFrequencies = paperFrequencies;
    }

    /** The reference's name: gaussian, gmm2 or beta. */
    public String id() {
        return id;
    }

    /** How (x, y, z) are drawn, for reports. */
    public String formula() {
        switch (this) {
            case GAUSSIAN:
                return "x ~ U(-0.8, 0.8), y ~ N(x, s^2), z ~ N(y, s^2)";
            case GMM2:
                return "x, y ~ U(-0.8, 0.8), z ~ 1/2 N(x, s^2) + 1/2 N(y, s^2)";
            default:
                return "x ~ U(-0.8, 0.8), y ~ N(x, s^2), z ~ +-Beta(100|x|, 100|y|)";
        }
    }

    /** The Fourier head's frequency count N in the paper's table for this dataset. */
    public int paperFrequencies() {
        return paperFrequencies;
    }

    /** The dataset named {@code id}; an unknown name throws, listing the known ones. */
    public static ToyDataset parse(String id) {
        for (ToyDataset d : values()) {
            if (d.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown synthetic dataset '" + id + "'; expected one of "
                + Arrays.toString(Arrays.stream(values()).map(ToyDataset::id).toArray()));
    }

    /** n samples (x, y, z) drawn from one generator seeded with {@code seed}. */
    public Samples generate(int n, double variance, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException(id + ": sample count must be >= 1, got " + n);
        }
        checkVariance(variance);
        SplittableRandom random = new SplittableRandom(seed);
        double sd = Math.sqrt(variance);
        double[] x = new double[n];
        double[] y = new double[n];
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Draws.uniform(random, -X_RANGE, X_RANGE);
            y[i] = this == GMM2 ? Draws.uniform(random, -X_RANGE, X_RANGE) : Draws.normal(random, x[i], sd);
            z[i] = sampleZ(random, x[i], y[i], variance);
        }
        return new Samples(x, y, z);
    }

    /** One draw of z given (x, y). */
    public double sampleZ(SplittableRandom random, double x, double y, double variance) {
        checkVariance(variance);
        double sd = Math.sqrt(variance);
        switch (this) {
            case GAUSSIAN:
                return Draws.normal(random, y, sd);
            case GMM2:
                return Draws.normal(random, random.nextBoolean() ? x : y, sd);
            default:
                double sign = random.nextBoolean() ? 1 : -1;
                return sign * Draws.beta(random, BETA_SCALE * Math.abs(x), BETA_SCALE * Math.abs(y));
        }
    }

    /** out (B) = the true pmf of z's bin given (x, y), discretised as the reference does (see the class comment). */
    public void truePmf(double[] out, Bins bins, double x, double y, double variance) {
        checkVariance(variance);
        double sd = Math.sqrt(variance);
        switch (this) {
            case GAUSSIAN:
                bins.discretize(out, v -> normalPdf(v, y, sd));
                break;
            case GMM2:
                double[] other = new double[out.length];
                bins.discretize(out, v -> normalPdf(v, x, sd));
                bins.discretize(other, v -> normalPdf(v, y, sd));
                for (int m = 0; m < out.length; m++) {
                    out[m] = 0.5 * (out[m] + other[m]);
                }
                break;
            default:
                mirroredBeta(out, bins, BETA_SCALE * Math.abs(x), BETA_SCALE * Math.abs(y));
        }
    }

    /**
     * The Beta(a, b) pdf at the positive bin centres c, mirrored, normalised. The pdf's constant
     * 1/B(a, b) cancels in the normalisation, so we work with (a-1) log c + (b-1) log(1-c) less
     * its maximum: no gamma functions, and no underflow to an all-zero row for large a, b.
     */
    private void mirroredBeta(double[] out, Bins bins, double a, double b) {
        int count = bins.count();
        if (count % 2 != 0 || out.length != count) {
            throw new IllegalArgumentException("beta: needs an even bin count (the pmf is mirrored about 0) and "
                    + count + " outputs, got B = " + count + " and " + out.length + " outputs");
        }
        if (!(a > 0) || !(b > 0)) {
            throw new IllegalArgumentException("beta: parameters must be > 0, got a = " + a + ", b = " + b);
        }
        int half = count / 2;
        double[] logPdf = new double[half];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < half; j++) {
            double c = bins.center(half + j);
            logPdf[j] = (a - 1) * Math.log(c) + (b - 1) * Math.log1p(-c);
            max = Math.max(max, logPdf[j]);
        }
        double total = 0;
        for (int j = 0; j < half; j++) {
            double w = Math.exp(logPdf[j] - max);
            out[half + j] = w;
            out[half - 1 - j] = w;
            total += 2 * w;
        }
        for (int m = 0; m < count; m++) {
            out[m] /= total;
        }
    }

    static double normalPdf(double v, double mean, double sd) {
        double u = (v - mean) / sd;
        return Math.exp(-0.5 * u * u) / (sd * Math.sqrt(2 * Math.PI));
    }

    private void checkVariance(double variance) {
        if (!(variance > 0) || Double.isInfinite(variance)) {
            throw new IllegalArgumentException(id + ": variance must be finite and > 0, got " + variance);
        }
    }

    /** n samples of (x, y, z), one array each. */
    public record Samples(double[] x, double[] y, double[] z) {
        public int size() {
            return x.length;
        }
    }
}
