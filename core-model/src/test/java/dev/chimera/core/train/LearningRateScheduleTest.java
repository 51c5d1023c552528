package dev.chimera.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    /** Closed-form values: tolerance is a few ulps of double arithmetic. */
    private static final double TOL = 1e-15;

    @Test
    void warmupThenCosineAtKeySteps() {
        // W = 10, T = 111: the cosine runs over steps 10..110, 100 intervals, half way at step 60.
        LearningRateSchedule s = new LearningRateSchedule(1e-3, 1e-4, 10, 111);
        assertEquals(1e-4, s.at(0), TOL);
        assertEquals(5e-4, s.at(4), TOL);
        assertEquals(1e-3, s.at(9), TOL);
        assertEquals(1e-3, s.at(10), TOL);
        assertEquals(1e-4 + 9e-4 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), s.at(35), TOL);
        assertEquals(5.5e-4, s.at(60), TOL);
        assertEquals(1e-4, s.at(110), TOL);
        for (long t = 10; t < 110; t++) {
            assertTrue(s.at(t + 1) <= s.at(t), "decreasing at " + t);
        }
        for (long t = 0; t < 9; t++) {
            assertTrue(s.at(t + 1) > s.at(t), "increasing at " + t);
        }
    }

    @Test
    void degenerateLengths() {
        assertEquals(2.0, new LearningRateSchedule(2, 0, 0, 1).at(0));
        LearningRateSchedule noWarmup = new LearningRateSchedule(2, 0, 0, 3);
        assertEquals(2.0, noWarmup.at(0));
        assertEquals(1.0, noWarmup.at(1), TOL);
        assertEquals(0.0, noWarmup.at(2), TOL);
        LearningRateSchedule allWarmup = new LearningRateSchedule(2, 1, 4, 4);
        assertEquals(0.5, allWarmup.at(0));
        assertEquals(2.0, allWarmup.at(3));
        // One decay step after warmup: it keeps the peak.
        LearningRateSchedule oneDecay = new LearningRateSchedule(2, 1, 2, 3);
        assertEquals(1.0, oneDecay.at(0));
        assertEquals(2.0, oneDecay.at(1));
        assertEquals(2.0, oneDecay.at(2));
        LearningRateSchedule flat = new LearningRateSchedule(3, 3, 0, 5);
        for (long t = 0; t < 5; t++) {
            assertEquals(3.0, flat.at(t), TOL);
        }
    }

    @Test
    void badArgumentsNameTheField() {
        assertMessage("peak", () -> new LearningRateSchedule(0, 0, 0, 1));
        assertMessage("peak", () -> new LearningRateSchedule(Double.POSITIVE_INFINITY, 0, 0, 1));
        assertMessage("min", () -> new LearningRateSchedule(1, 2, 0, 1));
        assertMessage("min", () -> new LearningRateSchedule(1, -1, 0, 1));
        assertMessage("min", () -> new LearningRateSchedule(1, Double.NaN, 0, 1));
        assertMessage("totalSteps", () -> new LearningRateSchedule(1, 0, 0, 0));
        assertMessage("warmupSteps", () -> new LearningRateSchedule(1, 0, -1, 5));
        assertMessage("warmupSteps", () -> new LearningRateSchedule(1, 0, 6, 5));
        LearningRateSchedule s = new LearningRateSchedule(1, 0, 1, 5);
        assertMessage("step", () -> s.at(-1));
        assertMessage("step", () -> s.at(5));
    }

    private static void assertMessage(String field, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(field + " "), e.getMessage());
    }
}
