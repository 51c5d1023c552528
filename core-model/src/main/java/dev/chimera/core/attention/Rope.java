package dev.chimera.core.attention;

import dev.chimera.core.backend.RotaryOp;
import dev.chimera.core.kernel.Simd;
import dev.chimera.core.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rotary position embeddings (RoFormer, Su et al. 2021), applied in place to queries and keys.
 *
 * <p>Convention: rotate-half, as in Hugging Face Llama and GPT-NeoX. Within each head of
 * headDim = 2*half values, element i is paired with element i + half and the pair is rotated
 * by the angle pos * theta_i, theta_i = base^(-2i/headDim):
 * <pre>
 *   y_i        = x_i * cos - x_{i+half} * sin
 *   y_{i+half} = x_{i+half} * cos + x_i * sin
 * </pre>
 * Meta's reference Llama rotates adjacent pairs (2i, 2i+1) instead; the two are the same
 * model up to a fixed permutation of the rows of the q and k projections. Because the pairs
 * rotate by angles linear in the position, q_t . k_s after RoPE depends only on t - s.
 *
 * <p>cos and sin are tabulated once for positions [0, maxPositions), computed in double and
 * rounded to float. A position at or beyond maxPositions (a windowed layer reading a
 * chromosome, whose positions have no bound) is computed on the fly by the same formula, so it
 * gets exactly the value the table would hold; the table never grows. The last positions so
 * computed are kept per thread, so that rotating q and then k of one chunk computes them once.
 * Negative positions, and positions past 2^31 - 1, are errors. The vector or scalar rotation
 * loop is chosen per instance; both evaluate the same float expression for every element.
 */
public final class Rope implements RotaryOp {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();

    private final int headDim;
    private final int half;
    private final int maxPositions;
    private final double base;
    private final float[] cos; // (maxPositions, half)
    private final float[] sin; // (maxPositions, half)
    private final double[] theta; // (half) base^(-2i/headDim)
    /** False for the scalar path: the scalar loop then rotates every pair. */
    private final boolean vector;
    /** Per thread: cos and sin of the positions beyond the table that were last computed. */
    private final ThreadLocal<Extension> extension = ThreadLocal.withInitial(Extension::new);

    /** {@code vector}: rotate with the Vector API loop (a scalar tail for the rest), or with the scalar loop only. */
    public Rope(int headDim, int maxPositions, double base, boolean vector) {
        if (headDim < 2 || headDim % 2 != 0) {
            throw new IllegalArgumentException("RoPE needs an even headDim >= 2 to pair values, got " + headDim);
        }
        if (maxPositions < 1) {
            throw new IllegalArgumentException("RoPE maxPositions must be >= 1, got " + maxPositions);
        }
        if (!(base > 1) || Double.isInfinite(base)) {
            throw new IllegalArgumentException("RoPE base must be a finite number > 1, got " + base);
        }
        if ((long) maxPositions * (headDim / 2) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("RoPE table of " + maxPositions + " x " + headDim / 2
                    + " exceeds the 2^31 values a float[] holds");
        }
        this.headDim = headDim;
        this.half = headDim / 2;
        this.maxPositions = maxPositions;
        this.base = base;
        this.vector = vector;
        this.cos = new float[maxPositions * half];
        this.sin = new float[maxPositions * half];
        this.theta = new double[half];
        for (int i = 0; i < half; i++) {
            theta[i] = Math.pow(base, -2.0 * i / headDim);
            for (int p = 0; p < maxPositions; p++) {
                cos[p * half + i] = (float) Math.cos(p * theta[i]);
                sin[p * half + i] = (float) Math.sin(p * theta[i]);
            }
        }
    }

    /** cos and sin of positions [from, from + count), all beyond the table, (count, half) each. */
    private static final class Extension {
        int from = -1;
        int count;
        float[] cos = new float[0];
        float[] sin = new float[0];
    }

    /**
     * The cos and sin of positions [from, from + count) (all >= maxPositions), computed as the
     * table computes them: the angle p * theta_i in double, cos and sin in double, rounded to float.
     */
    private Extension extension(int from, int count) {
        Extension e = extension.get();
        if (e.from == from && e.count == count) {
            return e;
        }
        if (e.cos.length < count * half) {
            e.cos = new float[count * half];
            e.sin = new float[count * half];
        }
        for (int t = 0; t < count; t++) {
            long p = (long) from + t;
            for (int i = 0; i < half; i++) {
                e.cos[t * half + i] = (float) Math.cos(p * theta[i]);
                e.sin[t * half + i] = (float) Math.sin(p * theta[i]);
            }
        }
        e.from = from;
        e.count = count;
        return e;
    }

    public int headDim() {
        return headDim;
    }

    public int maxPositions() {
        return maxPositions;
    }

