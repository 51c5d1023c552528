package dev.chimera.timeseries.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How many validation origins a check forecasts. */
class SkipVerdictTest {

    @Test
    void everyFourthOriginUnlessTheFileIsWide() {
        assertEquals(4, SkipVerdict.stride(2785, 7));      // ETTh1: 19,495 sequences at stride 1
        assertEquals(4, SkipVerdict.stride(10, 1));
        assertEquals(4, SkipVerdict.stride(8192, 4));      // 32,768: exactly 4 x the cap
        assertEquals(5, SkipVerdict.stride(8193, 4));
        assertEquals(102, SkipVerdict.stride(2600, 321));  // electricity-like: 834,600 sequences, about 8,200 forecast
    }
}
