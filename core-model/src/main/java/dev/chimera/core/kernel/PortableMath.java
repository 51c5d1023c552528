package dev.chimera.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, sigmoid, softplus and tanh on float vectors built only from operations that IEEE 754
 * and the Vector API specify exactly (add, multiply, divide, fused multiply-add, compare, blend,
 * integer shift), so the compiled vector code (C2) and the Vector API's Java fallback (the
 * interpreter and C1, before a method is hot) compute the same bits.
 *
 * <p>The Vector API's own {@code EXP}, {@code TANH} and {@code LOG1P} call Intel's SVML once
 * compiled and {@link Math} in the fallback; the two round differently, so a training step's
 * result depended on how warm the JIT was, and a run resumed in a fresh process could not repeat
 * the uninterrupted one bit for bit. The exponential is Cephes' expf polynomial (within 2 ulp);
 * tanh for |x| < 0.625 is Cephes' tanhf polynomial; log1p on (0, 1] is 2 atanh(s), s = e/(2+e),
 * by its odd series to s^15 (truncation below 1e-8 relative for s <= 1/3).
 */
public final class PortableMath {
    private static final VectorSpecies<Float> S = Simd.FLOAT;

    public static final float LOG2E = 1.44269504088896341f;
    /** 1.5 * 2^23 + 127: adding it rounds x*log2(e) to an integer n, leaving n + 127 in the low mantissa bits. */
    public static final float MAGIC = 12583039f;
    public static final float LN2_HI = 0.693359375f;
    public static final float LN2_LO = -2.12194440e-4f;
    public static final float P0 = 1.9875691500e-4f;
    public static final float P1 = 1.3981999507e-3f;
    public static final float P2 = 8.3334519073e-3f;
    public static final float P3 = 4.1665795894e-2f;
    public static final float P4 = 1.6666665459e-1f;
    public static final float P5 = 5.0000001201e-1f;
    /** Below this exp underflows to exactly 0 (n = -127 gives the bit pattern of +0). */
    public static final float EXP_LO = -88f;
    /** Above this e^x overflows a float. */
    private static final float EXP_HI = 88.72283905206835f;
    private static final float TANH_SMALL = 0.625f;

    private PortableMath() {
    }

    /** e^x for x <= 88 (within 2 ulp; exactly 0 below about -87.7 and for -inf; NaN for NaN); no overflow check. */
    public static float expUpTo88(float x) {
        float xc = x < EXP_LO ? EXP_LO : x;
        float t = Math.fma(xc, LOG2E, MAGIC);
        float n = t - MAGIC;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = Math.fma(p, r * r, r) + 1f;
        return y * Float.intBitsToFloat(Float.floatToRawIntBits(t) << 23);
    }

    /** {@link #expUpTo88(float)} lane by lane, bit for bit. */
    public static FloatVector expUpTo88(FloatVector x) {
        FloatVector xc = x.blend(EXP_LO, x.compare(VectorOperators.LT, EXP_LO));
        FloatVector t = xc.fma(LOG2E, MAGIC);
        FloatVector n = t.sub(MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(S, P2));
        p = p.fma(r, FloatVector.broadcast(S, P3));
        p = p.fma(r, FloatVector.broadcast(S, P4));
        p = p.fma(r, FloatVector.broadcast(S, P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        FloatVector pow = t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(pow);
    }

    /** e^x for any x: (e^(x/2))^2 (within 5 ulp), +inf above the float range. */
    public static FloatVector exp(FloatVector x) {
        FloatVector half = expUpTo88(x.mul(0.5f));
        return half.mul(half).blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI));
    }

    /** 1 / (1 + e^-x), from e = e^-|x| so nothing overflows: 1/(1+e) for x >= 0, e/(1+e) below. */
    public static FloatVector sigmoid(FloatVector x) {
        FloatVector e = expUpTo88(x.abs().neg());
        FloatVector s = FloatVector.broadcast(S, 1f).div(e.add(1f));
        return s.blend(e.mul(s), x.compare(VectorOperators.LT, 0f));
    }

    /** log(1 + e^x) = max(x, 0) + log1p(e^-|x|). */
    public static FloatVector softplus(FloatVector x) {
        return x.max(0f).add(log1pUnit(expUpTo88(x.abs().neg())));
    }

    /** log(1 + e) for e in [0, 1]: 2 atanh(s) with s = e / (2 + e) <= 1/3. */
    private static FloatVector log1pUnit(FloatVector e) {
        FloatVector s = e.div(e.add(2f));
        FloatVector s2 = s.mul(s);
        FloatVector p = s2.fma(1f / 15, 1f / 13);
        p = p.fma(s2, FloatVector.broadcast(S, 1f / 11));
        p = p.fma(s2, FloatVector.broadcast(S, 1f / 9));
        p = p.fma(s2, FloatVector.broadcast(S, 1f / 7));
        p = p.fma(s2, FloatVector.broadcast(S, 1f / 5));
        p = p.fma(s2, FloatVector.broadcast(S, 1f / 3));
        return p.mul(s2).fma(s, s).mul(2f);
    }

    /** tanh x: Cephes' odd polynomial below |x| = 0.625, (1 - e)/(1 + e) with e = e^(-2|x|) above, sign restored. */
    public static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = z.fma(-5.70498872745e-3f, 2.06390887954e-2f);
        p = p.fma(z, FloatVector.broadcast(S, -5.37397155531e-2f));
        p = p.fma(z, FloatVector.broadcast(S, 1.33314422036e-1f));
        p = p.fma(z, FloatVector.broadcast(S, -3.33332819422e-1f));
        FloatVector small = p.mul(z).fma(x, x);
        FloatVector e = expUpTo88(a.mul(-2f));
        FloatVector large = FloatVector.broadcast(S, 1f).sub(e).div(e.add(1f));
        VectorMask<Float> negative = x.compare(VectorOperators.LT, 0f);
        large = large.blend(large.neg(), negative);
        return large.blend(small, a.compare(VectorOperators.LT, TANH_SMALL));
    }
}
