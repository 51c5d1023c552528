package dev.chimera.genomics;

/**
 * Order-k Markov models of DNA over A, C, G, T for every k = 0..maxOrder at once, the baseline a DNA
 * language model has to beat in bits per base. Smoothing is PPM-style blending of the orders as
 * interpolated Dirichlet smoothing (MacKay &amp; Peto 1995, "A hierarchical Dirichlet language
 * model"): with h a context of k bases, h' the same without its oldest base, c(h, s) the count of base
 * s after h in the training data and c(h) = sum over s of c(h, s),
 *
 * <pre>
 *   P_k(s | h) = (c(h, s) + alpha_k * P_{k-1}(s | h')) / (c(h) + alpha_k)        P_{-1}(s) = 1/4
 * </pre>
 *
 * so a context seen c(h) times escapes to the order below with weight alpha_k / (c(h) + alpha_k),
 * and each P_k(. | h) sums to 1 over A, C, G, T. One concentration alpha_k per order, fitted on the
 * training counts by leave-one-out: alpha_k maximises
 *
 * <pre>
 *   sum over (h, s) of c(h, s) * log[(c(h, s) - 1 + alpha_k P_{k-1}(s | h')) / (c(h) - 1 + alpha_k)]
 * </pre>
 *
 * (each training event predicted from the counts without it; contexts seen once carry no
 * information and are left out; P_{k-1} is the fitted order below, with its counts), solved by
 * bisection on the derivative over alpha in [1e-3, 1e6]; {@link #DEFAULT_ALPHA} where no context was
 * seen twice.
 *
 * <p>Why not Kneser-Ney: absolute discounts (D &lt;= 3 per count) cannot pull a context seen a few
 * dozen times with a near-uniform next base back to the order below, which DNA needs; interpolated
 * modified Kneser-Ney (Chen &amp; Goodman's discounts) was measured on E. coli (last 10% held out) at
 * best 1.934 bits/base at order 6, getting worse above it (2.10 at order 11), where this model
 * improves with every order to order 12.
 *
 * <p>N and context: an N (or anything masked to N) is not scored and breaks the context, so the
 * bases after it see only the bases since the N; a base with fewer than k bases of context (the start
 * of a record, just after an N) is predicted by the highest order its context allows.
 *
 * <p>Memory: order j keeps an int table of 4^(j+1) counts (order 12: 268 MB, all orders 358 MB);
 * fitting needs two float probability tables and the observed entries of one order on top
 * ({@link #memoryBytes}). Counts are int: at most {@link Integer#MAX_VALUE} training positions.
 */
public final class MarkovBaseline {
    /** The highest order the tables are built for (4^13 ints = 268 MB for the top table). */
    public static final int MAX_ORDER = 12;
    /** The concentration of an order none of whose contexts was seen twice. */
    public static final double DEFAULT_ALPHA = 1.0;
    /** The range alpha is fitted in. */
    public static final double MIN_ALPHA = 1e-3;
    public static final double MAX_ALPHA = 1e6;

    private static final double LN2 = Math.log(2);

    private final int maxOrder;
    private final int[][] counts; // counts[j]: (4^j contexts, 4 bases), index (context << 2) | base
    private final double[] alpha; // (maxOrder + 1)
    private final long trainPositions;

    private MarkovBaseline(int maxOrder, int[][] counts, double[] alpha, long trainPositions) {
        this.maxOrder = maxOrder;
        this.counts = counts;
        this.alpha = alpha;
        this.trainPositions = trainPositions;
    }

    /** Heap needed to count and fit orders 0..maxOrder on {@code trainPositions} bases, in bytes. */
    public static long memoryBytes(int maxOrder, long trainPositions) {
        checkOrder(maxOrder, MAX_ORDER);
        long counts = 0;
        for (int j = 0; j <= maxOrder; j++) {
            counts += 4L * entries(j);
        }
        // Fitting order k holds P_{k-1} and builds P_k (floats), and 12 bytes per observed entry of order k.
        long tables = maxOrder == 0 ? 0 : 4L * (entries(maxOrder - 1) + (maxOrder >= 2 ? entries(maxOrder - 2) : 0));
        long observed = 12L * Math.min(trainPositions, entries(maxOrder));
        return counts + tables + observed;
    }

