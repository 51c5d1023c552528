package dev.chimera.robotics.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Percentile normalisation: p1 -> -1, p99 -> 1 by linear interpolation between order statistics; constants. */
class DofScalerTest {

    @Test
    void firstAndNinetyNinthPercentilesMapToMinusOneAndOne() {
        // values 0..100 in two episodes: p1 = 1, p99 = 99 exactly (position q * 100)
        double[][] a = new double[60][2];
        double[][] b = new double[41][2];
        for (int i = 0; i <= 100; i++) {
            double[] row = i < 60 ? a[i] : b[i - 60];
            row[0] = 100 - i;
            row[1] = 7.5;
        }
        DofScaler s = DofScaler.fit(List.of(a, b), 2);
        assertEquals(-1.0, s.normalise(0, 1.0), 1e-12);
        assertEquals(1.0, s.normalise(0, 99.0), 1e-12);
        assertEquals(0.0, s.normalise(0, 50.0), 1e-12);
        assertEquals(49.0, s.scale(0), 1e-12);
        // constant DoF: scale 1 around its value
        assertEquals(0.0, s.normalise(1, 7.5), 0.0);
        assertEquals(1.0, s.normalise(1, 8.5), 0.0);
        assertEquals(42.0, s.denormalise(0, s.normalise(0, 42.0)), 1e-12);
    }

    @Test
    void percentileInterpolatesBetweenOrderStatistics() {
        // numpy.percentile([1, 2, 4, 8], 50) = 3, ([1, 2, 4, 8], 90) = 6.8
        double[] sorted = {1, 2, 4, 8};
        assertEquals(3.0, DofScaler.percentile(sorted, 0.5), 1e-12);
        assertEquals(6.8, DofScaler.percentile(sorted, 0.9), 1e-12);
    }
}
