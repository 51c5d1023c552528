package dev.chimera.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Global-norm clipping on both CPU backends: the norm is the backend's double sum, the scaling its float multiply. */
class GradientClippingTest {
    private static final ComputePool POOL = new ComputePool(2);
    private static final Backend[] BACKENDS = {new ScalarBackend(), new VectorBackend(POOL)};

    @AfterAll
    static void close() {
        POOL.close();
    }

    /** A rank-1 tensor over the array itself, so the test reads the clipped values from the array. */
    private static Tensor t(float[] values) {
        return Tensor.of(values, values.length);
    }

    @Test
    void normIsReturnedAndGradientsScaledOnlyAboveTheLimit() {
        for (Backend k : BACKENDS) {
            // 7 elements (not a multiple of the 4 partial sums): 3-4-12 triangle plus zeros gives norm 13.
            float[] g = {3f, 0f, 4f, 0f, 0f, 0f, 12f};
            assertEquals(13.0, GradientClipping.clipGlobalNorm(k, t(g.clone()), 13.0), k.name());
            float[] same = g.clone();
            assertEquals(13.0, GradientClipping.clipGlobalNorm(k, t(same), 20.0), k.name());
            assertArrayEquals(g, same, k.name());

            float[] clipped = g.clone();
            assertEquals(13.0, GradientClipping.clipGlobalNorm(k, t(clipped), 1.0), k.name());
            float scale = (float) (1.0 / 13.0);
            assertArrayEquals(new float[] {3f * scale, 0f, 4f * scale, 0f, 0f, 0f, 12f * scale}, clipped, k.name());
            assertEquals(1.0, GradientClipping.clipGlobalNorm(k, t(clipped.clone()), 0), 1e-7, k.name());
        }
    }

    @Test
    void normMatchesAPlainDoubleSumOnRandomGradients() {
        for (Backend k : BACKENDS) {
            SplittableRandom r = new SplittableRandom(5);
            float[] g = new float[1001];
            double sum = 0;
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) (r.nextDouble() * 2 - 1);
                sum += (double) g[i] * g[i];
            }
            float[] c = g.clone();
            double norm = GradientClipping.clipGlobalNorm(k, t(c), 0.5);
            // Double sums of 1001 terms in another order: ~1e-16 relative.
            assertEquals(Math.sqrt(sum), norm, 1e-12 * norm, k.name());
            double after = Math.sqrt(k.sumOfSquares(t(c)));
            // Scaled in float: each element carries half an ulp.
            assertEquals(0.5, after, 1e-6, k.name());
            for (int i = 0; i < g.length; i++) {
                assertEquals(g[i] * (float) (0.5 / norm), c[i], k.name());
            }
        }
    }

    @Test
    void noClippingForZeroNegativeOrInfiniteLimits() {
        for (Backend k : BACKENDS) {
            float[] g = {10f, -10f};
            for (double max : new double[] {0, -1, Double.POSITIVE_INFINITY}) {
                float[] c = g.clone();
                assertEquals(Math.sqrt(200), GradientClipping.clipGlobalNorm(k, t(c), max), 1e-12, k.name());
                assertArrayEquals(g, c, k.name());
            }
        }
    }

    @Test
    void nonFiniteNormIsReturnedWithoutScaling() {
        for (Backend k : BACKENDS) {
            float[] nan = {1f, Float.NaN, 2f};
            assertTrue(Double.isNaN(GradientClipping.clipGlobalNorm(k, t(nan), 1.0)), k.name());
            assertEquals(1f, nan[0]);
            assertEquals(2f, nan[2]);
            float[] inf = {1f, Float.NEGATIVE_INFINITY, 2f};
            assertEquals(Double.POSITIVE_INFINITY, GradientClipping.clipGlobalNorm(k, t(inf), 1.0), k.name());
            assertArrayEquals(new float[] {1f, Float.NEGATIVE_INFINITY, 2f}, inf, k.name());
        }
    }

    @Test
    void emptyGradientsAndBadArguments() {
        for (Backend k : BACKENDS) {
            assertEquals(0.0, GradientClipping.clipGlobalNorm(k, t(new float[0]), 1.0), k.name());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GradientClipping.clipGlobalNorm(k, t(new float[1]), Double.NaN));
            assertTrue(e.getMessage().contains("maxNorm"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGlobalNorm(k, null, 1.0));
        }
    }
}
