package dev.chimera.genomics.classify;

import java.util.ArrayList;
import java.util.List;

/** Every method of a classifier scored on one labelled set: one row per method, in the order given. */
public final class Evaluation {

    /** A method's metrics on the set. */
    public record Row(Method method, ClassMetrics metrics) {
    }

    private Evaluation() {
    }

    public static List<Row> score(List<Classifier> methods, List<Example> test, int classes) {
        int[] truth = test.stream().mapToInt(Example::label).toArray();
        List<Row> rows = new ArrayList<>();
        for (Classifier c : methods) {
            int[] predicted = Classifier.argmax(c.probabilities(test));
            rows.add(new Row(c.method(), ClassMetrics.of(truth, predicted, classes)));
        }
        return rows;
    }
}