    /** The highest order whose {@link #memoryBytes} fit in {@code bytes}, or -1 if not even order 0 does. */
    public static int largestOrderFitting(long bytes, long trainPositions) {
        for (int k = MAX_ORDER; k >= 0; k--) {
            if (memoryBytes(k, trainPositions) <= bytes) {
                return k;
            }
        }
        return -1;
    }

    /** Entries (context, base) of order j: 4^(j+1). */
    private static long entries(int j) {
        return 4L << (2 * j);
    }

    private static void checkOrder(int order, int max) {
        if (order < 0 || order > max) {
            throw new IllegalArgumentException("Markov order must be in 0.." + max + ", got " + order);
        }
    }

    /** Accumulates counts; {@link #build} turns them into the smoothed models. */
    public static final class Counter {
        private final int maxOrder;
        private final int[][] counts;
        private long positions;
        private boolean built;

        public Counter(int maxOrder) {
            checkOrder(maxOrder, MAX_ORDER);
            this.maxOrder = maxOrder;
            this.counts = new int[maxOrder + 1][];
            for (int j = 0; j <= maxOrder; j++) {
                counts[j] = new int[(int) entries(j)];
            }
        }

        /**
         * Counts the bases at positions [from, to) of {@code tokens}, each after the up to maxOrder
         * bases before it (which may lie before {@code from}). Tokens are A C G T N; N is not counted
         * and breaks the context.
         */
        public void add(byte[] tokens, int from, int to) {
            if (built) {
                throw new IllegalStateException("counts already built");
            }
            checkRange(tokens, from, to);
            if (positions + (to - from) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("more than " + Integer.MAX_VALUE + " training bases; the int "
                        + "counts of the Markov baseline could overflow");
            }
            int mask = (1 << (2 * maxOrder)) - 1;
            int ctx = 0;
            int run = 0;
            for (int i = Math.max(0, from - maxOrder); i < to; i++) {
                int s = tokens[i];
                if (s == NucleotideTokenizer.N) {
                    ctx = 0;
                    run = 0;
                    continue;
                }
                if (i >= from) {
                    int m = Math.min(run, maxOrder);
                    for (int j = 0; j <= m; j++) {
                        counts[j][((ctx & ((1 << (2 * j)) - 1)) << 2) | s]++;
                    }
                    positions++;
                }
                ctx = ((ctx << 2) | s) & mask;
                run++;
            }
        }

        /** Bases counted so far. */
        public long positions() {
            return positions;
        }

        /** The models with every alpha fitted by leave-one-out; the counter cannot be used afterwards. */
        public MarkovBaseline build() {
            built = true;
            return new MarkovBaseline(maxOrder, counts, fitAlphas(counts), positions);
        }

        /** The models with the given alpha per order 0..maxOrder (for tests and experiments). */
        public MarkovBaseline build(double[] alphas) {
            if (alphas.length != maxOrder + 1) {
                throw new IllegalArgumentException("need " + (maxOrder + 1) + " alphas, got " + alphas.length);
            }
            for (double a : alphas) {
                if (!(a > 0) || Double.isInfinite(a)) {
                    throw new IllegalArgumentException("alpha must be positive and finite, got " + a);
                }
            }
            built = true;
            return new MarkovBaseline(maxOrder, counts, alphas.clone(), positions);
        }
    }

