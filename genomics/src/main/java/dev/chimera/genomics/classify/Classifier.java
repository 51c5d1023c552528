package dev.chimera.genomics.classify;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A fitted classification method: class probabilities for records, and its parameters saved in a model directory. */
public interface Classifier {
    Method method();

    /** p(class | record) for each record (rows sum to 1), in the order given. */
    double[][] probabilities(List<Example> records);

    /** Writes its parameters to {@code dir}/{@link Method#file()}. */
    void save(Path dir) throws IOException;

    /** The class of largest probability of each row (the first on a tie). */
    static int[] argmax(double[][] probabilities) {
        int[] out = new int[probabilities.length];
        for (int i = 0; i < probabilities.length; i++) {
            double[] p = probabilities[i];
            int best = 0;
            for (int k = 1; k < p.length; k++) {
                if (p[k] > p[best]) {
                    best = k;
                }
            }
            out[i] = best;
        }
        return out;
    }
}
