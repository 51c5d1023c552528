package dev.chimera.genomics.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.genomics.classify.Evaluation;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The scores of every method on a test set, as {@code classify eval} and {@code classify train --eval} print them. */
final class ClassifyReport {
    private ClassifyReport() {
    }

    /**
     * One row per method: a table for people, or with {@code json} one line per method with exactly
     * the keys task, method, accuracy, f1 (macro) and mcc.
     */
    static void print(PrintWriter w, String task, String testSet, int records, List<Evaluation.Row> rows,
                      boolean json) {
        if (json) {
            for (Evaluation.Row r : rows) {
                w.println(new JsonLine().put("task", task).put("method", r.method().id())
                        .put("accuracy", r.metrics().accuracy(), 6).put("f1", r.metrics().macroF1(), 6)
                        .put("mcc", r.metrics().mcc(), 6));
            }
        } else {
            w.printf(Locale.ROOT, "task %s, test set %s (%,d records)%n", task, testSet, records);
            w.printf(Locale.ROOT, "%-12s %9s %9s %9s%n", "method", "accuracy", "macro F1", "MCC");
            for (Evaluation.Row r : rows) {
                w.printf(Locale.ROOT, "%-12s %9.4f %9.4f %9.4f%n", r.method().id(), r.metrics().accuracy(),
                        r.metrics().macroF1(), r.metrics().mcc());
            }
        }
        w.flush();
    }
}