    public double base() {
        return base;
    }

    /**
     * Rotates x in place. x is (..., T, heads, headDim): the axis before the heads is time, at
     * positions startPos .. startPos+T-1, and any axes before it are batch; a rank-2
     * (heads, headDim) tensor is one position, startPos (the decoding step). Positions beyond
     * the table are computed (see the class comment).
     */
    @Override
    public void forward(Tensor x, int startPos) {
        rotate(x, startPos, 1f, "forward");
    }

    /**
     * Gradient of {@link #forward}, in place: the rotation is orthogonal, so its transpose,
     * the rotation by the opposite angle, maps dL/dy to dL/dx.
     */
    @Override
    public void backward(Tensor dx, int startPos) {
        rotate(dx, startPos, -1f, "backward");
    }

    /**
     * Rotates row i of x (n, heads, headDim) at position {@code positions[i]}: the decoding step of
     * n sequences, each at its own position. Allocates nothing once this thread has computed a
     * position beyond the table.
     */
    @Override
    public void forwardAt(Tensor x, int[] positions) {
        if (x.rank() != 3 || x.dim(2) != headDim || x.dim(0) > positions.length) {
            throw new IllegalArgumentException("RoPE forwardAt: x must be (n <= " + positions.length
                    + " positions, heads, headDim=" + headDim + "), got " + x.shapeString());
        }
        int heads = x.dim(1);
        float[] d = x.data();
        for (int r = 0; r < x.dim(0); r++) {
            int pos = positions[r];
            if (pos < 0) {
                throw new IllegalArgumentException("RoPE forwardAt: position " + pos + " of row " + r + " is negative");
            }
            boolean table = pos < maxPositions;
            Extension e = table ? null : extension(pos, 1);
            float[] c = table ? cos : e.cos;
            float[] s = table ? sin : e.sin;
            int at = table ? pos * half : 0;
            for (int h = 0; h < heads; h++) {
                rotateHead(d, x.offset() + (r * heads + h) * headDim, c, s, at, 1f);
            }
        }
    }

    /** Rotates every head of x by +angle (sign 1) or -angle (sign -1). */
    private void rotate(Tensor x, int startPos, float sign, String op) {
        if (x.rank() < 2 || x.dim(x.rank() - 1) != headDim) {
            throw new IllegalArgumentException("RoPE " + op + ": x must be (..., heads, headDim=" + headDim
                    + "), got " + x.shapeString());
        }
        int heads = x.dim(x.rank() - 2);
        int T = x.rank() >= 3 ? x.dim(x.rank() - 3) : 1;
        if (startPos < 0 || (long) startPos + T > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("RoPE " + op + ": positions [" + startPos + ", " + ((long) startPos + T)
                    + ") for " + x.shapeString() + " are outside [0, 2^31 - 1)");
        }
        if (heads == 0 || T == 0) {
            return;
        }
        int batch = x.size() / (headDim * heads * T);
        int beyond = Math.max(startPos, maxPositions); // first position not in the table
        Extension e = startPos + T > maxPositions ? extension(beyond, startPos + T - beyond) : null;
        float[] d = x.data();
        for (int t = 0; t < T; t++) {
            int pos = startPos + t;
            boolean table = pos < maxPositions;
            float[] c = table ? cos : e.cos;
            float[] s = table ? sin : e.sin;
            int at = (table ? pos : pos - beyond) * half;
            for (int b = 0; b < batch; b++) {
                int row = (b * T + t) * heads; // (batch, T, heads) flattened
                for (int h = 0; h < heads; h++) {
                    rotateHead(d, x.offset() + (row + h) * headDim, c, s, at, sign);
                }
            }
        }
    }

    /** One head: (x1, x2) -> (x1 c - x2 s', x2 c + x1 s') with s' = sign * sin. */
    private void rotateHead(float[] d, int off, float[] cos, float[] sin, int table, float sign) {
        int i = 0;
        for (int end = vector ? S.loopBound(half) : 0; i < end; i += L) {
            FloatVector c = FloatVector.fromArray(S, cos, table + i);
            FloatVector s = FloatVector.fromArray(S, sin, table + i).mul(sign);
            FloatVector x1 = FloatVector.fromArray(S, d, off + i);
            FloatVector x2 = FloatVector.fromArray(S, d, off + half + i);
            x1.mul(c).sub(x2.mul(s)).intoArray(d, off + i);
            x2.mul(c).add(x1.mul(s)).intoArray(d, off + half + i);
        }
        for (; i < half; i++) {
            float c = cos[table + i];
            float s = sign * sin[table + i];
            float x1 = d[off + i];
            float x2 = d[off + half + i];
            d[off + i] = x1 * c - x2 * s;
            d[off + half + i] = x2 * c + x1 * s;
        }
    }
}
