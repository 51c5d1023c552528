package dev.chimera.genomics.classify;

import java.util.List;

/**
 * Multinomial logistic regression: p(class k | x) = softmax_k(W_k · x + b_k), W (classes, dim),
 * fitted by minimising the mean cross-entropy plus (l2 / 2) ||W||^2 (the bias is not penalised)
 * with {@link Lbfgs}. {@link #fitChoosingL2} chooses l2 from a grid by the log-loss on a
 * {@link ValidationSplit} of the training set, then refits on the whole set.
 */
public final class SoftmaxRegression {
    /** The regularisation strengths {@link #fitChoosingL2} tries. */
    public static final double[] L2_GRID = {1e-5, 1e-4, 1e-3, 1e-2, 1e-1};
    private static final double GRADIENT_TOLERANCE = 1e-7;
    private static final int MAX_ITERATIONS = 1000;

    private final int classes;
    private final int dim;
    private final double[] weights;  // (classes, dim)
    private final double[] bias;     // (classes)
    private final double l2;

    public SoftmaxRegression(int classes, int dim, double[] weights, double[] bias, double l2) {
        if (weights.length != classes * dim || bias.length != classes) {
            throw new IllegalArgumentException(weights.length + " weights and " + bias.length + " biases for "
                    + classes + " classes of " + dim + " features");
        }
        this.classes = classes;
        this.dim = dim;
        this.weights = weights;
        this.bias = bias;
        this.l2 = l2;
    }

    /** Fits on {@code xs} (features in [0, dim)) with labels in [0, classes). */
    public static SoftmaxRegression fit(List<SparseVector> xs, int[] labels, int classes, int dim, double l2) {
        double[] theta = new double[classes * dim + classes];
        Lbfgs.minimise((t, g) -> objective(t, g, xs, labels, classes, dim, l2), theta, GRADIENT_TOLERANCE,
                MAX_ITERATIONS);
        double[] w = java.util.Arrays.copyOf(theta, classes * dim);
        double[] b = java.util.Arrays.copyOfRange(theta, classes * dim, theta.length);
        return new SoftmaxRegression(classes, dim, w, b, l2);
    }

    /**
     * Fits with each l2 of {@link #L2_GRID} on the fitting part of a seeded {@link ValidationSplit},
     * keeps the one of least validation log-loss (the larger on a tie) and refits on all of xs.
     */
    public static SoftmaxRegression fitChoosingL2(List<SparseVector> xs, int[] labels, int classes, int dim,
                                                  long seed) {
        ValidationSplit split = ValidationSplit.of(labels, classes, seed);
        if (split.validation().length == 0) {
            return fit(xs, labels, classes, dim, L2_GRID[L2_GRID.length / 2]);
        }
        List<SparseVector> fitX = pick(xs, split.fit());
        int[] fitY = pick(labels, split.fit());
        List<SparseVector> valX = pick(xs, split.validation());
        int[] valY = pick(labels, split.validation());
        double best = Double.NaN;
        double bestLoss = Double.POSITIVE_INFINITY;
        for (double l2 : L2_GRID) {
            double loss = fit(fitX, fitY, classes, dim, l2).meanLogLoss(valX, valY);
            if (loss <= bestLoss) {
                bestLoss = loss;
                best = l2;
            }
        }
        return fit(xs, labels, classes, dim, best);
    }

    static List<SparseVector> pick(List<SparseVector> xs, int[] which) {
        return java.util.Arrays.stream(which).mapToObj(xs::get).toList();
    }

    static int[] pick(int[] labels, int[] which) {
        return java.util.Arrays.stream(which).map(i -> labels[i]).toArray();
    }

    /** Mean cross-entropy + (l2/2)||W||^2 at theta = [W, b]; its gradient into grad. */
    private static double objective(double[] theta, double[] grad, List<SparseVector> xs, int[] labels, int classes,
                                    int dim, double l2) {
        java.util.Arrays.fill(grad, 0);
        int biasAt = classes * dim;
        double[] logits = new double[classes];
        double loss = 0;
        double inv = 1.0 / xs.size();
        for (int i = 0; i < xs.size(); i++) {
            SparseVector x = xs.get(i);
            for (int k = 0; k < classes; k++) {
                logits[k] = x.dot(theta, k * dim) + theta[biasAt + k];
            }
            double logZ = logSumExp(logits);
            loss -= logits[labels[i]] - logZ;
            for (int k = 0; k < classes; k++) {
                double residual = (Math.exp(logits[k] - logZ) - (k == labels[i] ? 1 : 0)) * inv;
                x.addTo(grad, k * dim, residual);
                grad[biasAt + k] += residual;
            }
        }
        loss *= inv;
        double penalty = 0;
        for (int j = 0; j < biasAt; j++) {
            penalty += theta[j] * theta[j];
            grad[j] += l2 * theta[j];
        }
        return loss + 0.5 * l2 * penalty;
    }

    static double logSumExp(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (double x : v) {
            sum += Math.exp(x - max);
        }
        return max + Math.log(sum);
    }

    /** p(class | x) for each class. */
    public double[] probabilities(SparseVector x) {
        double[] logits = new double[classes];
        for (int k = 0; k < classes; k++) {
            logits[k] = x.dot(weights, k * dim) + bias[k];
        }
        double logZ = logSumExp(logits);
        for (int k = 0; k < classes; k++) {
            logits[k] = Math.exp(logits[k] - logZ);
        }
        return logits;
    }

    /** Mean -log p(true class | x). */
    public double meanLogLoss(List<SparseVector> xs, int[] labels) {
        double sum = 0;
        for (int i = 0; i < xs.size(); i++) {
            sum -= Math.log(Math.max(probabilities(xs.get(i))[labels[i]], Double.MIN_NORMAL));
        }
        return sum / xs.size();
    }

    public int classes() {
        return classes;
    }

    public int dim() {
        return dim;
    }

    public double[] weights() {
        return weights;
    }

    public double[] bias() {
        return bias;
    }

    /** The regularisation strength it was fitted with. */
    public double l2() {
        return l2;
    }
}
