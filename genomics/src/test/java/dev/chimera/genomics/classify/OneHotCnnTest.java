package dev.chimera.genomics.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OneHotCnnTest {

    private static List<Example> records(long seed, int n, int length, int classes) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] t = new byte[length];
            for (int j = 0; j < length; j++) {
                t[j] = (byte) (random.nextDouble() < 0.1 ? 4 : random.nextInt(4));  // some N
            }
            out.add(new Example("r" + i, "r" + i, t, i % classes));
        }
        return out;
    }

    /** Central differences in double precision on every parameter (the loss is piecewise smooth; seeded off kinks). */
    @Test
    void gradientMatchesFiniteDifferences() {
        OneHotCnn cnn = OneHotCnn.initialised(3, 4, 3, 11);
        double[] theta = cnn.parameters();
        SplittableRandom random = new SplittableRandom(12);
        for (int i = 0; i < theta.length; i++) {
            theta[i] += random.nextDouble() * 0.2 - 0.1;  // non-zero biases too
        }
        List<Example> batch = new ArrayList<>(records(13, 5, 12, 3));
        batch.add(new Example("short", "short", new byte[] {0, 1}, 1));  // shorter than the filters: pooled 0
        double[] grad = new double[theta.length];
        double loss = cnn.lossAndGradient(batch, grad);
        double h = 1e-6;
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < theta.length; i++) {
            double saved = theta[i];
            theta[i] = saved + h;
            double up = cnn.lossAndGradient(batch, new double[theta.length]);
            theta[i] = saved - h;
            double down = cnn.lossAndGradient(batch, new double[theta.length]);
            theta[i] = saved;
            double numeric = (up - down) / (2 * h);
            diff += (grad[i] - numeric) * (grad[i] - numeric);
            norm += numeric * numeric;
        }
        assertTrue(norm > 1e-6, "the check would prove nothing");
        assertTrue(Math.sqrt(diff / norm) < 1e-6, "relative error " + Math.sqrt(diff / norm));
        assertEquals(loss, cnn.lossAndGradient(batch, new double[theta.length]), 0.0);
    }

    /** A motif present or absent: the fitted CNN separates held-out records. */
    @Test
    void learnsAMotif() {
        List<Example> train = motifRecords(21, 300);
        List<Example> test = motifRecords(22, 100);
        CnnBaseline cnn = CnnBaseline.fit(train, 2, 1, line -> { });
        int[] truth = test.stream().mapToInt(Example::label).toArray();
        double accuracy = ClassMetrics.of(truth, Classifier.argmax(cnn.probabilities(test)), 2).accuracy();
        assertTrue(accuracy >= 0.95, "accuracy " + accuracy);
    }

    static List<Example> motifRecords(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] motif = {2, 0, 3, 0, 1, 2, 3};  // GATACGT
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] t = new byte[40];
            for (int j = 0; j < t.length; j++) {
                t[j] = (byte) random.nextInt(4);
            }
            int label = i % 2;
            if (label == 1) {
                System.arraycopy(motif, 0, t, random.nextInt(t.length - motif.length), motif.length);
            }
            out.add(new Example("r" + i, "r" + i, t, label));
        }
        return out;
    }
}
