package dev.chimera.genomics.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fits the {@link OneHotCnn} baseline: Adam (Kingma and Ba; betas 0.9/0.999, eps 1e-8) on mini-
 * batches of the fitting part of a seeded {@link ValidationSplit} of the training set, with L2
 * weight decay on the weights (not the biases), for up to {@link #MAX_EPOCHS} epochs, keeping the
 * parameters of the epoch of least validation log-loss and stopping {@link #PATIENCE} epochs
 * after it (early stopping). Deterministic for a seed.
 */
public final class CnnTraining {
    public static final int FILTERS = 64;
    public static final int WIDTH = 9;
    static final int MAX_EPOCHS = 40;
    static final int PATIENCE = 6;
    static final int BATCH = 32;
    static final double LR = 3e-3;
    static final double WEIGHT_DECAY = 1e-4;

    private CnnTraining() {
    }

    /** The CNN ({@link #FILTERS} filters of {@link #WIDTH} bases) fitted on {@code train}, progress to {@code log}. */
    public static OneHotCnn fit(List<Example> train, int classes, long seed, java.util.function.Consumer<String> log) {
        int filters = FILTERS;
        int width = WIDTH;
        int[] labels = train.stream().mapToInt(Example::label).toArray();
        ValidationSplit split = ValidationSplit.of(labels, classes, seed);
        List<Example> fitPart = new ArrayList<>();
        for (int i : split.fit()) {
            fitPart.add(train.get(i));
        }
        List<Example> validation = new ArrayList<>();
        for (int i : split.validation()) {
            validation.add(train.get(i));
        }
        if (validation.isEmpty()) {
            validation = fitPart;
        }
        OneHotCnn cnn = OneHotCnn.initialised(classes, filters, width, seed);
        double[] theta = cnn.parameters();
        double[] best = theta.clone();
        double bestLoss = logLoss(cnn, validation);
        int bestEpoch = 0;
        double[] grad = new double[theta.length];
        double[] m = new double[theta.length];
        double[] v = new double[theta.length];
        int decayEnd = filters * width * 4;  // conv weights; lin weights handled below
        int linAt = decayEnd + filters;
        int linEnd = linAt + classes * filters;
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] order = java.util.stream.IntStream.range(0, fitPart.size()).toArray();
        long step = 0;
        int epoch = 0;
        while (epoch < MAX_EPOCHS && epoch - bestEpoch < PATIENCE) {
            epoch++;
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int from = 0; from < order.length; from += BATCH) {
                List<Example> batch = new ArrayList<>(BATCH);
                for (int i = from; i < Math.min(order.length, from + BATCH); i++) {
                    batch.add(fitPart.get(order[i]));
                }
                java.util.Arrays.fill(grad, 0);
                cnn.lossAndGradient(batch, grad);
                step++;
                double c1 = 1 - Math.pow(0.9, step);
                double c2 = 1 - Math.pow(0.999, step);
                for (int i = 0; i < theta.length; i++) {
                    boolean decay = i < decayEnd || (i >= linAt && i < linEnd);
                    double g = grad[i] + (decay ? WEIGHT_DECAY * theta[i] : 0);
                    m[i] = 0.9 * m[i] + 0.1 * g;
                    v[i] = 0.999 * v[i] + 0.001 * g * g;
                    theta[i] -= LR * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8);
                }
            }
            double loss = logLoss(cnn, validation);
            if (loss < bestLoss) {
                bestLoss = loss;
                bestEpoch = epoch;
                System.arraycopy(theta, 0, best, 0, theta.length);
            }
            log.accept(String.format(java.util.Locale.ROOT, "cnn epoch %d: validation log-loss %.4f (best %.4f at %d)",
                    epoch, loss, bestLoss, bestEpoch));
        }
        return new OneHotCnn(classes, filters, width, best);
    }

    static double logLoss(OneHotCnn cnn, List<Example> set) {
        double sum = 0;
        for (Example e : set) {
            sum -= Math.log(Math.max(cnn.probabilities(e.tokens())[e.label()], Double.MIN_NORMAL));
        }
        return sum / set.size();
    }
}
