package dev.chimera.genomics.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Accuracy, macro F1 and Gorodkin's MCC against values worked out by hand. */
class ClassMetricsTest {

    @Test
    void threeClassesByHand() {
        int[] truth = {0, 0, 0, 1, 1, 2, 2, 2, 2};
        int[] predicted = {0, 1, 0, 1, 2, 2, 2, 0, 2};
        ClassMetrics m = ClassMetrics.of(truth, predicted, 3);
        assertArrayEquals(new long[] {2, 1, 0}, m.confusion()[0]);
        assertArrayEquals(new long[] {0, 1, 1}, m.confusion()[1]);
        assertArrayEquals(new long[] {1, 0, 3}, m.confusion()[2]);
        assertEquals(6.0 / 9, m.accuracy(), 1e-15);
        // F1: class 0 2*2/(4+1+1), class 1 2/(2+1+1), class 2 6/(6+1+1).
        assertEquals((4.0 / 6 + 0.5 + 0.75) / 3, m.macroF1(), 1e-15);
        // t = p = (3, 2, 4), c = 6, s = 9: (6*9 - 29) / sqrt((81 - 29)(81 - 29)) = 25/52.
        assertEquals(25.0 / 52, m.mcc(), 1e-15);
    }

    @Test
    void twoClassesAgreeWithTheBinaryMcc() {
        int[] truth = {1, 1, 1, 0, 0, 0, 0, 1};
        int[] predicted = {1, 0, 1, 0, 0, 1, 0, 1};
        ClassMetrics m = ClassMetrics.of(truth, predicted, 2);
        // TP 3, TN 3, FP 1, FN 1: (TP TN - FP FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = 8/16.
        assertEquals(0.5, m.mcc(), 1e-15);
        assertEquals(0.75, m.accuracy(), 1e-15);
        assertEquals(0.75, m.macroF1(), 1e-15);
    }

    @Test
    void oneClassPredictedForAllGivesZeroMccAndF1OverPresentClasses() {
        int[] truth = {0, 0, 1, 1};
        int[] predicted = {0, 0, 0, 0};
        ClassMetrics m = ClassMetrics.of(truth, predicted, 3);
        assertEquals(0.5, m.accuracy(), 1e-15);
        assertEquals(0.0, m.mcc(), 0.0);
        // Class 0: 2*2/(4+2+0) = 2/3; class 1: 0; class 2 never occurs and is not averaged.
        assertEquals((2.0 / 3 + 0) / 2, m.macroF1(), 1e-15);
        ClassMetrics perfect = ClassMetrics.of(truth, truth, 2);
        assertEquals(1.0, perfect.mcc(), 1e-15);
        assertEquals(1.0, perfect.macroF1(), 1e-15);
    }
}
