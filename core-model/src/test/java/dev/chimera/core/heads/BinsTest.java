package dev.chimera.core.heads;

import static dev.chimera.core.heads.FourierDensityTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Bin geometry and value -> bin mapping of {@link Bins}. */
class BinsTest {

    @Test
    void geometryMatchesTheReferenceBinCentres() {
        Bins bins = new Bins(50);
        assertEquals(0.04, bins.width(), 1e-17);
        assertEquals(-1, bins.lowerEdge(0));
        assertEquals(1, bins.upperEdge(49));
        for (int m = 0; m < 50; m++) {
            // torch.linspace(-1, 1, B + 1) midpoints; one rounding each.
            assertEquals(-1 + (2.0 * m + 1) / 50, bins.center(m), 1e-16, "centre " + m);
            assertEquals((bins.lowerEdge(m) + bins.upperEdge(m)) / 2, bins.center(m), 1e-15, "midpoint " + m);
            if (m > 0) {
                assertEquals(bins.upperEdge(m - 1), bins.lowerEdge(m), "edges meet at " + m);
            }
        }
    }

    @Test
    void indexPutsEveryValueInsideItsBinAndOneInTheLast() {
        for (int count : new int[] {2, 7, 50}) {
            Bins bins = new Bins(count);
            assertEquals(0, bins.index(-1));
            assertEquals(count - 1, bins.index(1));
            for (int m = 0; m < count; m++) {
                assertEquals(m, bins.index(bins.center(m)));
                assertEquals(m, bins.index(bins.lowerEdge(m)), "lower edge belongs to its bin");
                if (m > 0) {
                    assertEquals(m - 1, bins.index(Math.nextDown(bins.lowerEdge(m))), "just below edge " + m);
                }
            }
            SplittableRandom random = new SplittableRandom(count);
            for (int i = 0; i < 10_000; i++) {
                double v = -1 + 2 * random.nextDouble();
                int m = bins.index(v);
                assertTrue(bins.lowerEdge(m) <= v && v < bins.upperEdge(m), v + " in bin " + m);
            }
        }
    }

    @Test
    void indicesOfATensorAndValuesOutsideThrow() {
        Bins bins = new Bins(4);
        int[] out = new int[5];
        bins.indices(out, Tensor.of(new float[] {-1, -0.5f, 0, 0.49f, 1}, 5));
        assertArrayEquals(new int[] {0, 1, 2, 2, 3}, out);
        assertMessage(() -> bins.index(1.0000001), "value 1.0000001 is outside [-1, 1]");
        assertMessage(() -> bins.index(Double.NaN), "value NaN is outside [-1, 1]");
        assertMessage(() -> bins.indices(new int[2], Tensor.of(new float[] {0, -1.5f}, 2)),
                "value -1.5 at flat position 1 of (2) is outside [-1, 1]");
        assertMessage(() -> new Bins(1), "count B must be >= 2, got 1");
    }

    @Test
    void discretizeNormalisesThePdfAtTheCentres() {
        Bins bins = new Bins(50);
        double[] pmf = new double[50];
        bins.discretize(pmf, x -> Math.exp(-0.5 * (x - 0.3) * (x - 0.3) / 0.01));
        double sum = 0;
        for (double v : pmf) {
            sum += v;
        }
        assertEquals(1, sum, 1e-14);
        double ratio = Math.exp(-0.5 * (bins.center(20) - 0.3) * (bins.center(20) - 0.3) / 0.01)
                / Math.exp(-0.5 * (bins.center(30) - 0.3) * (bins.center(30) - 0.3) / 0.01);
        // a ratio of two normalised values: the normaliser cancels up to rounding.
        assertEquals(ratio, pmf[20] / pmf[30], 1e-12 * ratio);
        assertMessage(() -> bins.discretize(new double[50], x -> x), "pdf(-0.98) = -0.98 at bin 0");
    }
}
