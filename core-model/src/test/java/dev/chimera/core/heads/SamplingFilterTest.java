package dev.chimera.core.heads;

import static dev.chimera.core.heads.FourierDensityTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Temperature, top-k and top-p filtering and seeded draws of {@link SamplingFilter}. */
class SamplingFilterTest {

    private static Tensor row(double... p) {
        float[] f = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            f[i] = (float) p[i];
        }
        return Tensor.of(f, p.length);
    }

    private static double[] randomDistribution(long seed, int size) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] p = new double[size];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            p[i] = Math.pow(random.nextDouble(), 3);
            sum += p[i];
        }
        for (int i = 0; i < size; i++) {
            p[i] /= sum;
        }
        return p;
    }

    @Test
    void topPKeepsTheSmallestSetReachingTheMass() {
        // dyadic values, so every partial sum is exact.
        Tensor p = row(0.125, 0.5, 0.25, 0.125);
        SamplingFilter f = new SamplingFilter(4, 1, 4, 0.75).loadProbabilities(p);
        assertEquals(2, f.kept());
        assertEquals(2.0 / 3, f.probability(1), 1e-15);
        assertEquals(1.0 / 3, f.probability(2), 1e-15);
        assertEquals(0, f.probability(0));
        f = new SamplingFilter(4, 1, 4, 0.76).loadProbabilities(p);
        assertEquals(3, f.kept());
        assertTrue(f.probability(0) > 0 && f.probability(3) == 0, "a tie goes to the lower index");
        assertEquals(4, new SamplingFilter(4, 1, 4, 1).loadProbabilities(p).kept());
    }

    @Test
    void topPSetIsMinimalOnRandomDistributions() {
        int size = 40;
        for (long seed = 0; seed < 20; seed++) {
            double[] p = randomDistribution(seed, size);
            Tensor t = row(p);
            for (double topP : new double[] {0.1, 0.5, 0.9, 0.99}) {
                SamplingFilter f = new SamplingFilter(size, 1, size, topP).loadProbabilities(t);
                double keptMass = 0;
                double smallestKept = 1;
                double largestDropped = 0;
                for (int i = 0; i < size; i++) {
                    double pi = t.at(i);
                    if (f.probability(i) > 0) {
                        keptMass += pi;
                        smallestKept = Math.min(smallestKept, pi);
                    } else {
                        largestDropped = Math.max(largestDropped, pi);
                    }
                }
                double total = 0;
                for (int i = 0; i < size; i++) {
                    total += t.at(i);
                }
                // 1e-12: the filter sums the same float values in another order.
                assertTrue(keptMass >= topP * total - 1e-12, "kept mass reaches p");
                assertTrue(keptMass - smallestKept < topP * total + 1e-12, "dropping the smallest kept falls short");
                assertTrue(smallestKept >= largestDropped, "kept values dominate dropped ones");
            }
        }
    }

    @Test
    void topKOneAlwaysGivesTheArgmaxAndTopKKeepsTheLargest() {
        double[] p = randomDistribution(3, 30);
        int argmax = 0;
        for (int i = 1; i < p.length; i++) {
            argmax = p[i] > p[argmax] ? i : argmax;
        }
        SamplingFilter greedy = new SamplingFilter(30, 0.7, 1, 1).loadProbabilities(row(p));
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            assertEquals(argmax, greedy.sample(random));
        }
        SamplingFilter top3 = new SamplingFilter(30, 1, 3, 1).loadProbabilities(row(p));
        assertEquals(3, top3.kept());
        double[] sorted = p.clone();
        Arrays.sort(sorted);
        double mass = sorted[29] + sorted[28] + sorted[27];
        for (int i = 0; i < 30; i++) {
            // float32 inputs, renormalised in double.
            double expected = p[i] >= sorted[27] ? p[i] / mass : 0;
            assertEquals(expected, top3.probability(i), 1e-6, "index " + i);
        }
    }

    @Test
    void temperatureOnProbabilitiesEqualsTemperatureOnLogLogits() {
        double[] p = randomDistribution(5, 12);
        float[] logits = new float[12];
        for (int i = 0; i < 12; i++) {
            logits[i] = (float) Math.log(p[i]) + 3;  // a shift that softmax ignores
        }
        for (double temperature : new double[] {0.5, 1, 2}) {
            SamplingFilter fromP = new SamplingFilter(12, temperature, 12, 1).loadProbabilities(row(p));
            SamplingFilter fromL = new SamplingFilter(12, temperature, 12, 1).loadLogits(Tensor.of(logits, 12));
            double sum = 0;
            for (int i = 0; i < 12; i++) {
                sum += Math.pow(p[i], 1 / temperature);
            }
            for (int i = 0; i < 12; i++) {
                double expected = Math.pow(p[i], 1 / temperature) / sum;
                // float32 rounding of p and of log p, raised to 1/T <= 2.
                assertEquals(expected, fromP.probability(i), 1e-6 + 1e-5 * expected, "probabilities, T " + temperature);
                assertEquals(expected, fromL.probability(i), 1e-6 + 1e-5 * expected, "logits, T " + temperature);
            }
        }
    }

    @Test
    void drawsAreReproducibleAndFollowTheFilteredDistribution() {
        double[] p = randomDistribution(9, 10);
        SamplingFilter f = SamplingFilter.unfiltered(10).loadProbabilities(row(p));
        SplittableRandom a = new SplittableRandom(42);
        SplittableRandom b = new SplittableRandom(42);
        int[] counts = new int[10];
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            int x = f.sample(a);
            assertEquals(x, f.sample(b), "same seed, same draw");
            counts[x]++;
        }
        double chi2 = 0;
        for (int i = 0; i < 10; i++) {
            double expected = draws * f.probability(i);
            chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        // chi-square with 9 degrees of freedom: mean 9, sd 4.2; 40 is beyond the 1e-5 tail.
        assertTrue(chi2 < 40, "chi-square " + chi2);
    }

    @Test
    void badSettingsAndInputsAreRefused() {
        assertMessage(() -> new SamplingFilter(4, 0, 4, 1), "temperature must be finite and > 0, got 0.0");
        assertMessage(() -> new SamplingFilter(4, 1, 0, 1), "topK must be in [1, 4], got 0");
        assertMessage(() -> new SamplingFilter(4, 1, 5, 1), "topK must be in [1, 4], got 5");
        assertMessage(() -> new SamplingFilter(4, 1, 4, 1.5), "topP must be in (0, 1], got 1.5");
        SamplingFilter f = SamplingFilter.unfiltered(3);
        assertMessage(() -> f.loadProbabilities(row(0.5, -0.1, 0.6)), "probability -0.1 at index 1");
        assertMessage(() -> f.loadProbabilities(row(0, 0, 0)), "all 3 probabilities are 0");
        assertMessage(() -> f.loadLogits(Tensor.of(new float[] {0, Float.NaN, 1}, 3)), "logit NaN at index 1");
        assertMessage(() -> f.loadProbabilities(row(0.5, 0.5)), "expected (3), got (2)");
    }
}
