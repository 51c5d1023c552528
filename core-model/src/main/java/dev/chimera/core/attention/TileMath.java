package dev.chimera.core.attention;

import dev.chimera.core.kernel.PortableMath;
import dev.chimera.core.kernel.Simd;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The tile kernels of {@link CausalAttention}'s forward and backward passes: small matrix
 * products between one tile of queries and one tile of keys, and the softmax steps between
 * them.
 *
 * <p>Every product has the form "scalar times vector": one operand is read a float at a time
 * from its natural row-major layout (q, k, v, dout rows in their tensors) and broadcast, the
 * other is a scratch tile whose rows are {@link #TILE} floats long, read as vectors. So the
 * lanes always run along a tile of queries or keys (64 = 4 vectors of 16 floats on AVX-512),
 * never along headDim: no lane reductions, no tails for odd head sizes. Each product keeps a
 * 4 x (4 vectors) block of its output in registers while it runs over the contraction axis.
 *
 * <p>Determinism: every output value is one fused multiply-add chain over its contraction
 * index in ascending order, started from zero or from the value stored before, whatever the
 * lane it sits in. The scalar path (a {@code TileMath} made with {@code vector} false, or a
 * vector species whose four vectors do not divide the tile) runs the same chains with
 * {@link Math#fma}, so it computes the same bits as the vector path, at any vector width.
 * Which tile a value sits in, and in which lane, therefore does not change it, which lets the
 * backward pass pick its loop structure freely. Terms that are masked contribute exactly zero
 * (p = exp(-inf) = 0), and adding a zero product leaves a chain unchanged (a chain started at
 * +0 never holds -0), so callers may skip masked row and lane ranges, or include them, without
 * changing a bit.
 *
 * <p>Exponentials use {@link #exp}, a Cephes-style polynomial built only from fused
 * multiply-adds, adds, multiplies, a compare and blend and an integer shift, each exactly
 * specified by IEEE 754 or the Vector API and computed the same way by the compiled vector
 * code, the Java fallback of the Vector API (interpreter, C1) and the scalar version, so its
 * result does not depend on JIT state or thread count (unlike the Vector API's {@code EXP},
 * whose intrinsic and fallback round differently).
 *
 * <p>The path is chosen per instance, so that tests run both in one JVM: the kernels that have
 * a vector and a scalar path are instance methods; the others are static.
 */
final class TileMath {
    /** Rows per tile; also the length of every scratch row. */
    static final int TILE = CausalAttention.TILE;
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** Width of a register block: four vectors. */
    private static final int W = 4 * L;
    /** False for the scalar path: asked for, or forced when four vectors do not divide a tile. */
    private final boolean vector;

    /** The vector kernels if {@code vector} and four vectors divide a tile, else the scalar ones. */
    TileMath(boolean vector) {
        this.vector = vector && TILE % W == 0;
    }

    /** i rounded down to a whole number of vectors (i >= 0). */
    static int floorToVector(int i) {
        return i / L * L;
    }

    /** i rounded up to a whole number of vectors, at most TILE (i >= 0). */
    static int ceilToVector(int i) {
        return Math.min(TILE, (i + L - 1) / L * L);
    }

    /**
     * e^x within 2 ulp for x in [-87.3, 88]; exactly 0 for x below about -87.7 (and for -inf),
     * NaN for NaN. Only for x <= 88 (softmax arguments are <= 0): there is no overflow check.
     * Bit-identical to the vector {@link #exp(FloatVector)} lane by lane ({@link PortableMath}).
     */
    static float exp(float x) {
        return PortableMath.expUpTo88(x);
    }

    /**
     * {@link #exp(float)} lane by lane. The clamp is a compare and blend: {@code max} with
     * Math.max semantics costs several instructions. The loops below carry written-out copies
     * of {@link PortableMath#expUpTo88(FloatVector)}'s body rather than calls: C2 stops inlining
     * a non-{@code @ForceInline} method into a graph that has grown large
     * (NodeCountInliningCutoff), and a call that is not inlined boxes its vectors. Change all
     * copies together: TileMathTest.softmaxStepsMatchTheScalarFormulas pins each copy, bit for
     * bit, against {@link #exp(float)}, and TileMathTest.expIsAccurateAndTheSameInEveryForm pins
     * that to this method lane by lane.
     */
    static FloatVector exp(FloatVector x) {
        return PortableMath.expUpTo88(x);
    }

    /**
     * dst[d*TILE + i] = src[base + i*stride + d] for i < rows, d < k; zero for rows <= i < TILE.
     * Four source rows at a time: each pass reads four rows in order and writes four adjacent
     * floats of each destination row (twice as fast as a column at a time).
     */
    static void transposeIn(float[] src, int base, int stride, int rows, int k, float[] dst) {
        int i = 0;
        for (; i + 4 <= rows; i += 4) {
            int s0 = base + i * stride;
            int s1 = s0 + stride;
            int s2 = s1 + stride;
            int s3 = s2 + stride;
            for (int d = 0; d < k; d++) {
                int o = d * TILE + i;
                dst[o] = src[s0 + d];
                dst[o + 1] = src[s1 + d];
                dst[o + 2] = src[s2 + d];
                dst[o + 3] = src[s3 + d];
            }
        }
        for (; i < rows; i++) {
            int s0 = base + i * stride;
            for (int d = 0; d < k; d++) {
                dst[d * TILE + i] = src[s0 + d];
            }
        }
        if (rows < TILE) {
            for (int d = 0; d < k; d++) {
                Arrays.fill(dst, d * TILE + rows, d * TILE + TILE, 0f);
            }
        }
    }

    /** dst[base + i*stride + d] = src[d*TILE + i] for i < rows, d < k. */
    static void transposeOut(float[] src, int rows, int k, float[] dst, int base, int stride) {
        for (int i = 0; i < rows; i++) {
            int o = base + i * stride;
            for (int d = 0; d < k; d++) {
                dst[o + d] = src[d * TILE + i];
            }
        }
    }

    /**
     * c[r*TILE + j] = sum over d < k, ascending, of a[aBase + r*aStride + d] * b[d*TILE + j],
     * for rows r0 <= r < r1 and lanes lane0 <= j < lane1 (multiples of the vector length, or
     * 0 and TILE): rows of a (natural layout) times a transposed tile b. Other entries of c
     * are left as they were.
     */
    void rowsTimesTile(float[] a, int aBase, int aStride, int r0, int r1, int k, float[] b, float[] c,
                              int lane0, int lane1) {
        if (!vector) {
            for (int r = r0; r < r1; r++) {
                int ao = aBase + r * aStride;
                for (int j = lane0; j < lane1; j++) {
                    float acc = 0f;
                    for (int d = 0; d < k; d++) {
                        acc = Math.fma(a[ao + d], b[d * TILE + j], acc);
                    }
                    c[r * TILE + j] = acc;
                }
            }
            return;
        }
        int c0 = lane0;
        for (; c0 + W <= lane1; c0 += W) {
            int r = r0;
            for (; r + 4 <= r1; r += 4) {
                int a0 = aBase + r * aStride;
                int a1 = a0 + aStride;
                int a2 = a1 + aStride;
                int a3 = a2 + aStride;
                FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
                FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
                FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
                FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
                for (int d = 0; d < k; d++) {
                    int bo = d * TILE + c0;
                    FloatVector b0 = FloatVector.fromArray(S, b, bo);
                    FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
                    FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
                    FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
                    FloatVector x = FloatVector.broadcast(S, a[a0 + d]);
                    c00 = b0.fma(x, c00);
                    c01 = b1.fma(x, c01);
                    c02 = b2.fma(x, c02);
                    c03 = b3.fma(x, c03);
                    x = FloatVector.broadcast(S, a[a1 + d]);
                    c10 = b0.fma(x, c10);
                    c11 = b1.fma(x, c11);
                    c12 = b2.fma(x, c12);
                    c13 = b3.fma(x, c13);
                    x = FloatVector.broadcast(S, a[a2 + d]);
                    c20 = b0.fma(x, c20);
                    c21 = b1.fma(x, c21);
                    c22 = b2.fma(x, c22);
                    c23 = b3.fma(x, c23);
                    x = FloatVector.broadcast(S, a[a3 + d]);
                    c30 = b0.fma(x, c30);
                    c31 = b1.fma(x, c31);
                    c32 = b2.fma(x, c32);
                    c33 = b3.fma(x, c33);
                }
                int co = r * TILE + c0;
                c00.intoArray(c, co);
                c01.intoArray(c, co + L);
                c02.intoArray(c, co + 2 * L);
                c03.intoArray(c, co + 3 * L);
                co += TILE;
                c10.intoArray(c, co);
                c11.intoArray(c, co + L);
                c12.intoArray(c, co + 2 * L);
                c13.intoArray(c, co + 3 * L);
                co += TILE;
                c20.intoArray(c, co);
                c21.intoArray(c, co + L);
                c22.intoArray(c, co + 2 * L);
                c23.intoArray(c, co + 3 * L);
                co += TILE;
                c30.intoArray(c, co);
                c31.intoArray(c, co + L);
                c32.intoArray(c, co + 2 * L);
                c33.intoArray(c, co + 3 * L);
            }
            for (; r < r1; r++) {
                int a0 = aBase + r * aStride;
                FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
                for (int d = 0; d < k; d++) {
                    int bo = d * TILE + c0;
                    FloatVector x = FloatVector.broadcast(S, a[a0 + d]);
                    c00 = FloatVector.fromArray(S, b, bo).fma(x, c00);
                    c01 = FloatVector.fromArray(S, b, bo + L).fma(x, c01);
                    c02 = FloatVector.fromArray(S, b, bo + 2 * L).fma(x, c02);
                    c03 = FloatVector.fromArray(S, b, bo + 3 * L).fma(x, c03);
                }
                int co = r * TILE + c0;
                c00.intoArray(c, co);
                c01.intoArray(c, co + L);
                c02.intoArray(c, co + 2 * L);
                c03.intoArray(c, co + 3 * L);
            }
        }
        if (c0 < lane1) {
            rowsTimesTileNarrow(a, aBase, aStride, r0, r1, k, b, c, c0, lane1);
        }
    }

    /** {@link #rowsTimesTile} for fewer than four vectors of lanes, one vector at a time (tile edges). */
    private static void rowsTimesTileNarrow(float[] a, int aBase, int aStride, int r0, int r1, int k, float[] b,
                                            float[] c, int lane0, int lane1) {
        for (int c0 = lane0; c0 < lane1; c0 += L) {
            int r = r0;
            for (; r + 4 <= r1; r += 4) {
                int a0 = aBase + r * aStride;
                int a1 = a0 + aStride;
                int a2 = a1 + aStride;
                int a3 = a2 + aStride;
                FloatVector c0v = FloatVector.zero(S), c1v = c0v, c2v = c0v, c3v = c0v;
                for (int d = 0; d < k; d++) {
                    FloatVector bv = FloatVector.fromArray(S, b, d * TILE + c0);
                    c0v = bv.fma(FloatVector.broadcast(S, a[a0 + d]), c0v);
                    c1v = bv.fma(FloatVector.broadcast(S, a[a1 + d]), c1v);
                    c2v = bv.fma(FloatVector.broadcast(S, a[a2 + d]), c2v);
                    c3v = bv.fma(FloatVector.broadcast(S, a[a3 + d]), c3v);
                }
                int co = r * TILE + c0;
                c0v.intoArray(c, co);
                c1v.intoArray(c, co + TILE);
                c2v.intoArray(c, co + 2 * TILE);
                c3v.intoArray(c, co + 3 * TILE);
            }
            for (; r < r1; r++) {
                int a0 = aBase + r * aStride;
                FloatVector c0v = FloatVector.zero(S);
                for (int d = 0; d < k; d++) {
                    c0v = FloatVector.fromArray(S, b, d * TILE + c0).fma(FloatVector.broadcast(S, a[a0 + d]), c0v);
                }
                c0v.intoArray(c, r * TILE + c0);
            }
        }
    }

    /**
     * c[d*TILE + j] = c[d*TILE + j] * alpha[j] (skipped when alpha is null), then plus the sum
     * over r0 <= r < r1, ascending, of a[aBase + r*aStride + d] * b[r*TILE + j], for d < k and
     * lanes lane0 <= j < lane1 (multiples of the vector length, or 0 and TILE): a transposed
     * accumulator tile gains (rows of a)^T times a tile b.
     */
    void tileTimesRowsInto(float[] a, int aBase, int aStride, int r0, int r1, int k, float[] b, float[] c,
                                  float[] alpha, int lane0, int lane1) {
        if (!vector) {
            for (int d = 0; d < k; d++) {
                for (int j = lane0; j < lane1; j++) {
                    float acc = c[d * TILE + j];
                    if (alpha != null) {
                        acc *= alpha[j];
                    }
                    for (int r = r0; r < r1; r++) {
                        acc = Math.fma(a[aBase + r * aStride + d], b[r * TILE + j], acc);
                    }
                    c[d * TILE + j] = acc;
                }
            }
            return;
        }
        int c0 = lane0;
        for (; c0 + W <= lane1; c0 += W) {
            FloatVector al0, al1, al2, al3;
            if (alpha != null) {
                al0 = FloatVector.fromArray(S, alpha, c0);
                al1 = FloatVector.fromArray(S, alpha, c0 + L);
                al2 = FloatVector.fromArray(S, alpha, c0 + 2 * L);
                al3 = FloatVector.fromArray(S, alpha, c0 + 3 * L);
            } else {
                al0 = FloatVector.broadcast(S, 1f);
                al1 = al0;
                al2 = al0;
                al3 = al0;
            }
            boolean rescale = alpha != null;
            int d = 0;
            for (; d + 4 <= k; d += 4) {
                int co = d * TILE + c0;
                FloatVector c00 = FloatVector.fromArray(S, c, co);
                FloatVector c01 = FloatVector.fromArray(S, c, co + L);
                FloatVector c02 = FloatVector.fromArray(S, c, co + 2 * L);
                FloatVector c03 = FloatVector.fromArray(S, c, co + 3 * L);
                FloatVector c10 = FloatVector.fromArray(S, c, co + TILE);
                FloatVector c11 = FloatVector.fromArray(S, c, co + TILE + L);
                FloatVector c12 = FloatVector.fromArray(S, c, co + TILE + 2 * L);
                FloatVector c13 = FloatVector.fromArray(S, c, co + TILE + 3 * L);
                FloatVector c20 = FloatVector.fromArray(S, c, co + 2 * TILE);
                FloatVector c21 = FloatVector.fromArray(S, c, co + 2 * TILE + L);
                FloatVector c22 = FloatVector.fromArray(S, c, co + 2 * TILE + 2 * L);
                FloatVector c23 = FloatVector.fromArray(S, c, co + 2 * TILE + 3 * L);
                FloatVector c30 = FloatVector.fromArray(S, c, co + 3 * TILE);
                FloatVector c31 = FloatVector.fromArray(S, c, co + 3 * TILE + L);
                FloatVector c32 = FloatVector.fromArray(S, c, co + 3 * TILE + 2 * L);
                FloatVector c33 = FloatVector.fromArray(S, c, co + 3 * TILE + 3 * L);
                if (rescale) {
                    c00 = c00.mul(al0);
                    c01 = c01.mul(al1);
                    c02 = c02.mul(al2);
                    c03 = c03.mul(al3);
                    c10 = c10.mul(al0);
                    c11 = c11.mul(al1);
                    c12 = c12.mul(al2);
                    c13 = c13.mul(al3);
                    c20 = c20.mul(al0);
                    c21 = c21.mul(al1);
                    c22 = c22.mul(al2);
                    c23 = c23.mul(al3);
                    c30 = c30.mul(al0);
                    c31 = c31.mul(al1);
                    c32 = c32.mul(al2);
                    c33 = c33.mul(al3);
                }
                for (int r = r0; r < r1; r++) {
                    int bo = r * TILE + c0;
                    int ao = aBase + r * aStride + d;
                    FloatVector b0 = FloatVector.fromArray(S, b, bo);
                    FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
                    FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
                    FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
                    FloatVector x = FloatVector.broadcast(S, a[ao]);
                    c00 = b0.fma(x, c00);
                    c01 = b1.fma(x, c01);
                    c02 = b2.fma(x, c02);
                    c03 = b3.fma(x, c03);
                    x = FloatVector.broadcast(S, a[ao + 1]);
                    c10 = b0.fma(x, c10);
                    c11 = b1.fma(x, c11);
                    c12 = b2.fma(x, c12);
                    c13 = b3.fma(x, c13);
                    x = FloatVector.broadcast(S, a[ao + 2]);
                    c20 = b0.fma(x, c20);
                    c21 = b1.fma(x, c21);
                    c22 = b2.fma(x, c22);
                    c23 = b3.fma(x, c23);
                    x = FloatVector.broadcast(S, a[ao + 3]);
                    c30 = b0.fma(x, c30);
                    c31 = b1.fma(x, c31);
                    c32 = b2.fma(x, c32);
                    c33 = b3.fma(x, c33);
                }
                c00.intoArray(c, co);
                c01.intoArray(c, co + L);
                c02.intoArray(c, co + 2 * L);
                c03.intoArray(c, co + 3 * L);
                c10.intoArray(c, co + TILE);
                c11.intoArray(c, co + TILE + L);
                c12.intoArray(c, co + TILE + 2 * L);
                c13.intoArray(c, co + TILE + 3 * L);
                c20.intoArray(c, co + 2 * TILE);
                c21.intoArray(c, co + 2 * TILE + L);
                c22.intoArray(c, co + 2 * TILE + 2 * L);
                c23.intoArray(c, co + 2 * TILE + 3 * L);
                c30.intoArray(c, co + 3 * TILE);
                c31.intoArray(c, co + 3 * TILE + L);
                c32.intoArray(c, co + 3 * TILE + 2 * L);
                c33.intoArray(c, co + 3 * TILE + 3 * L);
            }
            for (; d < k; d++) {
                int co = d * TILE + c0;
                FloatVector c00 = FloatVector.fromArray(S, c, co);
                FloatVector c01 = FloatVector.fromArray(S, c, co + L);
                FloatVector c02 = FloatVector.fromArray(S, c, co + 2 * L);
                FloatVector c03 = FloatVector.fromArray(S, c, co + 3 * L);
                if (rescale) {
                    c00 = c00.mul(al0);
                    c01 = c01.mul(al1);
                    c02 = c02.mul(al2);
                    c03 = c03.mul(al3);
                }
                for (int r = r0; r < r1; r++) {
                    int bo = r * TILE + c0;
                    FloatVector x = FloatVector.broadcast(S, a[aBase + r * aStride + d]);
                    c00 = FloatVector.fromArray(S, b, bo).fma(x, c00);
                    c01 = FloatVector.fromArray(S, b, bo + L).fma(x, c01);
                    c02 = FloatVector.fromArray(S, b, bo + 2 * L).fma(x, c02);
                    c03 = FloatVector.fromArray(S, b, bo + 3 * L).fma(x, c03);
                }
                c00.intoArray(c, co);
                c01.intoArray(c, co + L);
                c02.intoArray(c, co + 2 * L);
                c03.intoArray(c, co + 3 * L);
            }
        }
        if (c0 < lane1) {
            tileTimesRowsIntoNarrow(a, aBase, aStride, r0, r1, k, b, c, alpha, c0, lane1);
        }
    }

    /** {@link #tileTimesRowsInto} for fewer than four vectors of lanes, one vector at a time (tile edges). */
    private static void tileTimesRowsIntoNarrow(float[] a, int aBase, int aStride, int r0, int r1, int k, float[] b,
                                                float[] c, float[] alpha, int lane0, int lane1) {
        for (int c0 = lane0; c0 < lane1; c0 += L) {
            FloatVector al = alpha != null ? FloatVector.fromArray(S, alpha, c0) : FloatVector.broadcast(S, 1f);
            boolean rescale = alpha != null;
            int d = 0;
            for (; d + 4 <= k; d += 4) {
                int co = d * TILE + c0;
                FloatVector c0v = FloatVector.fromArray(S, c, co);
                FloatVector c1v = FloatVector.fromArray(S, c, co + TILE);
                FloatVector c2v = FloatVector.fromArray(S, c, co + 2 * TILE);
                FloatVector c3v = FloatVector.fromArray(S, c, co + 3 * TILE);
                if (rescale) {
                    c0v = c0v.mul(al);
                    c1v = c1v.mul(al);
                    c2v = c2v.mul(al);
                    c3v = c3v.mul(al);
                }
                for (int r = r0; r < r1; r++) {
                    int ao = aBase + r * aStride + d;
                    FloatVector bv = FloatVector.fromArray(S, b, r * TILE + c0);
                    c0v = bv.fma(FloatVector.broadcast(S, a[ao]), c0v);
                    c1v = bv.fma(FloatVector.broadcast(S, a[ao + 1]), c1v);
                    c2v = bv.fma(FloatVector.broadcast(S, a[ao + 2]), c2v);
                    c3v = bv.fma(FloatVector.broadcast(S, a[ao + 3]), c3v);
                }
                c0v.intoArray(c, co);
                c1v.intoArray(c, co + TILE);
                c2v.intoArray(c, co + 2 * TILE);
                c3v.intoArray(c, co + 3 * TILE);
            }
            for (; d < k; d++) {
                int co = d * TILE + c0;
                FloatVector c0v = FloatVector.fromArray(S, c, co);
                if (rescale) {
                    c0v = c0v.mul(al);
                }
                for (int r = r0; r < r1; r++) {
                    c0v = FloatVector.fromArray(S, b, r * TILE + c0)
                            .fma(FloatVector.broadcast(S, a[aBase + r * aStride + d]), c0v);
                }
                c0v.intoArray(c, co);
            }
        }
    }

    /** True when {@link #rowsTimesRowsInto} can run with k values per row. */
    boolean rowsVectorisable(int k) {
        return !vector || k % L == 0;
    }

    /**
     * c[cBase + r*cStride + d] += sum over s0 <= s < s1, ascending, of a[r*TILE + s] * b[bBase + s*bStride + d]
     * for r0 <= r < r1, d < k: rows of a tile a times rows of b, both natural, into natural rows
     * of c. Needs {@link #rowsVectorisable}(k).
     */
    void rowsTimesRowsInto(float[] a, int r0, int r1, int s0, int s1, float[] b, int bBase, int bStride,
                                  int k, float[] c, int cBase, int cStride) {
        if (!vector) {
            for (int r = r0; r < r1; r++) {
                for (int d = 0; d < k; d++) {
                    float acc = c[cBase + r * cStride + d];
                    for (int s = s0; s < s1; s++) {
                        acc = Math.fma(a[r * TILE + s], b[bBase + s * bStride + d], acc);
                    }
                    c[cBase + r * cStride + d] = acc;
                }
            }
            return;
        }
        int d0 = 0;
        for (; d0 + W <= k; d0 += W) {
            int r = r0;
            for (; r + 4 <= r1; r += 4) {
                int co = cBase + r * cStride + d0;
                FloatVector c00 = FloatVector.fromArray(S, c, co);
                FloatVector c01 = FloatVector.fromArray(S, c, co + L);
                FloatVector c02 = FloatVector.fromArray(S, c, co + 2 * L);
                FloatVector c03 = FloatVector.fromArray(S, c, co + 3 * L);
                FloatVector c10 = FloatVector.fromArray(S, c, co + cStride);
                FloatVector c11 = FloatVector.fromArray(S, c, co + cStride + L);
                FloatVector c12 = FloatVector.fromArray(S, c, co + cStride + 2 * L);
                FloatVector c13 = FloatVector.fromArray(S, c, co + cStride + 3 * L);
                FloatVector c20 = FloatVector.fromArray(S, c, co + 2 * cStride);
                FloatVector c21 = FloatVector.fromArray(S, c, co + 2 * cStride + L);
                FloatVector c22 = FloatVector.fromArray(S, c, co + 2 * cStride + 2 * L);
                FloatVector c23 = FloatVector.fromArray(S, c, co + 2 * cStride + 3 * L);
                FloatVector c30 = FloatVector.fromArray(S, c, co + 3 * cStride);
                FloatVector c31 = FloatVector.fromArray(S, c, co + 3 * cStride + L);
                FloatVector c32 = FloatVector.fromArray(S, c, co + 3 * cStride + 2 * L);
                FloatVector c33 = FloatVector.fromArray(S, c, co + 3 * cStride + 3 * L);
                int ao = r * TILE;
                for (int s = s0; s < s1; s++) {
                    int bo = bBase + s * bStride + d0;
                    FloatVector b0 = FloatVector.fromArray(S, b, bo);
                    FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
                    FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
                    FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
                    FloatVector x = FloatVector.broadcast(S, a[ao + s]);
                    c00 = b0.fma(x, c00);
                    c01 = b1.fma(x, c01);
                    c02 = b2.fma(x, c02);
                    c03 = b3.fma(x, c03);
                    x = FloatVector.broadcast(S, a[ao + TILE + s]);
                    c10 = b0.fma(x, c10);
                    c11 = b1.fma(x, c11);
                    c12 = b2.fma(x, c12);
                    c13 = b3.fma(x, c13);
                    x = FloatVector.broadcast(S, a[ao + 2 * TILE + s]);
                    c20 = b0.fma(x, c20);
                    c21 = b1.fma(x, c21);
                    c22 = b2.fma(x, c22);
                    c23 = b3.fma(x, c23);
                    x = FloatVector.broadcast(S, a[ao + 3 * TILE + s]);
                    c30 = b0.fma(x, c30);
                    c31 = b1.fma(x, c31);
                    c32 = b2.fma(x, c32);
                    c33 = b3.fma(x, c33);
                }
                c00.intoArray(c, co);
                c01.intoArray(c, co + L);
                c02.intoArray(c, co + 2 * L);
                c03.intoArray(c, co + 3 * L);
                c10.intoArray(c, co + cStride);
                c11.intoArray(c, co + cStride + L);
                c12.intoArray(c, co + cStride + 2 * L);
                c13.intoArray(c, co + cStride + 3 * L);
                c20.intoArray(c, co + 2 * cStride);
                c21.intoArray(c, co + 2 * cStride + L);
                c22.intoArray(c, co + 2 * cStride + 2 * L);
                c23.intoArray(c, co + 2 * cStride + 3 * L);
                c30.intoArray(c, co + 3 * cStride);
                c31.intoArray(c, co + 3 * cStride + L);
                c32.intoArray(c, co + 3 * cStride + 2 * L);
                c33.intoArray(c, co + 3 * cStride + 3 * L);
            }
            for (; r < r1; r++) {
                int co = cBase + r * cStride + d0;
                FloatVector c00 = FloatVector.fromArray(S, c, co);
                FloatVector c01 = FloatVector.fromArray(S, c, co + L);
                FloatVector c02 = FloatVector.fromArray(S, c, co + 2 * L);
                FloatVector c03 = FloatVector.fromArray(S, c, co + 3 * L);
                for (int s = s0; s < s1; s++) {
                    int bo = bBase + s * bStride + d0;
                    FloatVector x = FloatVector.broadcast(S, a[r * TILE + s]);
                    c00 = FloatVector.fromArray(S, b, bo).fma(x, c00);
                    c01 = FloatVector.fromArray(S, b, bo + L).fma(x, c01);
                    c02 = FloatVector.fromArray(S, b, bo + 2 * L).fma(x, c02);
                    c03 = FloatVector.fromArray(S, b, bo + 3 * L).fma(x, c03);
                }
                c00.intoArray(c, co);
                c01.intoArray(c, co + L);
                c02.intoArray(c, co + 2 * L);
                c03.intoArray(c, co + 3 * L);
            }
        }
        for (; d0 < k; d0 += L) {
            for (int r = r0; r < r1; r++) {
                int co = cBase + r * cStride + d0;
                FloatVector acc = FloatVector.fromArray(S, c, co);
                for (int s = s0; s < s1; s++) {
                    acc = FloatVector.fromArray(S, b, bBase + s * bStride + d0)
                            .fma(FloatVector.broadcast(S, a[r * TILE + s]), acc);
                }
                acc.intoArray(c, co);
            }
        }
    }

    /**
     * out[j] = max over r < rows of s[r*TILE + j] (-inf when rows is 0), four lane vectors side
     * by side for four independent chains. A method of its own: C2 stops inlining Vector API
     * calls into a method once its graph is large, and the exp loop after it must be inlined.
     */
    private static void columnMax(float[] s, int rows, float[] out) {
        for (int c0 = 0; c0 < TILE; c0 += W) {
            FloatVector mx0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), mx1 = mx0, mx2 = mx0, mx3 = mx0;
            for (int r = 0; r < rows; r++) {
                int o = r * TILE + c0;
                FloatVector x0 = FloatVector.fromArray(S, s, o);
                FloatVector x1 = FloatVector.fromArray(S, s, o + L);
                FloatVector x2 = FloatVector.fromArray(S, s, o + 2 * L);
                FloatVector x3 = FloatVector.fromArray(S, s, o + 3 * L);
                mx0 = mx0.blend(x0, x0.compare(VectorOperators.GT, mx0));
                mx1 = mx1.blend(x1, x1.compare(VectorOperators.GT, mx1));
                mx2 = mx2.blend(x2, x2.compare(VectorOperators.GT, mx2));
                mx3 = mx3.blend(x3, x3.compare(VectorOperators.GT, mx3));
            }
            mx0.intoArray(out, c0);
            mx1.intoArray(out, c0 + L);
            mx2.intoArray(out, c0 + 2 * L);
            mx3.intoArray(out, c0 + 3 * L);
        }
    }

    /**
     * One key block's step of the forward online softmax, queries along the lanes. s holds
     * {@code rows} rows of raw scores (q.k, masked entries -inf). Per query lane j: m' = max(m,
     * scale * max_r s), alpha = exp(m - m'), s[r] := exp(scale*s[r] - m') and l := alpha*l +
     * sum_r s[r] (rows ascending); m := m'. alpha is left for rescaling the output accumulator.
     * A lane that has seen only masked keys keeps m = -inf, l = 0.
     */
    void softmaxStep(float[] s, int rows, float scale, float[] m, float[] l, float[] alpha) {
        if (!vector) {
            for (int j = 0; j < TILE; j++) {
                float mx = Float.NEGATIVE_INFINITY;
                for (int r = 0; r < rows; r++) {
                    float x = s[r * TILE + j];
                    mx = x > mx ? x : mx;
                }
                float mOld = m[j];
                float mNew = Math.max(mOld, mx * scale);
                float mUse = Math.max(mNew, -Float.MAX_VALUE);
                float al = exp(mOld - mUse);
                float sum = l[j] * al;
                for (int r = 0; r < rows; r++) {
                    float p = exp(Math.fma(s[r * TILE + j], scale, -mUse));
                    s[r * TILE + j] = p;
                    sum += p;
                }
                m[j] = mNew;
                l[j] = sum;
                alpha[j] = al;
            }
            return;
        }
        columnMax(s, rows, alpha);
        FloatVector sc = FloatVector.broadcast(S, scale);
        // One lane vector at a time, so that exp has only two call sites to inline.
        for (int j = 0; j < TILE; j += L) {
            FloatVector mOld = FloatVector.fromArray(S, m, j);
            FloatVector mNew = mOld.max(FloatVector.fromArray(S, alpha, j).mul(sc));
            FloatVector mUse = mNew.max(-Float.MAX_VALUE);
            // al = exp(alX): the body of exp(FloatVector), written out.
            FloatVector alX = mOld.sub(mUse);
            alX = alX.blend(PortableMath.EXP_LO, alX.compare(VectorOperators.LT, PortableMath.EXP_LO));
            FloatVector alT = alX.fma(PortableMath.LOG2E, PortableMath.MAGIC);
            FloatVector alN = alT.sub(PortableMath.MAGIC);
            FloatVector alR = alN.fma(FloatVector.broadcast(S, -PortableMath.LN2_HI), alX);
            alR = alN.fma(FloatVector.broadcast(S, -PortableMath.LN2_LO), alR);
            FloatVector alP = alR.fma(PortableMath.P0, PortableMath.P1);
            alP = alP.fma(alR, FloatVector.broadcast(S, PortableMath.P2));
            alP = alP.fma(alR, FloatVector.broadcast(S, PortableMath.P3));
            alP = alP.fma(alR, FloatVector.broadcast(S, PortableMath.P4));
            alP = alP.fma(alR, FloatVector.broadcast(S, PortableMath.P5));
            FloatVector al = alP.fma(alR.mul(alR), alR).add(1f)
                    .mul(alT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            FloatVector sum = FloatVector.fromArray(S, l, j).mul(al);
            FloatVector neg = mUse.neg();
            for (int r = 0; r < rows; r++) {
                // p = exp(pX): the body of exp(FloatVector), written out.
                FloatVector pX = FloatVector.fromArray(S, s, r * TILE + j).fma(sc, neg);
                pX = pX.blend(PortableMath.EXP_LO, pX.compare(VectorOperators.LT, PortableMath.EXP_LO));
                FloatVector pT = pX.fma(PortableMath.LOG2E, PortableMath.MAGIC);
                FloatVector pN = pT.sub(PortableMath.MAGIC);
                FloatVector pR = pN.fma(FloatVector.broadcast(S, -PortableMath.LN2_HI), pX);
                pR = pN.fma(FloatVector.broadcast(S, -PortableMath.LN2_LO), pR);
                FloatVector pP = pR.fma(PortableMath.P0, PortableMath.P1);
                pP = pP.fma(pR, FloatVector.broadcast(S, PortableMath.P2));
                pP = pP.fma(pR, FloatVector.broadcast(S, PortableMath.P3));
                pP = pP.fma(pR, FloatVector.broadcast(S, PortableMath.P4));
                pP = pP.fma(pR, FloatVector.broadcast(S, PortableMath.P5));
                FloatVector p = pP.fma(pR.mul(pR), pR).add(1f)
                        .mul(pT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                p.intoArray(s, r * TILE + j);
                sum = sum.add(p);
            }
            mNew.intoArray(m, j);
            sum.intoArray(l, j);
            al.intoArray(alpha, j);
        }
    }

    /**
     * Backward, queries along the lanes (rows are keys): with P = exp(scale*s - lse[j]),
     * dp[r*TILE + j] := (scale*P) * (dp - delta[j]), the score gradient dS times scale.
     * Masked scores (-inf) give P = 0 and so dS = 0. s is left as it was.
     */
    void scoreGradLanes(float[] s, float[] dp, int rows, float scale, float[] lse, float[] delta) {
        if (!vector) {
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < TILE; j++) {
                    int o = r * TILE + j;
                    float p = exp(Math.fma(s[o], scale, -lse[j]));
                    dp[o] = p * scale * (dp[o] - delta[j]);
                }
            }
            return;
        }
        FloatVector sc = FloatVector.broadcast(S, scale);
        for (int j = 0; j < TILE; j += L) {
            FloatVector neg = FloatVector.fromArray(S, lse, j).neg();
            FloatVector dv = FloatVector.fromArray(S, delta, j);
            for (int r = 0; r < rows; r++) {
                int o = r * TILE + j;
                // p = exp(pX): the body of exp(FloatVector), written out.
                FloatVector pX = FloatVector.fromArray(S, s, o).fma(sc, neg);
                pX = pX.blend(PortableMath.EXP_LO, pX.compare(VectorOperators.LT, PortableMath.EXP_LO));
                FloatVector pT = pX.fma(PortableMath.LOG2E, PortableMath.MAGIC);
                FloatVector pN = pT.sub(PortableMath.MAGIC);
                FloatVector pR = pN.fma(FloatVector.broadcast(S, -PortableMath.LN2_HI), pX);
                pR = pN.fma(FloatVector.broadcast(S, -PortableMath.LN2_LO), pR);
                FloatVector pP = pR.fma(PortableMath.P0, PortableMath.P1);
                pP = pP.fma(pR, FloatVector.broadcast(S, PortableMath.P2));
                pP = pP.fma(pR, FloatVector.broadcast(S, PortableMath.P3));
                pP = pP.fma(pR, FloatVector.broadcast(S, PortableMath.P4));
                pP = pP.fma(pR, FloatVector.broadcast(S, PortableMath.P5));
                FloatVector p = pP.fma(pR.mul(pR), pR).add(1f)
                        .mul(pT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                p.mul(scale).mul(FloatVector.fromArray(S, dp, o).sub(dv)).intoArray(dp, o);
            }
        }
    }

    /**
     * Backward, keys along the lanes (rows are queries r with lse[lseOff + r] and
     * delta[deltaOff + r]): s[r*TILE + j] := P = exp(scale*s - lse), dp := (scale*P) * (dp - delta).
     * The same arithmetic as {@link #scoreGradLanes}, value for value.
     */
    void scoreGradRows(float[] s, float[] dp, int rows, float scale, float[] lse, int lseOff,
                              float[] delta, int deltaOff) {
        if (!vector) {
            for (int r = 0; r < rows; r++) {
                float negL = -lse[lseOff + r];
                float dr = delta[deltaOff + r];
                for (int j = 0; j < TILE; j++) {
                    int o = r * TILE + j;
                    float p = exp(Math.fma(s[o], scale, negL));
                    s[o] = p;
                    dp[o] = p * scale * (dp[o] - dr);
                }
            }
            return;
        }
        FloatVector sc = FloatVector.broadcast(S, scale);
        for (int r = 0; r < rows; r++) {
            FloatVector neg = FloatVector.broadcast(S, -lse[lseOff + r]);
            FloatVector dv = FloatVector.broadcast(S, delta[deltaOff + r]);
            for (int j = 0; j < TILE; j += L) {
                int o = r * TILE + j;
                // p = exp(pX): the body of exp(FloatVector), written out.
                FloatVector pX = FloatVector.fromArray(S, s, o).fma(sc, neg);
                pX = pX.blend(PortableMath.EXP_LO, pX.compare(VectorOperators.LT, PortableMath.EXP_LO));
                FloatVector pT = pX.fma(PortableMath.LOG2E, PortableMath.MAGIC);
                FloatVector pN = pT.sub(PortableMath.MAGIC);
                FloatVector pR = pN.fma(FloatVector.broadcast(S, -PortableMath.LN2_HI), pX);
                pR = pN.fma(FloatVector.broadcast(S, -PortableMath.LN2_LO), pR);
                FloatVector pP = pR.fma(PortableMath.P0, PortableMath.P1);
                pP = pP.fma(pR, FloatVector.broadcast(S, PortableMath.P2));
                pP = pP.fma(pR, FloatVector.broadcast(S, PortableMath.P3));
                pP = pP.fma(pR, FloatVector.broadcast(S, PortableMath.P4));
                pP = pP.fma(pR, FloatVector.broadcast(S, PortableMath.P5));
                FloatVector p = pP.fma(pR.mul(pR), pR).add(1f)
                        .mul(pT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                p.intoArray(s, o);
                p.mul(scale).mul(FloatVector.fromArray(S, dp, o).sub(dv)).intoArray(dp, o);
            }
        }
    }

    /**
     * out[outOff + r] = sum over d < k, ascending, of x[xBase + r*stride + d] * y[yBase + r*stride + d]
     * for r < rows: one dot product per row, as a scalar multiply-add chain (four rows side by
     * side), so every path computes the same bits.
     */
    static void rowDots(float[] x, int xBase, float[] y, int yBase, int stride, int rows, int k, float[] out,
                        int outOff) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int x0 = xBase + r * stride;
            int y0 = yBase + r * stride;
            float a0 = 0f;
            float a1 = 0f;
            float a2 = 0f;
            float a3 = 0f;
            for (int d = 0; d < k; d++) {
                a0 = Math.fma(x[x0 + d], y[y0 + d], a0);
                a1 = Math.fma(x[x0 + stride + d], y[y0 + stride + d], a1);
                a2 = Math.fma(x[x0 + 2 * stride + d], y[y0 + 2 * stride + d], a2);
                a3 = Math.fma(x[x0 + 3 * stride + d], y[y0 + 3 * stride + d], a3);
            }
            out[outOff + r] = a0;
            out[outOff + r + 1] = a1;
            out[outOff + r + 2] = a2;
            out[outOff + r + 3] = a3;
        }
        for (; r < rows; r++) {
            int x0 = xBase + r * stride;
            int y0 = yBase + r * stride;
            float a0 = 0f;
            for (int d = 0; d < k; d++) {
                a0 = Math.fma(x[x0 + d], y[y0 + d], a0);
            }
            out[outOff + r] = a0;
        }
    }
}