    private static void checkRange(byte[] tokens, int from, int to) {
        if (from < 0 || to > tokens.length || from > to) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") outside 0.." + tokens.length);
        }
        for (int i = Math.max(0, from - MAX_ORDER); i < to; i++) {
            if (tokens[i] < NucleotideTokenizer.A || tokens[i] > NucleotideTokenizer.N) {
                throw new IllegalArgumentException("token " + tokens[i] + " at index " + i
                        + " is not a base (A C G T N); the Markov baseline reads bases only");
            }
        }
    }

    public int maxOrder() {
        return maxOrder;
    }

    /** Bases the models were trained on. */
    public long trainPositions() {
        return trainPositions;
    }

    /** The concentration alpha_k of order {@code order}. */
    public double alpha(int order) {
        checkOrder(order, maxOrder);
        return alpha[order];
    }

    /** The count of base {@code s} after {@code context} (most recent base last, {@code context.length} = order). */
    public int count(byte[] context, int s) {
        checkOrder(context.length, maxOrder);
        int ctx = 0;
        for (byte b : context) {
            if (b < NucleotideTokenizer.A || b > NucleotideTokenizer.T) {
                throw new IllegalArgumentException("context token " + b + " is not A C G or T");
            }
            ctx = ctx << 2 | b;
        }
        return counts[context.length][(ctx << 2) | s];
    }

    /**
     * P_order(s | context) for s = A, C, G, T, where {@code context} holds the preceding bases, the
     * most recent last (only the last {@code order} are used; an N cuts off what lies before it).
     */
    public double[] distribution(int order, byte[] context) {
        checkOrder(order, maxOrder);
        int ctx = 0;
        int run = 0;
        for (byte b : context) {
            if (b == NucleotideTokenizer.N) {
                ctx = 0;
                run = 0;
            } else if (b >= NucleotideTokenizer.A && b <= NucleotideTokenizer.T) {
                ctx = (ctx << 2 | b) & ((1 << (2 * maxOrder)) - 1);
                run++;
            } else {
                throw new IllegalArgumentException("context token " + b + " is not a base (A C G T N)");
            }
        }
        int top = Math.min(order, run);
        double[] p = new double[4];
        for (int s = 0; s < 4; s++) {
            double q = 0.25;
            for (int j = 0; j <= top; j++) {
                q = mix(counts[j], (ctx & ((1 << (2 * j)) - 1)) << 2, s, alpha[j], q);
            }
            p[s] = q;
        }
        return p;
    }

    /**
     * Adds to {@code score} the bits every order 0..maxOrder spends on the bases at positions
     * [from, to) of {@code tokens}, each given the bases before it (which may lie before {@code from}).
     * N positions are counted as skipped and not scored.
     */
    public Score score(byte[] tokens, int from, int to, Score score) {
        checkRange(tokens, from, to);
        if (score.bits.length != maxOrder + 1) {
            throw new IllegalArgumentException("score has " + score.bits.length + " orders, the model " + (maxOrder + 1));
        }
        int mask = (1 << (2 * maxOrder)) - 1;
        int ctx = 0;
        int run = 0;
        double[] nats = new double[maxOrder + 1];
        for (int i = Math.max(0, from - maxOrder); i < to; i++) {
            int s = tokens[i];
            if (s == NucleotideTokenizer.N) {
                ctx = 0;
                run = 0;
                if (i >= from) {
                    score.skipped++;
                }
                continue;
            }
            if (i >= from) {
                int m = Math.min(run, maxOrder);
                double p = 0.25;
                for (int j = 0; j <= m; j++) {
                    p = mix(counts[j], (ctx & ((1 << (2 * j)) - 1)) << 2, s, alpha[j], p);
                    nats[j] -= Math.log(p);
                }
                double rest = -Math.log(p);
                for (int k = m + 1; k <= maxOrder; k++) {
                    nats[k] += rest;
                }
                score.bases++;
            }
            ctx = ((ctx << 2) | s) & mask;
            run++;
        }
        for (int k = 0; k <= maxOrder; k++) {
            score.bits[k] += nats[k] / LN2;
        }
        return score;
    }

    /** A fresh, empty score for this model's orders. */
    public Score newScore() {
        return new Score(maxOrder);
    }

    /** Bits spent by each order on the scored bases. */
    public static final class Score {
        private final double[] bits;
        private long bases;
        private long skipped;

        public Score(int maxOrder) {
            this.bits = new double[maxOrder + 1];
        }

        /** Bases scored (A, C, G, T positions). */
        public long bases() {
            return bases;
        }

        /** N positions passed over. */
        public long skipped() {
            return skipped;
        }

        public int maxOrder() {
            return bits.length - 1;
        }

        /** Total bits of order {@code order}. */
        public double bits(int order) {
            return bits[order];
        }

        /** Bits per scored base of order {@code order}; NaN if nothing was scored. */
        public double bitsPerBase(int order) {
            return bases == 0 ? Double.NaN : bits[order] / bases;
        }

        /** The order with the fewest bits (the lowest such order on a tie). */
        public int bestOrder() {
            int best = 0;
            for (int k = 1; k < bits.length; k++) {
                if (bits[k] < bits[best]) {
                    best = k;
                }
            }
            return best;
        }
    }

    // ------------------------------------------------------------------ smoothing

    /** (c(h, s) + alpha * lower) / (c(h) + alpha) for the context whose entries start at {@code base}. */
    private static double mix(int[] table, int base, int s, double alpha, double lower) {
        double total = (double) table[base] + table[base + 1] + table[base + 2] + table[base + 3];
        return (table[base + s] + alpha * lower) / (total + alpha);
    }

    /** Fits alpha_0..alpha_K bottom-up, each given the fitted orders below it. */
    static double[] fitAlphas(int[][] counts) {
        int maxOrder = counts.length - 1;
        double[] alpha = new double[maxOrder + 1];
        float[] lower = null; // P_{k-1}(s | h') for every entry of order k - 1; null = uniform
        for (int k = 0; k <= maxOrder; k++) {
            alpha[k] = fitAlpha(counts[k], lower);
            if (k < maxOrder) {
                lower = probabilities(counts[k], alpha[k], lower);
            }
        }
        return alpha;
    }

    /** P_k for every entry of one order's table, as floats (the lower-order input of the next fit). */
    private static float[] probabilities(int[] table, double alpha, float[] lower) {
        float[] p = new float[table.length];
        int lowMask = lower == null ? 0 : lower.length - 1;
        for (int b = 0; b < table.length; b += 4) {
            double total = (double) table[b] + table[b + 1] + table[b + 2] + table[b + 3];
            for (int s = 0; s < 4; s++) {
                double q = lower == null ? 0.25 : lower[(b + s) & lowMask];
                p[b + s] = (float) ((table[b + s] + alpha * q) / (total + alpha));
            }
        }
        return p;
    }

    /**
     * The leave-one-out alpha of one order. With x = log alpha the objective's derivative in alpha,
     * sum over entries of c p / (c - 1 + alpha p) minus sum over contexts of c(h) / (c(h) - 1 + alpha),
     * is found a zero of by bisection (40 halvings of [log 1e-3, log 1e6]).
     */
    static double fitAlpha(int[] table, float[] lower) {
        int lowMask = lower == null ? 0 : lower.length - 1;
        int entries = 0;
        int contexts = 0;
        for (int b = 0; b < table.length; b += 4) {
            int total = table[b] + table[b + 1] + table[b + 2] + table[b + 3];
            if (total >= 2) {
                contexts++;
                for (int s = 0; s < 4; s++) {
                    entries += table[b + s] > 0 ? 1 : 0;
                }
            }
        }
        if (contexts == 0) {
            return DEFAULT_ALPHA;
        }
        int[] c = new int[entries];
        float[] p = new float[entries];
        int[] totals = new int[contexts];
        int e = 0;
        int h = 0;
        for (int b = 0; b < table.length; b += 4) {
            int total = table[b] + table[b + 1] + table[b + 2] + table[b + 3];
            if (total >= 2) {
                totals[h++] = total;
                for (int s = 0; s < 4; s++) {
                    if (table[b + s] > 0) {
                        c[e] = table[b + s];
                        p[e] = lower == null ? 0.25f : lower[(b + s) & lowMask];
                        e++;
                    }
                }
            }
        }
        double lo = Math.log(MIN_ALPHA);
        double hi = Math.log(MAX_ALPHA);
        if (slope(Math.exp(hi), c, p, totals) > 0) {
            return MAX_ALPHA;
        }
        if (slope(Math.exp(lo), c, p, totals) < 0) {
            return MIN_ALPHA;
        }
        for (int it = 0; it < 40; it++) {
            double mid = 0.5 * (lo + hi);
            if (slope(Math.exp(mid), c, p, totals) > 0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.exp(0.5 * (lo + hi));
    }

    /** d/d(alpha) of the leave-one-out log likelihood. */
    private static double slope(double alpha, int[] c, float[] p, int[] totals) {
        double g = 0;
        for (int i = 0; i < c.length; i++) {
            g += c[i] * p[i] / (c[i] - 1 + alpha * p[i]);
        }
        for (int total : totals) {
            g -= total / (total - 1 + alpha);
        }
        return g;
    }
}
