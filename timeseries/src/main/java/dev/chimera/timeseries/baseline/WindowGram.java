package dev.chimera.timeseries.baseline;

/**
 * The normal-equation sums of the last-value-subtracted (NLinear) regression over sliding
 * windows, built from the windows' overlap instead of a (rows x L) design matrix.
 *
 * <p>A window with origin o is the extended vector {@code z_k = y[o - L + k]}, k in [0, K),
 * K = L + H; its last input value is {@code c = z_{L-1}}; the regression's input is
 * {@code x_j = z_j - c} (j < L) and its target {@code t_h = z_{L+h} - c} (h < H). Over a set of
 * windows,
 *
 * <pre>
 *   G[k][l] = sum z_k z_l,   s[k] = sum c z_k,   cc = sum c^2
 *   (X^T X)[i][j] = G[i][j]   - s[i] - s[j]   + cc
 *   (X^T Y)[i][h] = G[i][L+h] - s[i] - s[L+h] + cc
 *   (Y^T Y)[h][h] = G[L+h][L+h] - 2 s[L+h]    + cc
 * </pre>
 *
 * <p>For a run of consecutive origins a..b the windows overlap, so
 * {@code G[k][l] = G[k-1][l-1] - y[a-L+k-1] y[a-L+l-1] + y[b-L+k] y[b-L+l]}: the first row costs
 * O(n K) and every other entry O(1), against O(n K^2 / 2) for forming X^T X from rows (ETTh1,
 * 7 channels x ~7,250 train windows, K = 1,392: about 1.5 x 10^8 operations instead of 5 x 10^10). All sums are in
 * double; the recursion's rounding grows with k by about k ulps of the sums, far below what the
 * ridge's lambda resolves.
 *
 * <p>A window with a NaN anywhere in its K rows is left out; the remaining origins are split into
 * runs of consecutive ones.
 */
final class WindowGram {

    private final int lookback;
    private final int horizon;
    private final int width;
    /** upper triangle used; (K, K). */
    private final double[][] g;
    private final double[] s;  // (K)
    private double cc;
    private long rows;

    WindowGram(int lookback, int horizon) {
        this.lookback = lookback;
        this.horizon = horizon;
        this.width = lookback + horizon;
        this.g = new double[width][width];
        this.s = new double[width];
    }

    /** Adds the windows with origins [firstOrigin, lastOrigin] of one series (NaN windows skipped). */
    void add(double[] y, int firstOrigin, int lastOrigin) {
        if (firstOrigin < lookback || lastOrigin + horizon > y.length) {
            throw new IllegalArgumentException("origins [" + firstOrigin + ", " + lastOrigin + "] with lookback "
                    + lookback + " and horizon " + horizon + " reach outside a series of " + y.length + " rows");
        }
        // nanBefore[t] = number of NaN rows in [0, t)
        int[] nanBefore = new int[y.length + 1];
        for (int t = 0; t < y.length; t++) {
            nanBefore[t + 1] = nanBefore[t] + (Double.isNaN(y[t]) ? 1 : 0);
        }
        int o = firstOrigin;
        while (o <= lastOrigin) {
            if (nanBefore[o + horizon] - nanBefore[o - lookback] != 0) {
                o++;
                continue;
            }
            int end = o;
            while (end + 1 <= lastOrigin && nanBefore[end + 1 + horizon] - nanBefore[end + 1 - lookback] == 0) {
                end++;
            }
            addRun(y, o, end);
            o = end + 1;
        }
    }

    /** Adds the consecutive origins [a, b], all windows free of NaN. */
    private void addRun(double[] y, int a, int b) {
        int base = a - lookback;  // row of z_0 in the first window
        int n = b - a + 1;
        double[] prev = new double[width];  // this run's G row k-1
        double[] cur = new double[width];   // this run's G row k
        for (int o = 0; o < n; o++) {
            int z0 = base + o;
            double c = y[z0 + lookback - 1];
            double first = y[z0];
            for (int l = 0; l < width; l++) {
                double v = y[z0 + l];
                cur[l] += first * v;
                s[l] += c * v;
            }
            cc += c * c;
        }
        addRow(0, cur);
        for (int k = 1; k < width; k++) {
            double[] t = prev;
            prev = cur;
            cur = t;
            double out0 = y[base + k - 1];
            double in0 = y[base + n - 1 + k];
            int outBase = base - 1;
            int inBase = base + n - 1;
            for (int l = k; l < width; l++) {
                cur[l] = prev[l - 1] - out0 * y[outBase + l] + in0 * y[inBase + l];
            }
            addRow(k, cur);
        }
        rows += n;
    }

    private void addRow(int k, double[] row) {
        double[] gk = g[k];
        for (int l = k; l < width; l++) {
            gk[l] += row[l];
        }
    }

    /** Windows added (rows of the regression). */
    long rows() {
        return rows;
    }

    private double gram(int k, int l) {
        return k <= l ? g[k][l] : g[l][k];
    }

    /**
     * X^T X, symmetric; row and column L-1 are exactly 0 (x_{L-1} = c - c is always 0), so the
     * ridge gives that input weight 0. // (L, L)
     */
    double[][] xtx() {
        int L = lookback;
        double[][] a = new double[L][L];
        for (int i = 0; i < L - 1; i++) {
            for (int j = i; j < L - 1; j++) {
                double v = gram(i, j) - s[i] - s[j] + cc;
                a[i][j] = v;
                a[j][i] = v;
            }
        }
        return a;
    }

    /** X^T Y over the first {@code columns} targets; row L-1 is exactly 0. // (L, columns) */
    double[][] xty(int columns) {
        int L = lookback;
        double[][] b = new double[L][columns];
        for (int i = 0; i < L - 1; i++) {
            for (int h = 0; h < columns; h++) {
                b[i][h] = gram(i, L + h) - s[i] - s[L + h] + cc;
            }
        }
        return b;
    }

    /** The targets' sums of squares, sum_windows t_h^2. // (H) */
    double[] yy() {
        double[] d = new double[horizon];
        for (int h = 0; h < horizon; h++) {
            int k = lookback + h;
            d[h] = g[k][k] - 2 * s[k] + cc;
        }
        return d;
    }
}
