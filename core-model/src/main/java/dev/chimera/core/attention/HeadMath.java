package dev.chimera.core.attention;

import dev.chimera.core.kernel.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-head vector operations of the decoding step: dot products and axpys over one
 * head's {@code headDim} values (Vector API over {@link Simd#FLOAT}, scalar tails), and the
 * online-softmax fold of one block of keys into a query row (FlashAttention-2, Dao 2023,
 * Algorithm 1, lines 8-10). One query row at a time suits decoding; the tiled forward and
 * backward passes use the tile products of {@link TileMath} instead, which compute the same
 * quantities with their own rounding (a polynomial exponential, other summation orders).
 *
 * <p>Exponentials use {@link Math#exp}, not the Vector API's {@code EXP}: that operation's
 * compiled intrinsic and its interpreted fallback round differently, so results would depend
 * on JIT state and runs would not be bit-reproducible.
 *
 * <p>The path is chosen per instance, so that tests run both in one JVM.
 */
final class HeadMath {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** False for the scalar path: the vector loops are skipped and the scalar tails do all the work. */
    private final boolean vector;

    HeadMath(boolean vector) {
        this.vector = vector;
    }

    /** sum_i a[ao + i] * b[bo + i] over i in [0, n). */
    float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = vector ? S.loopBound(n) : 0; i < end; i += L) {
            acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    /** y[yo + i] += alpha * x[xo + i] over i in [0, n). */
    void axpy(float[] y, int yo, float alpha, float[] x, int xo, int n) {
        FloatVector a = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (int end = vector ? S.loopBound(n) : 0; i < end; i += L) {
            FloatVector.fromArray(S, x, xo + i).fma(a, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += alpha * x[xo + i];
        }
    }

    /** y[yo + i] *= alpha over i in [0, n). */
    void scale(float[] y, int yo, float alpha, int n) {
        int i = 0;
        for (int end = vector ? S.loopBound(n) : 0; i < end; i += L) {
            FloatVector.fromArray(S, y, yo + i).mul(alpha).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] *= alpha;
        }
    }

    /**
     * Folds {@code n} keys into one query row's running softmax. Keys and values are rows of
     * {@code headDim} floats at {@code ko + i*stride} and {@code vo + i*stride}. The row's state is
     * {@code ml[r]} = m (running max of the scaled scores, -inf before the first block),
     * {@code ml[r+1]} = l (sum of exp(score - m)) and the unnormalised output acc at {@code o[oo..]}.
     * With m' = max(m, max_i s_i): acc = exp(m - m')*acc + sum_i exp(s_i - m')*v_i, and l likewise;
     * the division by l is left to the caller, once per row (FlashAttention-2's delayed rescaling).
     *
     * @param scores scratch of at least n floats
     */
    void foldBlock(float[] q, int qo, float[] k, int ko, float[] v, int vo, int stride, int n, int headDim,
                          float scale, float[] scores, float[] o, int oo, float[] ml, int r) {
        float blockMax = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float s = dot(q, qo, k, ko + i * stride, headDim) * scale;
            scores[i] = s;
            blockMax = Math.max(blockMax, s);
        }
        float mOld = ml[r];
        float mNew = Math.max(mOld, blockMax);
        float l = ml[r + 1];
        if (mNew != mOld) {
            // exp(-inf) = 0 on the first block, where acc and l are still zero.
            float alpha = (float) Math.exp(mOld - mNew);
            scale(o, oo, alpha, headDim);
            l *= alpha;
        }
        for (int i = 0; i < n; i++) {
            float p = (float) Math.exp(scores[i] - mNew);
            l += p;
            axpy(o, oo, p, v, vo + i * stride, headDim);
        }
        ml[r] = mNew;
        ml[r + 1] = l;
    }
}
