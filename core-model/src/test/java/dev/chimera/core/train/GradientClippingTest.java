package dev.chimera.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

    @Test
    void normIsReturnedAndGradientsScaledOnlyAboveTheLimit() {
        // 7 elements (not a multiple of the 4 partial sums): 3-4-12 triangle plus zeros gives norm 13.
        float[] g = {3f, 0f, 4f, 0f, 0f, 0f, 12f};
        assertEquals(13.0, GradientClipping.clipGlobalNorm(g.clone(), 13.0));
        float[] same = g.clone();
        assertEquals(13.0, GradientClipping.clipGlobalNorm(same, 20.0));
        assertArrayEquals(g, same);

        float[] clipped = g.clone();
        assertEquals(13.0, GradientClipping.clipGlobalNorm(clipped, 1.0));
        float scale = (float) (1.0 / 13.0);
        assertArrayEquals(new float[] {3f * scale, 0f, 4f * scale, 0f, 0f, 0f, 12f * scale}, clipped);
        assertEquals(1.0, GradientClipping.clipGlobalNorm(clipped.clone(), 0), 1e-7);
    }

    @Test
    void normMatchesAPlainDoubleSumOnRandomGradients() {
        SplittableRandom r = new SplittableRandom(5);
        float[] g = new float[1001];
        double sum = 0;
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) (r.nextDouble() * 2 - 1);
            sum += (double) g[i] * g[i];
        }
        float[] c = g.clone();
        double norm = GradientClipping.clipGlobalNorm(c, 0.5);
        // Double sums of 1001 terms in another order: ~1e-16 relative.
        assertEquals(Math.sqrt(sum), norm, 1e-12 * norm);
        double after = Math.sqrt(GradientClipping.sumOfSquares(c));
        // Scaled in float: each element carries half an ulp.
        assertEquals(0.5, after, 1e-6);
        for (int i = 0; i < g.length; i++) {
            assertEquals(g[i] * (float) (0.5 / norm), c[i]);
        }
    }

    @Test
    void noClippingForZeroNegativeOrInfiniteLimits() {
        float[] g = {10f, -10f};
        for (double max : new double[] {0, -1, Double.POSITIVE_INFINITY}) {
            float[] c = g.clone();
            assertEquals(Math.sqrt(200), GradientClipping.clipGlobalNorm(c, max), 1e-12);
            assertArrayEquals(g, c);
        }
    }

    @Test
    void nonFiniteNormIsReturnedWithoutScaling() {
        float[] nan = {1f, Float.NaN, 2f};
        assertTrue(Double.isNaN(GradientClipping.clipGlobalNorm(nan, 1.0)));
        assertEquals(1f, nan[0]);
        assertEquals(2f, nan[2]);
        float[] inf = {1f, Float.NEGATIVE_INFINITY, 2f};
        assertEquals(Double.POSITIVE_INFINITY, GradientClipping.clipGlobalNorm(inf, 1.0));
        assertArrayEquals(new float[] {1f, Float.NEGATIVE_INFINITY, 2f}, inf);
    }

    @Test
    void emptyGradientsAndBadArguments() {
        assertEquals(0.0, GradientClipping.clipGlobalNorm(new float[0], 1.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientClipping.clipGlobalNorm(new float[1], Double.NaN));
        assertTrue(e.getMessage().contains("maxNorm"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGlobalNorm(null, 1.0));
    }
}
