package dev.chimera.core.heads;

import static dev.chimera.core.heads.FourierDensityTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The synthetic experiment's KL(true || predicted) of {@link KlDivergence}. */
class KlDivergenceTest {

    @Test
    void handComputedValues() {
        double[] t = {0.5, 0.5};
        double[] p = {0.25, 0.75};
        // the 1e-10 floor shifts each log by ~1e-10 / p.
        assertEquals(0.5 * Math.log(2) + 0.5 * Math.log(0.5 / 0.75), KlDivergence.of(t, p), 1e-9);
        assertEquals(0, KlDivergence.of(p, p), 1e-9);
        // t_m = 0 contributes nothing even where p_m = 0.
        assertEquals(Math.log(2), KlDivergence.of(new double[] {1, 0, 0}, new double[] {0.5, 0.5, 0}), 1e-9);
        // p_m = 0 under mass: -log(1e-10), large but finite, as in the reference.
        assertEquals(0.5 * Math.log(0.5 / 1e-10) + 0.5 * Math.log(0.5),
                KlDivergence.of(t, new double[] {0, 1}), 1e-9);
    }

    @Test
    void meanOverRowsIsTheBatchMean() {
        double[] t = {0.5, 0.5, 1, 0};
        double[] p = {0.25, 0.75, 0.5, 0.5};
        double expected = (KlDivergence.of(new double[] {0.5, 0.5}, new double[] {0.25, 0.75})
                + KlDivergence.of(new double[] {1, 0}, new double[] {0.5, 0.5})) / 2;
        assertEquals(expected, KlDivergence.meanOverRows(t, p, 2), 1e-16);
    }

    @Test
    void badInputIsRefused() {
        assertMessage(() -> KlDivergence.of(new double[] {1}, new double[] {0.5, 0.5}), "truth has 1 values, predicted 2");
        assertMessage(() -> KlDivergence.meanOverRows(new double[] {1, 0, -1, 2}, new double[4], 2),
                "row 1, bin 0: truth -1.0");
        assertMessage(() -> KlDivergence.meanOverRows(new double[3], new double[3], 2), "must both be (2, B)");
    }
}
