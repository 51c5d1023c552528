package dev.chimera.timeseries.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.timeseries.data.Split;
import org.junit.jupiter.api.Test;

class WindowsTest {

    private static final Split ETT = new Split(8640, 11520, 14400);

    @Test
    void ettTestWindowsAreTheStandardProtocols() {
        Windows w = Windows.test(ETT, 672, 96);
        assertEquals(11520, w.firstOrigin());
        assertEquals(14400 - 96, w.lastOrigin());
        assertEquals(2785, w.count());
        assertEquals(11520 - 672, w.inputStart(w.firstOrigin()));
        assertEquals(14400, w.endRow());
        assertEquals(2689, Windows.test(ETT, 672, 192).count());
        assertEquals(2545, Windows.test(ETT, 672, 336).count());
        assertEquals(2161, Windows.test(ETT, 672, 720).count());
    }

    @Test
    void validationAndTrainBorders() {
        Windows v = Windows.validation(ETT, 672, 96);
        assertEquals(8640, v.firstOrigin());
        assertEquals(11520 - 96, v.lastOrigin());
        assertEquals(2785, v.count());
        Windows t = Windows.train(ETT, 672, 96);
        assertEquals(672, t.firstOrigin());
        assertEquals(8640 - 96, t.lastOrigin());
        assertEquals(8640 - 96 - 672 + 1, t.count());
        assertEquals(0, t.inputStart(t.firstOrigin()));
    }

    @Test
    void smallSplitCountsEveryOriginOnce() {
        Split s = new Split(10, 15, 20);
        Windows w = Windows.test(s, 3, 2);
        assertEquals(15, w.origin(0));
        assertEquals(18, w.origin(3));
        assertEquals(4, w.count());  // 20 - 15 - 2 + 1
        assertThrows(IndexOutOfBoundsException.class, () -> w.origin(4));
        Windows exact = Windows.test(s, 3, 5);  // the part holds exactly one window
        assertEquals(1, exact.count());
    }

    @Test
    void refusesWhatWouldChangeTheProtocol() {
        Split s = new Split(10, 15, 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Windows.test(s, 3, 6));
        assertTrue(e.getMessage().contains("fewer than horizon 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Windows.validation(s, 11, 2));
        assertTrue(e.getMessage().contains("lookback 11"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Windows.train(s, 9, 2));
    }
}
