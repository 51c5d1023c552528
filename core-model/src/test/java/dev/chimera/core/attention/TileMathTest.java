package dev.chimera.core.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chimera.core.kernel.Simd;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attention tile kernels against plain scalar multiply-add chains written here, bit for
 * bit: whatever path {@link TileMath} takes (vector or scalar, any vector width), every value
 * must be the same chain in the same order, which is what makes the attention results
 * independent of thread count, schedule and JIT state. Also pins the exponential: the vector
 * lanes, the scalar version and the written-out copies inside the kernels agree exactly, and
 * all are within 2 ulp of {@link Math#exp}. Every test runs on the vector kernels and again on
 * the scalar ones.
 */
@ParameterizedClass(name = "vector={0}")
@ValueSource(booleans = {true, false})
class TileMathTest {
    private static final int TILE = TileMath.TILE;
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private final TileMath tiles;

    TileMathTest(boolean vector) {
        this.tiles = new TileMath(vector);
    }

    private static float[] random(SplittableRandom rng, int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextDouble(lo, hi);
        }
        return x;
    }

    private static void assertBits(String what, float[] want, float[] got) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                fail(what + "[" + i + "]: want " + want[i] + ", got " + got[i]);
            }
        }
    }

    /** exp of every lane of x through the vector version. */
    private static float[] vectorExp(float[] x) {
        float[] y = new float[x.length];
        int i = 0;
        for (; i + S.length() <= x.length; i += S.length()) {
            TileMath.exp(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        for (; i < x.length; i++) {
            y[i] = TileMath.exp(FloatVector.broadcast(S, x[i])).lane(0);
        }
        return y;
    }

    @Test
    void expIsAccurateAndTheSameInEveryForm() {
        SplittableRandom rng = new SplittableRandom(5);
        float[] special = {Float.NEGATIVE_INFINITY, -1e30f, -1000f, -100f, -88.5f, -88f, -87.8f, -87.7f, -87.5f,
            -87.33f, -87.3f, -87f, -50f, -10f, -1f, -0.5f, -0.34657359f, -1e-3f, -1e-8f, -0f, 0f, 1e-8f, 1e-3f,
            0.34657359f, 1f, 10f, 50f, 87f, 88f, Float.NaN};
        float[] sweep = random(rng, 200_000, -90, 2);
        float[] grid = new float[90 * 64];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = -88f + i / 64f; // crosses every integer multiple of ln 2 boundary region
        }
        for (float[] x : new float[][] {special, sweep, grid}) {
            float[] v = vectorExp(x);
            float[] s = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                s[i] = TileMath.exp(x[i]);
            }
            assertBits("vector exp vs scalar exp", s, v);
            for (int i = 0; i < x.length; i++) {
                float xi = x[i];
                if (Float.isNaN(xi)) {
                    assertTrue(Float.isNaN(s[i]), "exp(NaN)");
                } else if (xi < -87.75f) {
                    assertEquals(0f, s[i], "exp(" + xi + ") flushes to zero");
                } else if (xi >= -87.3f) {
                    double want = Math.exp(xi);
                    double ulps = Math.abs(s[i] - want) / Math.ulp((float) want);
                    assertTrue(ulps <= 2, "exp(" + xi + ") = " + s[i] + ", Math.exp " + want + ": " + ulps + " ulp");
                } else {
                    // Where e^x is subnormal or the 2^n factor is the smallest normal: tiny and non-negative.
                    assertTrue(s[i] >= 0 && s[i] <= 2e-38f, "exp(" + xi + ") = " + s[i]);
                }
            }
        }
        assertEquals(1f, TileMath.exp(0f));
        assertEquals(1f, TileMath.exp(-0f));
    }

    @ParameterizedTest(name = "rows {0}, k {1}")
    @CsvSource({"64, 64", "1, 8", "3, 17", "5, 64", "62, 24", "64, 1", "0, 16"})
    void productsAreAscendingFmaChains(int rows, int k) {
        SplittableRandom rng = new SplittableRandom(rows * 100L + k);
        int stride = k + 3;
        float[] a = random(rng, 7 + rows * stride, -1, 1); // rows of a at 7 + r*stride, k used
        float[] bT = random(rng, k * TILE, -1, 1);         // (k, TILE)
        // rowsTimesTile: c[r][j] = sum_d a[r][d] * bT[d][j]
        float[] c = random(rng, TILE * TILE, -1, 1);
        float[] want = c.clone();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < TILE; j++) {
                float acc = 0f;
                for (int d = 0; d < k; d++) {
                    acc = Math.fma(a[7 + r * stride + d], bT[d * TILE + j], acc);
                }
                want[r * TILE + j] = acc;
            }
        }
        tiles.rowsTimesTile(a, 7, stride, 0, rows, k, bT, c, 0, TILE);
        assertBits("rowsTimesTile", want, c);

        // tileTimesRowsInto: acc[d][j] = acc[d][j] * alpha[j] + sum_r a[r][d] * p[r][j]
        float[] p = random(rng, TILE * TILE, 0, 1);
        float[] alpha = random(rng, TILE, 0, 1);
        for (float[] al : new float[][] {null, alpha}) {
            float[] acc = random(rng, k * TILE, -1, 1);
            float[] wantAcc = acc.clone();
            for (int d = 0; d < k; d++) {
                for (int j = 0; j < TILE; j++) {
                    float x = wantAcc[d * TILE + j];
                    if (al != null) {
                        x *= al[j];
                    }
                    for (int r = 0; r < rows; r++) {
                        x = Math.fma(a[7 + r * stride + d], p[r * TILE + j], x);
                    }
                    wantAcc[d * TILE + j] = x;
                }
            }
            tiles.tileTimesRowsInto(a, 7, stride, 0, rows, k, p, acc, al, 0, TILE);
            assertBits("tileTimesRowsInto, alpha " + (al != null), wantAcc, acc);
        }

        // rowsTimesRowsInto: out[r][d] += sum_s p[r][s] * b[s][d], natural rows, n keys
        if (tiles.rowsVectorisable(k)) {
            int n = Math.max(1, rows - 1);
            float[] b = random(rng, 2 + n * stride, -1, 1);
            float[] out = random(rng, 5 + rows * stride, -1, 1);
            float[] wantOut = out.clone();
            for (int r = 0; r < rows; r++) {
                for (int d = 0; d < k; d++) {
                    float x = wantOut[5 + r * stride + d];
                    for (int s = 0; s < n; s++) {
                        x = Math.fma(p[r * TILE + s], b[2 + s * stride + d], x);
                    }
                    wantOut[5 + r * stride + d] = x;
                }
            }
            tiles.rowsTimesRowsInto(p, 0, rows, 0, n, b, 2, stride, k, out, 5, stride);
            assertBits("rowsTimesRowsInto", wantOut, out);
        }

        // rowDots: one chain per row of two natural-layout operands
        float[] y = random(rng, 4 + rows * stride, -1, 1);
        float[] dots = random(rng, rows + 2, -1, 1);
        float[] wantDots = dots.clone();
        for (int r = 0; r < rows; r++) {
            float x = 0f;
            for (int d = 0; d < k; d++) {
                x = Math.fma(a[7 + r * stride + d], y[4 + r * stride + d], x);
            }
            wantDots[2 + r] = x;
        }
        TileMath.rowDots(a, 7, y, 4, stride, rows, k, dots, 2);
        assertBits("rowDots", wantDots, dots);
    }

    /**
     * Row and lane ranges (the strips of diagonal and window-edge blocks): the same chains on
     * the entries in range, nothing else touched, through the full-width and the narrow paths.
     */
    @ParameterizedTest(name = "rows [{0}, {1}), lanes [{2}, {3}) rounded to vectors, k {4}")
    @CsvSource({"0, 16, 16, 64, 64", "16, 32, 0, 40, 17", "5, 62, 33, 50, 8", "48, 64, 48, 64, 64", "3, 4, 0, 64, 5",
        "0, 64, 0, 15, 64"})
    void rangesComputeOnlyTheirEntries(int r0, int r1, int laneLo, int laneHi, int k) {
        int lo = TileMath.floorToVector(laneLo);
        int hi = TileMath.ceilToVector(laneHi);
        SplittableRandom rng = new SplittableRandom(r0 * 1000L + laneLo * 10L + k);
        int stride = k + 1;
        float[] a = random(rng, 3 + TILE * stride, -1, 1);
        float[] bT = random(rng, Math.max(k, TILE) * TILE, -1, 1);
        float[] c = random(rng, TILE * TILE, -1, 1);
        float[] want = c.clone();
        for (int r = r0; r < r1; r++) {
            for (int j = lo; j < hi; j++) {
                float acc = 0f;
                for (int d = 0; d < k; d++) {
                    acc = Math.fma(a[3 + r * stride + d], bT[d * TILE + j], acc);
                }
                want[r * TILE + j] = acc;
            }
        }
        tiles.rowsTimesTile(a, 3, stride, r0, r1, k, bT, c, lo, hi);
        assertBits("rowsTimesTile ranges", want, c);

        float[] alpha = random(rng, TILE, 0, 1);
        for (float[] al : new float[][] {null, alpha}) {
            float[] acc = random(rng, k * TILE, -1, 1);
            float[] wantAcc = acc.clone();
            for (int d = 0; d < k; d++) {
                for (int j = lo; j < hi; j++) {
                    float x = wantAcc[d * TILE + j];
                    if (al != null) {
                        x *= al[j];
                    }
                    for (int r = r0; r < r1; r++) {
                        x = Math.fma(a[3 + r * stride + d], bT[r * TILE + j], x);
                    }
                    wantAcc[d * TILE + j] = x;
                }
            }
            tiles.tileTimesRowsInto(a, 3, stride, r0, r1, k, bT, acc, al, lo, hi);
            assertBits("tileTimesRowsInto ranges, alpha " + (al != null), wantAcc, acc);
        }

        if (tiles.rowsVectorisable(k)) {
            int s0 = lo;
            int s1 = Math.min(hi, TILE - 1);
            float[] out = random(rng, TILE * stride, -1, 1);
            float[] wantOut = out.clone();
            for (int r = r0; r < r1; r++) {
                for (int d = 0; d < k; d++) {
                    float x = wantOut[r * stride + d];
                    for (int s = s0; s < s1; s++) {
                        x = Math.fma(bT[r * TILE + s], a[3 + s * stride + d], x);
                    }
                    wantOut[r * stride + d] = x;
                }
            }
            tiles.rowsTimesRowsInto(bT, r0, r1, s0, s1, a, 3, stride, k, out, 0, stride);
            assertBits("rowsTimesRowsInto ranges", wantOut, out);
        }
    }

    @ParameterizedTest(name = "rows {0}")
    @CsvSource({"64", "1", "37"})
    void softmaxStepsMatchTheScalarFormulas(int rows) {
        SplittableRandom rng = new SplittableRandom(rows);
        float scale = 0.125f;
        float[] s = random(rng, TILE * TILE, -60, 60);
        for (int i = 0; i < s.length; i += 5) {
            s[i] = Float.NEGATIVE_INFINITY; // masked
        }
        for (int r = 0; r < rows; r++) {
            s[r * TILE + 3] = Float.NEGATIVE_INFINITY; // lane 3 sees no key in this block
        }
        float[] m = random(rng, TILE, -5, 5);
        float[] l = random(rng, TILE, 1, 10);
        m[3] = Float.NEGATIVE_INFINITY; // and none before: stays -inf, l 0
        l[3] = 0f;
        m[4] = Float.NEGATIVE_INFINITY; // first block for lane 4
        l[4] = 0f;
        float[] ws = s.clone();
        float[] wm = m.clone();
        float[] wl = l.clone();
        float[] wAlpha = new float[TILE];
        for (int j = 0; j < TILE; j++) {
            float mx = Float.NEGATIVE_INFINITY;
            for (int r = 0; r < rows; r++) {
                float x = ws[r * TILE + j];
                mx = x > mx ? x : mx;
            }
            float mNew = Math.max(wm[j], mx * scale);
            float mUse = Math.max(mNew, -Float.MAX_VALUE);
            float al = TileMath.exp(wm[j] - mUse);
            float sum = wl[j] * al;
            for (int r = 0; r < rows; r++) {
                float pr = TileMath.exp(Math.fma(ws[r * TILE + j], scale, -mUse));
                ws[r * TILE + j] = pr;
                sum += pr;
            }
            wm[j] = mNew;
            wl[j] = sum;
            wAlpha[j] = al;
        }
        float[] alpha = new float[TILE];
        tiles.softmaxStep(s, rows, scale, m, l, alpha);
        assertBits("softmax p", ws, s);
        assertBits("softmax m", wm, m);
        assertBits("softmax l", wl, l);
        assertBits("softmax alpha", wAlpha, alpha);
        assertEquals(Float.NEGATIVE_INFINITY, m[3]);
        assertEquals(0f, l[3]);

        float[] lse = random(rng, TILE, 0, 8);
        float[] delta = random(rng, TILE, -1, 1);
        float[] sc = random(rng, TILE * TILE, -60, 60);
        sc[7] = Float.NEGATIVE_INFINITY;
        float[] dp = random(rng, TILE * TILE, -1, 1);
        // Keys along the lanes: rows are queries with their own lse and delta.
        float[] wantS = sc.clone();
        float[] wantDp = dp.clone();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < TILE; j++) {
                int o = r * TILE + j;
                float pr = TileMath.exp(Math.fma(wantS[o], scale, -lse[r]));
                wantS[o] = pr;
                wantDp[o] = pr * scale * (wantDp[o] - delta[r]);
            }
        }
        float[] gs = sc.clone();
        float[] gdp = dp.clone();
        tiles.scoreGradRows(gs, gdp, rows, scale, lse, 0, delta, 0);
        assertBits("scoreGradRows p", wantS, gs);
        assertBits("scoreGradRows ds", wantDp, gdp);
        assertEquals(0f, Math.abs(gdp[7]), "masked score has no gradient");
        // Queries along the lanes: transposing the block gives the same values.
        float[] tS = new float[TILE * TILE];
        float[] tDp = new float[TILE * TILE];
        float[] laneLse = new float[TILE];
        float[] laneDelta = new float[TILE];
        for (int r = 0; r < rows; r++) {
            laneLse[r] = lse[r];
            laneDelta[r] = delta[r];
            for (int j = 0; j < TILE; j++) {
                tS[j * TILE + r] = sc[r * TILE + j];
                tDp[j * TILE + r] = dp[r * TILE + j];
            }
        }
        tiles.scoreGradLanes(tS, tDp, TILE, scale, laneLse, laneDelta);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < TILE; j++) {
                if (Float.floatToRawIntBits(tDp[j * TILE + r]) != Float.floatToRawIntBits(wantDp[r * TILE + j])) {
                    fail("scoreGradLanes at query " + r + ", key " + j + ": " + tDp[j * TILE + r] + " vs "
                            + wantDp[r * TILE + j]);
                }
            }
        }
    }
}
