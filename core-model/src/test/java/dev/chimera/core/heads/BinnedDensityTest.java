package dev.chimera.core.heads;

import static dev.chimera.core.heads.FourierDensityTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Quantiles, moments and continuous sampling of {@link BinnedDensity}. */
class BinnedDensityTest {

    private static Tensor uniform(int bins) {
        float[] p = new float[bins];
        Arrays.fill(p, 1f / bins);
        return Tensor.of(p, bins);
    }

    @Test
    void uniformDensityHasLinearQuantilesMeanZeroAndVarianceOneThird() {
        for (int count : new int[] {8, 50}) {
            Bins bins = new Bins(count);
            Tensor p = uniform(count);
            double[] levels = new double[101];
            for (int i = 0; i <= 100; i++) {
                levels[i] = i / 100.0;
            }
            double[] q = new double[levels.length];
            BinnedDensity.quantiles(q, p, bins, levels);
            for (int i = 0; i < levels.length; i++) {
                // equal float weights cancel in p / total; what remains is rounding of a few sums.
                assertEquals(-1 + 2 * levels[i], q[i], 1e-12, "level " + levels[i] + ", B " + count);
            }
            assertEquals(0, BinnedDensity.mean(p, bins), 1e-15);
            assertEquals(1.0 / 3, BinnedDensity.variance(p, bins), 1e-14);
        }
    }

    @Test
    void quantilesOfAHandBuiltDensity() {
        Bins bins = new Bins(4);
        Tensor p = Tensor.of(new float[] {0, 0.5f, 0.5f, 0}, 4);
        assertEquals(-0.5, BinnedDensity.quantile(p, bins, 0), "level 0: lower edge of the first bin with mass");
        assertEquals(-0.25, BinnedDensity.quantile(p, bins, 0.25));
        assertEquals(0, BinnedDensity.quantile(p, bins, 0.5));
        assertEquals(0.5, BinnedDensity.quantile(p, bins, 1), "level 1: upper edge of the last bin with mass");
        assertEquals(0, BinnedDensity.mean(p, bins));
        // centres at -0.25 and 0.25, plus w^2/12 inside a bin of width 0.5.
        assertEquals(0.0625 + 0.25 / 12, BinnedDensity.variance(p, bins), 1e-16);
    }

    @Test
    void quantilesAreMonotoneAndThePeakHoldsTheMedian() {
        Bins bins = new Bins(50);
        SplittableRandom random = new SplittableRandom(4);
        float[] p = new float[50];
        for (int m = 0; m < 50; m++) {
            p[m] = m % 7 == 3 ? 0 : (float) random.nextDouble();
        }
        double[] levels = new double[1001];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = i / 1000.0;
        }
        double[] q = new double[levels.length];
        BinnedDensity.quantiles(q, Tensor.of(p, 50), bins, levels);
        for (int i = 1; i < q.length; i++) {
            assertTrue(q[i] >= q[i - 1], "monotone at level " + levels[i]);
        }
        float[] peaked = new float[50];
        Arrays.fill(peaked, 0.4f / 49);
        peaked[37] = 0.6f;
        double median = BinnedDensity.quantile(Tensor.of(peaked, 50), bins, 0.5);
        assertTrue(median >= bins.lowerEdge(37) && median < bins.upperEdge(37), "median " + median + " in bin 37");
    }

    @Test
    void samplesAreReproducibleAndTheirHistogramMatchesP() {
        int count = 20;
        Bins bins = new Bins(count);
        FourierDensity head;
        Tensor probs = Tensor.zeros(1, count);
        try (ComputePool pool = new ComputePool(1)) {
            head = new FourierDensity(6, count, pool, true);
            double[] z = FourierDensityTest.gaussian(21, head.width(), 1);
            head.forward(probs, Tensor.zeros(1, count), Tensor.of(FourierDensityTest.toFloat(z), 1, head.width()),
                    head.allocate(1));
        }
        Tensor p = probs.select(0);
        SamplingFilter filter = SamplingFilter.unfiltered(count).loadProbabilities(p);
        SplittableRandom a = new SplittableRandom(7);
        SplittableRandom b = new SplittableRandom(7);
        int draws = 20_000;
        int[] counts = new int[count];
        for (int i = 0; i < draws; i++) {
            double x = BinnedDensity.sample(filter, bins, a);
            assertEquals(x, BinnedDensity.sample(filter, bins, b), "same seed, same value");
            assertTrue(x >= -1 && x < 1);
            counts[bins.index(x)]++;
        }
        double chi2 = 0;
        for (int m = 0; m < count; m++) {
            double expected = draws * p.at(m);
            chi2 += (counts[m] - expected) * (counts[m] - expected) / expected;
        }
        // chi-square with 19 degrees of freedom: mean 19, sd 6.2; 60 is beyond the 1e-5 tail.
        assertTrue(chi2 < 60, "chi-square " + chi2);
        int argmax = 0;
        for (int m = 1; m < count; m++) {
            argmax = p.at(m) > p.at(argmax) ? m : argmax;
        }
        SamplingFilter greedy = new SamplingFilter(count, 1, 1, 1).loadProbabilities(p);
        for (int i = 0; i < 1000; i++) {
            assertEquals(argmax, bins.index(BinnedDensity.sample(greedy, bins, a)), "top-k 1 stays in the argmax bin");
        }
    }

    @Test
    void badRowsAndLevelsAreRefused() {
        Bins bins = new Bins(4);
        assertMessage(() -> BinnedDensity.mean(Tensor.of(new float[] {0.5f, 0.5f}, 2), bins),
                "probabilities must be (4), got (2)");
        assertMessage(() -> BinnedDensity.variance(Tensor.of(new float[] {0.5f, -0.5f, 0, 1}, 4), bins),
                "probability -0.5 of bin 1");
        assertMessage(() -> BinnedDensity.quantiles(new double[2], uniform(4), bins, new double[] {0.5, 1.5}),
                "level 1.5 at index 1 is outside [0, 1]");
    }
}
