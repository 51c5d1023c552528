package dev.chimera.genomics.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SoftmaxRegressionTest {

    /**
     * One-hot group features: without a penalty the maximum-likelihood fit is known in closed form,
     * p(class | group) = the class's frequency in the group. A tiny L2 moves it by ~l2 * |W|.
     */
    @Test
    void oneHotGroupsFitTheirClassFrequencies() {
        int[][] counts = {{6, 3, 1}, {1, 1, 8}, {2, 5, 3}};  // (group, class)
        List<SparseVector> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        for (int g = 0; g < 3; g++) {
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < counts[g][c]; i++) {
                    xs.add(new SparseVector(new int[] {g}, new double[] {1}));
                    ys.add(c);
                }
            }
        }
        int[] labels = ys.stream().mapToInt(Integer::intValue).toArray();
        SoftmaxRegression r = SoftmaxRegression.fit(xs, labels, 3, 3, 1e-9);
        for (int g = 0; g < 3; g++) {
            double[] p = r.probabilities(new SparseVector(new int[] {g}, new double[] {1}));
            for (int c = 0; c < 3; c++) {
                assertEquals(counts[g][c] / 10.0, p[c], 1e-5, "group " + g + " class " + c);
            }
        }
    }

    /** Two separable clouds: every training point classified right, and the probabilities are confident. */
    @Test
    void separableCloudsAreSeparated() {
        SplittableRandom random = new SplittableRandom(3);
        List<SparseVector> xs = new ArrayList<>();
        int[] labels = new int[200];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 2;
            double centre = labels[i] == 0 ? -2 : 2;
            double x = centre + random.nextDouble() * 2 - 1;
            xs.add(SparseVector.dense(new double[] {x, random.nextDouble() * 4 - 2}));
        }
        SoftmaxRegression r = SoftmaxRegression.fitChoosingL2(xs, labels, 2, 2, 5);
        int[] predicted = Classifier.argmax(xs.stream().map(r::probabilities).toArray(double[][]::new));
        assertEquals(1.0, ClassMetrics.of(labels, predicted, 2).accuracy());
        assertEquals(SoftmaxRegression.L2_GRID[0], r.l2(), "separable data: the weakest penalty has least log-loss");
        double[] far = r.probabilities(SparseVector.dense(new double[] {3, 0}));
        assertEquals(1.0, far[1], 1e-3);
    }
}
