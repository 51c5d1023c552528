package dev.chimera.genomics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MarkovBaselineTest {

    /** Tolerance for sums of a few doubles: rounding only. */
    private static final double EXACT = 1e-12;

    private static byte[] tokens(String bases) {
        byte[] t = new byte[bases.length()];
        for (int i = 0; i < t.length; i++) {
            t[i] = (byte) "ACGTN".indexOf(bases.charAt(i));
        }
        return t;
    }

    private static byte[] random(Random rnd, int n, double nRate) {
        byte[] t = new byte[n];
        for (int i = 0; i < n; i++) {
            // Skewed composition and some order-1 structure, so the orders differ.
            int prev = i > 0 ? t[i - 1] : 0;
            t[i] = rnd.nextDouble() < nRate ? NucleotideTokenizer.N
                    : (byte) (rnd.nextDouble() < 0.3 ? (prev + 1) % 4 : rnd.nextInt(4));
        }
        return t;
    }

    @Test
    void handComputedProbabilities() {
        // Training "AAC". Order 0 with alpha 2: counts A=2, C=1 of 3.
        //   P0(A) = (2 + 2/4) / 5 = 0.5, P0(C) = (1 + 0.5) / 5 = 0.3, P0(G) = P0(T) = 0.5 / 5 = 0.1.
        // Order 1 with alpha 1: after A: A=1, C=1 of 2.
        //   P1(A|A) = (1 + 0.5) / 3 = 0.5, P1(C|A) = (1 + 0.3) / 3, P1(G|A) = P1(T|A) = 0.1 / 3.
        //   After C nothing was seen: P1(.|C) = P0.
        MarkovBaseline.Counter counter = new MarkovBaseline.Counter(1);
        counter.add(tokens("AAC"), 0, 3);
        MarkovBaseline m = counter.build(new double[] {2, 1});
        assertArrayEquals(new double[] {0.5, 0.3, 0.1, 0.1}, m.distribution(0, new byte[0]), EXACT);
        assertArrayEquals(new double[] {0.5, 1.3 / 3, 0.1 / 3, 0.1 / 3}, m.distribution(1, tokens("A")), EXACT);
        assertArrayEquals(new double[] {0.5, 0.3, 0.1, 0.1}, m.distribution(1, tokens("C")), EXACT);
        // An N cuts the context: order 1 after "AN" has no context and falls back to order 0.
        assertArrayEquals(new double[] {0.5, 0.3, 0.1, 0.1}, m.distribution(1, tokens("AN")), EXACT);
        assertEquals(3, m.trainPositions());
        assertEquals(2, m.count(new byte[0], 0));
        assertEquals(1, m.count(tokens("A"), 1));

        // Scoring "AC" after nothing: order 0 pays -log2(0.5) - log2(0.3); order 1 predicts the first
        // base with order 0 (no context yet) and the second with P1(C|A).
        MarkovBaseline.Score s = m.score(tokens("AC"), 0, 2, m.newScore());
        assertEquals(2, s.bases());
        assertEquals(-log2(0.5) - log2(0.3), s.bits(0), EXACT);
        assertEquals(-log2(0.5) - log2(1.3 / 3), s.bits(1), EXACT);
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /** The model written the slow, obvious way: string contexts in hash maps. */
    private static final class BruteForce {
        final int maxOrder;
        final double[] alpha;
        final Map<String, int[]> counts = new HashMap<>();

        BruteForce(int maxOrder, double[] alpha) {
            this.maxOrder = maxOrder;
            this.alpha = alpha;
        }

        /** The bases since the last N before position i, at most maxOrder of them, as a string. */
        String context(byte[] t, int i) {
            StringBuilder sb = new StringBuilder();
            for (int j = i - 1; j >= 0 && sb.length() < maxOrder && t[j] != NucleotideTokenizer.N; j--) {
                sb.insert(0, "ACGT".charAt(t[j]));
            }
            return sb.toString();
        }

        void add(byte[] t, int from, int to) {
            for (int i = from; i < to; i++) {
                if (t[i] == NucleotideTokenizer.N) {
                    continue;
                }
                String ctx = context(t, i);
                for (int j = 0; j <= ctx.length(); j++) {
                    counts.computeIfAbsent(ctx.substring(ctx.length() - j), k -> new int[4])[t[i]]++;
                }
            }
        }

        /** P_k(s | the last k letters of ctx), k = min(order, ctx length). */
        double p(int order, String ctx, int s) {
            int k = Math.min(order, ctx.length());
            double lower = 0.25;
            for (int j = 0; j <= k; j++) {
                int[] c = counts.getOrDefault(ctx.substring(ctx.length() - j), new int[4]);
                double total = c[0] + c[1] + c[2] + c[3];
                lower = (c[s] + alpha[j] * lower) / (total + alpha[j]);
            }
            return lower;
        }

        /** Leave-one-out log likelihood of order k at alpha a, event by event, lower orders as fitted. */
        double leaveOneOut(int k, double a) {
            double ll = 0;
            for (Map.Entry<String, int[]> e : counts.entrySet()) {
                String h = e.getKey();
                int[] c = e.getValue();
                int total = c[0] + c[1] + c[2] + c[3];
                if (h.length() != k || total < 2) {
                    continue;
                }
                for (int s = 0; s < 4; s++) {
                    double q = k == 0 ? 0.25 : p(k - 1, h.substring(1), s);
                    for (int event = 0; event < c[s]; event++) {
                        ll += Math.log((c[s] - 1 + a * q) / (total - 1 + a));
                    }
                }
            }
            return ll;
        }
    }

    private static String letters(int value, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.insert(0, "ACGT".charAt(value & 3));
            value >>= 2;
        }
        return sb.toString();
    }

    @Test
    void matchesBruteForceOnEveryContextAndSumsToOne() {
        Random rnd = new Random(11);
        int maxOrder = 4;
        byte[] a = random(rnd, 3000, 0.01);
        byte[] b = random(rnd, 500, 0.05);
        for (double[] alphas : new double[][] {null, {0.7, 1.3, 2.0, 0.4, 3.0}}) {
            MarkovBaseline.Counter counter = new MarkovBaseline.Counter(maxOrder);
            counter.add(a, 0, a.length);
            counter.add(b, 0, 400);
            MarkovBaseline m = alphas == null ? counter.build() : counter.build(alphas);
            double[] used = new double[maxOrder + 1];
            for (int k = 0; k <= maxOrder; k++) {
                used[k] = m.alpha(k);
            }
            BruteForce ref = new BruteForce(maxOrder, used);
            ref.add(a, 0, a.length);
            ref.add(b, 0, 400);
            for (int k = 0; k <= maxOrder; k++) {
                for (int len = 0; len <= k; len++) {
                    for (int v = 0; v < (1 << (2 * len)); v++) {
                        String ctx = letters(v, len);
                        double[] p = m.distribution(k, tokens(ctx));
                        double sum = 0;
                        for (int s = 0; s < 4; s++) {
                            // Relative tolerance: the same formula, summed in a different order.
                            assertEquals(ref.p(k, ctx, s), p[s], 1e-12 * p[s], "order " + k + " context " + ctx);
                            sum += p[s];
                        }
                        assertEquals(1.0, sum, EXACT, "order " + k + " context " + ctx);
                    }
                }
            }
            // Scoring b's held-out tail, whose context reaches back into its counted head.
            MarkovBaseline.Score score = m.score(b, 400, b.length, m.newScore());
            double[] expected = new double[maxOrder + 1];
            long scored = 0;
            long skipped = 0;
            for (int i = 400; i < b.length; i++) {
                if (b[i] == NucleotideTokenizer.N) {
                    skipped++;
                    continue;
                }
                scored++;
                for (int k = 0; k <= maxOrder; k++) {
                    expected[k] -= log2(ref.p(k, ref.context(b, i), b[i]));
                }
            }
            assertEquals(scored, score.bases());
            assertEquals(skipped, score.skipped());
            assertTrue(skipped > 0, "the test data has N in the scored part");
            for (int k = 0; k <= maxOrder; k++) {
                assertEquals(expected[k], score.bits(k), 1e-9 * expected[k], "order " + k);
            }
        }
    }

    @Test
    void fittedAlphaMaximisesTheLeaveOneOutLikelihood() {
        Random rnd = new Random(5);
        int maxOrder = 3;
        byte[] t = random(rnd, 4000, 0.0);
        MarkovBaseline.Counter counter = new MarkovBaseline.Counter(maxOrder);
        counter.add(t, 0, t.length);
        MarkovBaseline m = counter.build();
        double[] alpha = new double[maxOrder + 1];
        for (int k = 0; k <= maxOrder; k++) {
            alpha[k] = m.alpha(k);
        }
        BruteForce ref = new BruteForce(maxOrder, alpha);
        ref.add(t, 0, t.length);
        for (int k = 0; k <= maxOrder; k++) {
            double best = ref.leaveOneOut(k, alpha[k]);
            for (double a = 1e-3; a <= 1e6; a *= 1.25) {
                // The fit uses float lower-order probabilities: allow their rounding.
                assertTrue(ref.leaveOneOut(k, a) <= best + 1e-6 * Math.abs(best),
                        "order " + k + ": alpha " + a + " beats the fitted " + alpha[k]);
            }
            assertTrue(alpha[k] > MarkovBaseline.MIN_ALPHA && alpha[k] <= MarkovBaseline.MAX_ALPHA, "alpha " + alpha[k]);
        }
    }

    @Test
    void periodicSequenceIsLearnedToNearZeroBits() {
        Random rnd = new Random(2);
        byte[] motif = random(rnd, 50, 0);
        byte[] t = new byte[50 * 200];
        for (int i = 0; i < t.length; i++) {
            t[i] = motif[i % 50];
        }
        Holdout h = new Holdout(0.1);
        MarkovBaseline.Counter counter = new MarkovBaseline.Counter(12);
        counter.add(t, 0, h.trainEnd(t.length));
        MarkovBaseline m = counter.build();
        MarkovBaseline.Score s = m.score(t, h.trainEnd(t.length), t.length, m.newScore());
        assertEquals(1000, s.bases());
        assertTrue(s.bitsPerBase(0) > 1.5, "order 0: " + s.bitsPerBase(0));
        assertTrue(s.bitsPerBase(12) < 0.01, "order 12: " + s.bitsPerBase(12));
        assertTrue(s.bestOrder() >= 4, "a high order is best, not " + s.bestOrder());
    }

    @Test
    void memoryEstimatesAndBadInput() {
        assertEquals(4L * 4 + 12 * 4, MarkovBaseline.memoryBytes(0, 1_000_000));
        long previous = 0;
        for (int k = 0; k <= MarkovBaseline.MAX_ORDER; k++) {
            long b = MarkovBaseline.memoryBytes(k, 5_000_000);
            assertTrue(b > previous);
            previous = b;
            assertEquals(k, MarkovBaseline.largestOrderFitting(b, 5_000_000));
        }
        assertTrue(MarkovBaseline.memoryBytes(12, 5_000_000) < 600L << 20, "order 12 stays under 600 MB");
        assertEquals(-1, MarkovBaseline.largestOrderFitting(10, 5_000_000));
        assertThrows(IllegalArgumentException.class, () -> new MarkovBaseline.Counter(13));
        MarkovBaseline.Counter c = new MarkovBaseline.Counter(2);
        assertThrows(IllegalArgumentException.class, () -> c.add(new byte[] {0, NucleotideTokenizer.BOS}, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> c.add(new byte[] {0, 1}, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> c.build(new double[] {1, 0, 1}));
    }
}
