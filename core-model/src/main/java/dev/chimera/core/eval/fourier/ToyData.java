package dev.chimera.core.eval.fourier;

import dev.chimera.core.heads.Bins;
import java.util.SplittableRandom;

/**
 * One dataset split and quantised as toy_synthetic.py does it: a fixed shuffle-split
 * (train_test_split with test_size = 0.2 and random_state = 42, whatever the run's seed), then
 * the features (x, y) and the target z replaced by their bin indices over B bins of [-1, 1]
 * (quantize_dataset: np.digitize, then values outside [-1, 1] clipped into the edge bins). The
 * model reads the feature indices as floats. The test rows keep their raw (x, y), from which the
 * true pmf is computed.
 */
public final class ToyData {
    /** The share of the samples held out for the test set (test_size). */
    public static final double TEST_FRACTION = 0.2;
    /** The split is the same for every seed in the reference (random_state = 42). */
    public static final long SPLIT_SEED = 42;

    final int trainRows;
    final int testRows;
    final float[] trainInput;  // (trainRows, 2) bin indices of (x, y)
    final int[] trainTargets;  // (trainRows) bin index of z
    final float[] testInput;   // (testRows, 2)
    final int[] testTargets;   // (testRows)
    final double[] testX;      // (testRows) raw x
    final double[] testY;      // (testRows) raw y

    public ToyData(ToyDataset.Samples samples, Bins bins) {
        int n = samples.size();
        testRows = (int) Math.ceil(TEST_FRACTION * n);
        trainRows = n - testRows;
        if (trainRows < 1) {
            throw new IllegalArgumentException("ToyData: " + n + " samples leave no training rows after the "
                    + testRows + " test rows; use at least 2 samples");
        }
        int[] order = permutation(n, new SplittableRandom(SPLIT_SEED));
        trainInput = new float[trainRows * 2];
        trainTargets = new int[trainRows];
        testInput = new float[testRows * 2];
        testTargets = new int[testRows];
        testX = new double[testRows];
        testY = new double[testRows];
        for (int i = 0; i < n; i++) {
            int s = order[i];
            boolean test = i < testRows;
            int r = test ? i : i - testRows;
            float[] input = test ? testInput : trainInput;
            input[2 * r] = bin(bins, samples.x()[s]);
            input[2 * r + 1] = bin(bins, samples.y()[s]);
            (test ? testTargets : trainTargets)[r] = bin(bins, samples.z()[s]);
            if (test) {
                testX[r] = samples.x()[s];
                testY[r] = samples.y()[s];
            }
        }
    }

    public int trainRows() {
        return trainRows;
    }

    public int testRows() {
        return testRows;
    }

    /** The bin of v; values beyond [-1, 1] go to the edge bins, as the reference's np.clip does (NaN throws). */
    static int bin(Bins bins, double v) {
        return bins.index(Math.max(-1.0, Math.min(1.0, v)));
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, random);
        return p;
    }

    static void shuffle(int[] p, SplittableRandom random) {
        for (int i = p.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }
}
