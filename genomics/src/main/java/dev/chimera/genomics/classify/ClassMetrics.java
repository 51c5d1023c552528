package dev.chimera.genomics.classify;

/**
 * Accuracy, macro F1 and the multi-class Matthews correlation coefficient of predicted against
 * true classes, from the confusion matrix C (C[t][p]: records of true class t predicted as p).
 *
 * <ul>
 *   <li>accuracy = trace(C) / n;</li>
 *   <li>macro F1 = the mean over classes of F1_k = 2 TP_k / (2 TP_k + FP_k + FN_k), over the classes
 *       that occur among the true or the predicted classes (scikit-learn's {@code f1_score(average=
 *       'macro')});</li>
 *   <li>MCC (Gorodkin, "Comparing two K-category assignments by a K-category correlation
 *       coefficient", 2004), with t_k the true and p_k the predicted count of class k, c = trace(C),
 *       s = n: (c s - sum_k p_k t_k) / sqrt((s^2 - sum_k p_k^2)(s^2 - sum_k t_k^2)); 0 when a
 *       factor of the denominator is 0 (every record in one true or one predicted class), as
 *       scikit-learn's {@code matthews_corrcoef}. For two classes it is the usual MCC.</li>
 * </ul>
 */
public record ClassMetrics(long[][] confusion, double accuracy, double macroF1, double mcc) {

    /** The metrics of {@code predicted} against {@code truth}, class indices in [0, classes). */
    public static ClassMetrics of(int[] truth, int[] predicted, int classes) {
        if (truth.length != predicted.length || truth.length == 0) {
            throw new IllegalArgumentException(truth.length + " true and " + predicted.length
                    + " predicted classes: need the same number, at least one");
        }
        long[][] c = new long[classes][classes];
        for (int i = 0; i < truth.length; i++) {
            c[truth[i]][predicted[i]]++;
        }
        long n = truth.length;
        long[] t = new long[classes];
        long[] p = new long[classes];
        long correct = 0;
        for (int a = 0; a < classes; a++) {
            for (int b = 0; b < classes; b++) {
                t[a] += c[a][b];
                p[b] += c[a][b];
            }
            correct += c[a][a];
        }
        double f1Sum = 0;
        int present = 0;
        double sumPt = 0;
        double sumP2 = 0;
        double sumT2 = 0;
        for (int k = 0; k < classes; k++) {
            long tp = c[k][k];
            long denominator = t[k] + p[k];  // 2 TP + FP + FN
            if (denominator > 0) {
                f1Sum += 2.0 * tp / denominator;
                present++;
            }
            sumPt += (double) p[k] * t[k];
            sumP2 += (double) p[k] * p[k];
            sumT2 += (double) t[k] * t[k];
        }
        double s2 = (double) n * n;
        double denominator = Math.sqrt((s2 - sumP2) * (s2 - sumT2));
        double mcc = denominator == 0 ? 0 : ((double) correct * n - sumPt) / denominator;
        return new ClassMetrics(c, (double) correct / n, f1Sum / present, mcc);
    }
}
