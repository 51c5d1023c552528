package dev.chimera.core.kernel;

import dev.chimera.core.backend.Backend;

import dev.chimera.core.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The optimised CPU kernels: Vector API loops over {@link Simd#FLOAT}, with work split over a
 * {@link ComputePool} once a tensor is large enough to repay the hand-off. Tested for parity
 * against {@link ScalarBackend}.
 */
public class VectorBackend extends CpuBackend {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** Elementwise work below this many values stays on the calling thread. */
    private static final int PARALLEL_MIN_VALUES = 1 << 15;
    /** Batched products smaller than this many multiply-adds each are spread over the pool one per task. */
    private static final long SMALL_PRODUCT_MACS = 1L << 21;

    private final PackedGemm packedGemm;
    private final MicroKernel gemmKernel;

    public VectorBackend(ComputePool pool) {
        this(pool, MicroKernel.forLanes(L));
    }

    /** With a given GEMM micro-kernel, whatever the machine (tests run every shape). */
    VectorBackend(ComputePool pool, MicroKernel gemmKernel) {
        this(pool, gemmKernel, PackedGemm.DIRECT_MAX_ROWS);
    }

    /** {@code directMaxRows}: products of at most this many rows take the GEMM's unpacked path. */
    VectorBackend(ComputePool pool, MicroKernel gemmKernel, int directMaxRows) {
        super(pool, true);
        this.gemmKernel = gemmKernel;
        this.packedGemm = new PackedGemm(pool, gemmKernel, directMaxRows);
    }

    /** {@link RowInvariantBackend}: every product unpacked, activations' tails through the vector code. */
    @Override
    public Backend rowInvariant() {
        return new RowInvariantBackend(pool, gemmKernel);
    }

    @Override
    public String name() {
        return "vector(" + S.vectorBitSize() + "-bit, " + pool.threads() + " threads, GEMM tile " + packedGemm.tile()
                + ")";
    }

    @Override
    public void gemm(GemmForm form, Tensor c, Tensor a, Tensor b, boolean accumulate) {
        GemmForm.Dims d = form.dims(c, a, b);
        int m = d.m;
        int n = d.n;
        int k = d.k;
        if (d.batch > 1 && (long) m * n * k < SMALL_PRODUCT_MACS) {
            pool.parallelFor(d.batch, i -> packedGemm.multiply(form, c.data(), c.offset() + i * m * n, a.data(),
                    a.offset() + i * m * k, b.data(), b.offset() + i * k * n, m, n, k, accumulate, false));
        } else {
            for (int i = 0; i < d.batch; i++) {
                packedGemm.multiply(form, c.data(), c.offset() + i * m * n, a.data(), a.offset() + i * m * k,
                        b.data(), b.offset() + i * k * n, m, n, k, accumulate, true);
            }
        }
    }

    // ---------------------------------------------------------------- elementwise

    /** A loop body over the flat index range [from, to) of same-shaped tensors. */
    private interface Range {
        void run(int from, int to);
    }

    /** Runs body over [0, size), split into one contiguous vector-aligned share per thread when large. */
    private void split(int size, Range body) {
        if (size < PARALLEL_MIN_VALUES || pool.threads() == 1) {
            body.run(0, size);
            return;
        }
        int tasks = pool.threads();
        int share = ((size / tasks + L - 1) / L) * L;
        pool.parallelFor(tasks, t -> body.run(Math.min(size, t * share), t == tasks - 1 ? size
                : Math.min(size, (t + 1) * share)));
    }

    @Override
    public void activation(Activation f, Tensor out, Tensor x) {
        Shapes.same("activation", out, x);
        float[] o = out.data();
        float[] xv = x.data();
        int oo = out.offset();
        int xo = x.offset();
        if (x.size() < PARALLEL_MIN_VALUES || pool.threads() == 1) {
            forward(f, o, oo, xv, xo, 0, x.size());
        } else {
            split(x.size(), (from, to) -> forward(f, o, oo, xv, xo, from, to));
        }
    }

    @Override
    public void activationBackward(Activation f, Tensor dx, Tensor dy, Tensor x) {
        Shapes.same("activationBackward", dx, dy, x);
        float[] d = dx.data();
        float[] g = dy.data();
        float[] xv = x.data();
        int dOff = dx.offset();
        int gOff = dy.offset();
        int xOff = x.offset();
        if (x.size() < PARALLEL_MIN_VALUES || pool.threads() == 1) {
            backward(f, d, dOff, g, gOff, xv, xOff, 0, x.size());
        } else {
            split(x.size(), (from, to) -> backward(f, d, dOff, g, gOff, xv, xOff, from, to));
        }
    }

    /*
     * One loop per function, forward and backward: a single loop dispatching on the function
     * inside grew past what C2 inlines, and its vectors were then boxed, 10-20x slower and
     * allocating on every call (seen in JFR allocation profiles of the decoding step). The
     * vector expressions are the same as before, so the bits are too; tails run Activation's
     * double-precision definition.
     */

    /** o[i] = f(x[i]) for i in [from, to). */
    static void forward(Activation f, float[] o, int oo, float[] x, int xo, int from, int to) {
        switch (f) {
            case SILU -> silu(o, oo, x, xo, from, to);
            case GELU -> gelu(o, oo, x, xo, from, to);
            case RELU -> relu(o, oo, x, xo, from, to);
            case SOFTPLUS -> softplus(o, oo, x, xo, from, to);
            case SIGMOID -> sigmoid(o, oo, x, xo, from, to);
            case EXP -> exp(o, oo, x, xo, from, to);
            default -> throw new AssertionError(f);
        }
    }

    private static void silu(float[] o, int oo, float[] x, int xo, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(PortableMath.sigmoid(v)).intoArray(o, oo + i);
        }
        tail(Activation.SILU, o, oo, x, xo, i, to);
    }

    private static void gelu(float[] o, int oo, float[] x, int xo, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(0.5f).mul(PortableMath.tanh(geluInner(v)).add(1f)).intoArray(o, oo + i);
        }
        tail(Activation.GELU, o, oo, x, xo, i, to);
    }

    private static void relu(float[] o, int oo, float[] x, int xo, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            FloatVector.fromArray(S, x, xo + i).max(0f).intoArray(o, oo + i);
        }
        tail(Activation.RELU, o, oo, x, xo, i, to);
    }

    private static void softplus(float[] o, int oo, float[] x, int xo, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            PortableMath.softplus(FloatVector.fromArray(S, x, xo + i)).intoArray(o, oo + i);
        }
        tail(Activation.SOFTPLUS, o, oo, x, xo, i, to);
    }

    private static void sigmoid(float[] o, int oo, float[] x, int xo, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            PortableMath.sigmoid(FloatVector.fromArray(S, x, xo + i)).intoArray(o, oo + i);
        }
        tail(Activation.SIGMOID, o, oo, x, xo, i, to);
    }

    private static void exp(float[] o, int oo, float[] x, int xo, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            PortableMath.exp(FloatVector.fromArray(S, x, xo + i)).intoArray(o, oo + i);
        }
        tail(Activation.EXP, o, oo, x, xo, i, to);
    }

    private static void tail(Activation f, float[] o, int oo, float[] x, int xo, int from, int to) {
        for (int i = from; i < to; i++) {
            o[oo + i] = (float) f.apply(x[xo + i]);
        }
    }

    /**
     * The row-invariant backend's last values (fewer than a vector): through the same vector code as
     * the rest, in a scratch vector, so a value's result does not depend on where it falls in the
     * array (the scalar tail computes in double precision: other bits).
     */
    /** d[i] = g[i] * f'(x[i]) for i in [from, to). */
    private static void backward(Activation f, float[] d, int dOff, float[] g, int gOff, float[] x, int xOff, int from,
                                 int to) {
        switch (f) {
            case SILU -> siluBackward(d, dOff, g, gOff, x, xOff, from, to);
            case GELU -> geluBackward(d, dOff, g, gOff, x, xOff, from, to);
            case RELU -> reluBackward(d, dOff, g, gOff, x, xOff, from, to);
            case SOFTPLUS -> sigmoidTimes(Activation.SOFTPLUS, d, dOff, g, gOff, x, xOff, from, to);
            case SIGMOID -> sigmoidBackward(d, dOff, g, gOff, x, xOff, from, to);
            case EXP -> expBackward(d, dOff, g, gOff, x, xOff, from, to);
            default -> throw new AssertionError(f);
        }
    }

    private static void siluBackward(float[] d, int dOff, float[] g, int gOff, float[] x, int xOff, int from, int to) {
        FloatVector one = FloatVector.broadcast(S, 1f);  // once, not per add(1f): C2 boxed this loop's vectors
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector s = PortableMath.sigmoid(v);
            FloatVector.fromArray(S, g, gOff + i).mul(s.mul(v.mul(one.sub(s)).add(one))).intoArray(d, dOff + i);
        }
        tailBackward(Activation.SILU, d, dOff, g, gOff, x, xOff, i, to);
    }

    private static void geluBackward(float[] d, int dOff, float[] g, int gOff, float[] x, int xOff, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector t = PortableMath.tanh(geluInner(v));
            FloatVector xc = clampGelu(v);
            FloatVector poly = xc.mul(xc).mul((float) (3 * Activation.GELU_CUBIC)).add(1f)
                    .mul((float) Activation.GELU_SCALE);
            FloatVector dv = t.add(1f).mul(0.5f).add(v.mul(0.5f).mul(t.mul(t).neg().add(1f)).mul(poly));
            FloatVector.fromArray(S, g, gOff + i).mul(dv).intoArray(d, dOff + i);
        }
        tailBackward(Activation.GELU, d, dOff, g, gOff, x, xOff, i, to);
    }

    private static void reluBackward(float[] d, int dOff, float[] g, int gOff, float[] x, int xOff, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            VectorMask<Float> positive = FloatVector.fromArray(S, x, xOff + i).compare(VectorOperators.GT, 0f);
            FloatVector.fromArray(S, g, gOff + i).mul(FloatVector.zero(S).blend(1f, positive)).intoArray(d, dOff + i);
        }
        tailBackward(Activation.RELU, d, dOff, g, gOff, x, xOff, i, to);
    }

    /** d = g * sigmoid(x): the derivative of softplus. */
    private static void sigmoidTimes(Activation f, float[] d, int dOff, float[] g, int gOff, float[] x, int xOff,
                                     int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            FloatVector s = PortableMath.sigmoid(FloatVector.fromArray(S, x, xOff + i));
            FloatVector.fromArray(S, g, gOff + i).mul(s).intoArray(d, dOff + i);
        }
        tailBackward(f, d, dOff, g, gOff, x, xOff, i, to);
    }

    private static void sigmoidBackward(float[] d, int dOff, float[] g, int gOff, float[] x, int xOff, int from,
                                        int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            FloatVector s = PortableMath.sigmoid(FloatVector.fromArray(S, x, xOff + i));
            FloatVector.fromArray(S, g, gOff + i).mul(s.mul(s.neg().add(1f))).intoArray(d, dOff + i);
        }
        tailBackward(Activation.SIGMOID, d, dOff, g, gOff, x, xOff, i, to);
    }

    private static void expBackward(float[] d, int dOff, float[] g, int gOff, float[] x, int xOff, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            FloatVector e = PortableMath.exp(FloatVector.fromArray(S, x, xOff + i));
            FloatVector.fromArray(S, g, gOff + i).mul(e).intoArray(d, dOff + i);
        }
        tailBackward(Activation.EXP, d, dOff, g, gOff, x, xOff, i, to);
    }

    private static void tailBackward(Activation f, float[] d, int dOff, float[] g, int gOff, float[] x, int xOff,
                                     int from, int to) {
        for (int i = from; i < to; i++) {
            d[dOff + i] = (float) (g[gOff + i] * f.derivative(x[xOff + i]));
        }
    }

    private static FloatVector clampGelu(FloatVector x) {
        float limit = (float) Activation.GELU_SATURATION;
        return x.max(-limit).min(limit);
    }

    private static FloatVector geluInner(FloatVector x) {
        FloatVector xc = clampGelu(x);
        return xc.mul(xc).mul(xc).mul((float) Activation.GELU_CUBIC).add(xc).mul((float) Activation.GELU_SCALE);
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        Shapes.same("add", out, a, b);
        binary(out, a, b, false);
    }

    @Override
    public void mul(Tensor out, Tensor a, Tensor b) {
        Shapes.same("mul", out, a, b);
        binary(out, a, b, true);
    }

    private void binary(Tensor out, Tensor a, Tensor b, boolean multiply) {
        float[] o = out.data();
        float[] av = a.data();
        float[] bv = b.data();
        int oo = out.offset();
        int ao = a.offset();
        int bo = b.offset();
        split(out.size(), (from, to) -> {
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; i += L) {
                FloatVector x = FloatVector.fromArray(S, av, ao + i);
                FloatVector y = FloatVector.fromArray(S, bv, bo + i);
                (multiply ? x.mul(y) : x.add(y)).intoArray(o, oo + i);
            }
            for (; i < to; i++) {
                o[oo + i] = multiply ? av[ao + i] * bv[bo + i] : av[ao + i] + bv[bo + i];
            }
        });
    }

    @Override
    public void scale(Tensor out, float alpha, Tensor x) {
        Shapes.same("scale", out, x);
        float[] o = out.data();
        float[] xv = x.data();
        int oo = out.offset();
        int xo = x.offset();
        split(x.size(), (from, to) -> {
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; i += L) {
                FloatVector.fromArray(S, xv, xo + i).mul(alpha).intoArray(o, oo + i);
            }
            for (; i < to; i++) {
                o[oo + i] = alpha * xv[xo + i];
            }
        });
    }

    // ---------------------------------------------------------------- row kernels

    /** Runs body(row) for every row, in parallel blocks of rows when the tensor is large. */
    private void rowsParallel(int rows, int cols, java.util.function.IntConsumer body) {
        if ((long) rows * cols < PARALLEL_MIN_VALUES || pool.threads() == 1 || rows == 1) {
            for (int r = 0; r < rows; r++) {
                body.accept(r);
            }
            return;
        }
        int tasks = Math.min(rows, pool.threads() * 4);
        pool.parallelFor(tasks, t -> {
            for (int r = (int) ((long) rows * t / tasks), end = (int) ((long) rows * (t + 1) / tasks); r < end; r++) {
                body.accept(r);
            }
        });
    }

    private static float dot(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            acc = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += x[xo + i] * y[yo + i];
        }
        return s;
    }

    @Override
    public void rmsNorm(Tensor out, Tensor rstd, Tensor x, Tensor weight, float eps) {
        Shapes.same("rmsNorm", out, x);
        int cols = Shapes.lastDim("rmsNorm", x);
        int rows = Shapes.rows(x, cols);
        Shapes.vector("rmsNorm", "weight", weight, cols, x);
        Shapes.vector("rmsNorm", "rstd", rstd, rows, x);
        float[] xv = x.data();
        float[] o = out.data();
        float[] w = weight.data();
        int wo = weight.offset();
        rowsParallel(rows, cols, r -> {
            int xo = x.offset() + r * cols;
            int oo = out.offset() + r * cols;
            float s = (float) (1 / Math.sqrt(dot(xv, xo, xv, xo, cols) / cols + eps));
            rstd.data()[rstd.offset() + r] = s;
            int i = 0;
            for (int end = S.loopBound(cols); i < end; i += L) {
                FloatVector.fromArray(S, xv, xo + i).mul(s).mul(FloatVector.fromArray(S, w, wo + i)).intoArray(o, oo + i);
            }
            for (; i < cols; i++) {
                o[oo + i] = xv[xo + i] * s * w[wo + i];
            }
        });
    }

    @Override
    public void rmsNormBackward(Tensor dx, Tensor dweight, Tensor dout, Tensor x, Tensor weight, Tensor rstd) {
        Shapes.same("rmsNormBackward", dx, dout, x);
        int cols = Shapes.lastDim("rmsNormBackward", x);
        int rows = Shapes.rows(x, cols);
        Shapes.vector("rmsNormBackward", "weight", weight, cols, x);
        Shapes.vector("rmsNormBackward", "dweight", dweight, cols, x);
        Shapes.vector("rmsNormBackward", "rstd", rstd, rows, x);
        float[] xv = x.data();
        float[] g = dout.data();
        float[] w = weight.data();
        float[] d = dx.data();
        int wo = weight.offset();
        // dx, one row at a time: dx = s * (g*w - xhat * mean(g*w*xhat)), xhat = x*s.
        rowsParallel(rows, cols, r -> {
            int xo = x.offset() + r * cols;
            int go = dout.offset() + r * cols;
            int dOff = dx.offset() + r * cols;
            float s = rstd.data()[rstd.offset() + r];
            FloatVector acc = FloatVector.zero(S);
            int i = 0;
            int end = S.loopBound(cols);
            for (; i < end; i += L) {
                acc = FloatVector.fromArray(S, g, go + i).mul(FloatVector.fromArray(S, w, wo + i))
                        .fma(FloatVector.fromArray(S, xv, xo + i), acc);
            }
            float gwx = acc.reduceLanes(VectorOperators.ADD);
            for (; i < cols; i++) {
                gwx += g[go + i] * w[wo + i] * xv[xo + i];
            }
            float coeff = gwx * s * s / cols;
            for (i = 0; i < end; i += L) {
                FloatVector gw = FloatVector.fromArray(S, g, go + i).mul(FloatVector.fromArray(S, w, wo + i));
                gw.sub(FloatVector.fromArray(S, xv, xo + i).mul(coeff)).mul(s).intoArray(d, dOff + i);
            }
            for (; i < cols; i++) {
                d[dOff + i] = s * (g[go + i] * w[wo + i] - xv[xo + i] * coeff);
            }
        });
        // dweight += sum over rows of dout * xhat; columns are split between tasks so no two write the same value.
        float[] dw = dweight.data();
        int dwo = dweight.offset();
        int colTasks = (long) rows * cols < PARALLEL_MIN_VALUES ? 1 : Math.min(pool.threads(), Math.max(1, cols / L));
        java.util.function.IntConsumer columns = t -> {
            int c0 = (int) ((long) cols * t / colTasks / L * L);
            int c1 = t == colTasks - 1 ? cols : (int) ((long) cols * (t + 1) / colTasks / L * L);
            for (int r = 0; r < rows; r++) {
                int xo = x.offset() + r * cols;
                int go = dout.offset() + r * cols;
                float s = rstd.data()[rstd.offset() + r];
                int i = c0;
                for (int end = c0 + S.loopBound(c1 - c0); i < end; i += L) {
                    FloatVector.fromArray(S, g, go + i).mul(FloatVector.fromArray(S, xv, xo + i)).mul(s)
                            .add(FloatVector.fromArray(S, dw, dwo + i)).intoArray(dw, dwo + i);
                }
                for (; i < c1; i++) {
                    dw[dwo + i] += g[go + i] * xv[xo + i] * s;
                }
            }
        };
        pool.parallelFor(colTasks, columns);
    }

    @Override
    public void gatedRmsNorm(Tensor out, Tensor rstd, Tensor y, Tensor z, Tensor weight, int groups, float eps) {
        int[] dims = Shapes.gatedNorm("gatedRmsNorm", y, z, out, weight, rstd, groups);
        int cols = dims[1];
        int width = dims[2];
        float[] yv = y.data();
        float[] zv = z.data();
        float[] o = out.data();
        float[] w = weight.data();
        int wo = weight.offset();
        rowsParallel(dims[0] * groups, width, rg -> {
            int g = rg % groups;
            int base = (rg / groups) * cols + g * width;
            int yo = y.offset() + base;
            int zo = z.offset() + base;
            int oo = out.offset() + base;
            // out first holds v = y * silu(z); then it is scaled in place.
            FloatVector acc = FloatVector.zero(S);
            int i = 0;
            int end = S.loopBound(width);
            for (; i < end; i += L) {
                FloatVector zs = FloatVector.fromArray(S, zv, zo + i);
                FloatVector v = FloatVector.fromArray(S, yv, yo + i).mul(zs.mul(PortableMath.sigmoid(zs)));
                v.intoArray(o, oo + i);
                acc = v.fma(v, acc);
            }
            float ss = acc.reduceLanes(VectorOperators.ADD);
            for (; i < width; i++) {
                float v = (float) (yv[yo + i] * Activation.SILU.apply(zv[zo + i]));
                o[oo + i] = v;
                ss += v * v;
            }
            float s = (float) (1 / Math.sqrt(ss / width + eps));
            rstd.data()[rstd.offset() + rg] = s;
            int wg = wo + g * width;
            for (i = 0; i < end; i += L) {
                FloatVector.fromArray(S, o, oo + i).mul(s).mul(FloatVector.fromArray(S, w, wg + i)).intoArray(o, oo + i);
            }
            for (; i < width; i++) {
                o[oo + i] *= s * w[wg + i];
            }
        });
    }

    @Override
    public void gatedRmsNormBackward(Tensor dy, Tensor dz, Tensor dweight, Tensor dout, Tensor y, Tensor z,
                                     Tensor weight, Tensor rstd, int groups) {
        int[] dims = Shapes.gatedNorm("gatedRmsNormBackward", y, z, dout, weight, rstd, groups);
        Shapes.same("gatedRmsNormBackward", y, dy, dz);
        Shapes.vector("gatedRmsNormBackward", "dweight", dweight, dims[1], y);
        int rows = dims[0];
        int cols = dims[1];
        int width = dims[2];
        float[] yv = y.data();
        float[] zv = z.data();
        float[] g = dout.data();
        float[] w = weight.data();
        int wo = weight.offset();
        float[] dyv = dy.data();
        float[] dzv = dz.data();
        float[] rs = rstd.data();
        int dyo = dy.offset();
        int dzo = dz.offset();
        // dy and dz, one (row, group) at a time: dv = s * (g*w - v*s*mean(g*w*v*s)), dy = dv * silu(z),
        // dz = dv * y * silu'(z). The two passes over a row are small methods over plain arrays, and the first
        // leaves sigmoid(z) in dz for the second: a kernel past C2's inlining budget boxes its vectors.
        rowsParallel(rows * groups, width, rg -> {
            int grp = rg % groups;
            int base = (rg / groups) * cols + grp * width;
            int yo = y.offset() + base;
            int zo = z.offset() + base;
            int go = dout.offset() + base;
            int wg = wo + grp * width;
            float s = rs[rstd.offset() + rg];
            float coeff = gatedDot(dzv, dzo + base, g, go, w, wg, yv, yo, zv, zo, width) * s * s / width;
            gatedNormRowBackward(dyv, dyo + base, dzv, dzo + base, g, go, w, wg, yv, yo, zv, zo, s, coeff, width);
        });
        // dweight += dout * v * s, summed over rows; each task owns a range of channels.
        float[] dw = dweight.data();
        int dwo = dweight.offset();
        int tasks = (long) rows * cols < PARALLEL_MIN_VALUES ? 1 : Math.min(pool.threads(), Math.max(1, cols / L));
        pool.parallelFor(tasks, t -> {
            int c0 = (int) ((long) cols * t / tasks / L * L);
            int c1 = t == tasks - 1 ? cols : (int) ((long) cols * (t + 1) / tasks / L * L);
            for (int r = 0; r < rows; r++) {
                for (int grp = c0 / width; grp * width < c1; grp++) {
                    int lo = Math.max(c0, grp * width);
                    int hi = Math.min(c1, (grp + 1) * width);
                    int row = r * cols;
                    gatedWeightGradRow(dw, dwo, lo, hi, g, dout.offset() + row, yv, y.offset() + row, zv,
                            z.offset() + row, rs[rstd.offset() + r * groups + grp]);
                }
            }
        });
    }

    /** dw[c] += g[c] * v[c] * s for columns c in [lo, hi) of one row (offsets go, yo, zo at its column 0). */
    private static void gatedWeightGradRow(float[] dw, int dwo, int lo, int hi, float[] g, int go, float[] yv, int yo,
                                           float[] zv, int zo, float s) {
        FloatVector vS = FloatVector.broadcast(S, s); // once, as in gatedNormRowBackward: the same bits as mul(s)
        int c = lo;
        for (int vEnd = lo + S.loopBound(hi - lo); c < vEnd; c += L) {
            FloatVector zs = FloatVector.fromArray(S, zv, zo + c);
            FloatVector v = FloatVector.fromArray(S, yv, yo + c).mul(zs.mul(PortableMath.sigmoid(zs)));
            FloatVector.fromArray(S, g, go + c).mul(v).mul(vS)
                    .add(FloatVector.fromArray(S, dw, dwo + c)).intoArray(dw, dwo + c);
        }
        for (; c < hi; c++) {
            float v = (float) (yv[yo + c] * Activation.SILU.apply(zv[zo + c]));
            dw[dwo + c] += g[go + c] * v * s;
        }
    }

    /**
     * sum_i g_i w_i v_i over one row of the gated norm, v = y * silu(z); sigmoid(z) of the vector part
     * is left in sig (the row of dz) for {@link #gatedNormRowBackward}.
     */
    private static float gatedDot(float[] sig, int so, float[] g, int go, float[] w, int wg, float[] yv, int yo,
                                  float[] zv, int zo, int width) {
        FloatVector acc = FloatVector.zero(S);
        int end = S.loopBound(width);
        int i = 0;
        for (; i < end; i += L) {
            FloatVector zs = FloatVector.fromArray(S, zv, zo + i);
            FloatVector sg = PortableMath.sigmoid(zs);
            sg.intoArray(sig, so + i);
            FloatVector v = FloatVector.fromArray(S, yv, yo + i).mul(zs.mul(sg));
            acc = FloatVector.fromArray(S, g, go + i).mul(FloatVector.fromArray(S, w, wg + i)).fma(v, acc);
        }
        float dot = acc.reduceLanes(VectorOperators.ADD);
        for (; i < width; i++) {
            dot += (float) (g[go + i] * w[wg + i] * yv[yo + i] * Activation.SILU.apply(zv[zo + i]));
        }
        return dot;
    }

    /** One row's dy and dz of the gated norm, given its rstd s, coeff = dot * s^2 / width and, in dz, sigmoid(z). */
    private static void gatedNormRowBackward(float[] dy, int dyo, float[] dz, int dzo, float[] g, int go, float[] w,
                                             int wg, float[] yv, int yo, float[] zv, int zo, float s, float coeff,
                                             int width) {
        int end = S.loopBound(width);
        // Scalars broadcast once: the same bits as mul(float) and add(float), and fewer nodes for C2 to inline.
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector vCoeff = FloatVector.broadcast(S, coeff);
        FloatVector vS = FloatVector.broadcast(S, s);
        int i = 0;
        for (; i < end; i += L) {
            FloatVector zs = FloatVector.fromArray(S, zv, zo + i);
            FloatVector sig = FloatVector.fromArray(S, dz, dzo + i);
            FloatVector gate = zs.mul(sig);
            FloatVector ys = FloatVector.fromArray(S, yv, yo + i);
            FloatVector dv = FloatVector.fromArray(S, g, go + i).mul(FloatVector.fromArray(S, w, wg + i))
                    .sub(ys.mul(gate).mul(vCoeff)).mul(vS);
            dv.mul(gate).intoArray(dy, dyo + i);
            FloatVector dsilu = sig.mul(zs.mul(one.sub(sig)).add(one));
            dv.mul(ys).mul(dsilu).intoArray(dz, dzo + i);
        }
        for (; i < width; i++) {
            double zi = zv[zo + i];
            double gate = Activation.SILU.apply(zi);
            double dv = s * (g[go + i] * w[wg + i] - yv[yo + i] * gate * coeff);
            dy[dyo + i] = (float) (dv * gate);
            dz[dzo + i] = (float) (dv * yv[yo + i] * Activation.SILU.derivative(zi));
        }
    }

    /** Writes exp(x - max) / sum of one row and returns its log-sum-exp. */
    private static float softmaxRow(float[] o, int oo, float[] x, int xo, int cols) {
        FloatVector maxV = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        int end = S.loopBound(cols);
        for (; i < end; i += L) {
            maxV = maxV.max(FloatVector.fromArray(S, x, xo + i));
        }
        float max = maxV.reduceLanes(VectorOperators.MAX);
        for (; i < cols; i++) {
            max = Math.max(max, x[xo + i]);
        }
        FloatVector sumV = FloatVector.zero(S);
        for (i = 0; i < end; i += L) {
            FloatVector e = PortableMath.expUpTo88(FloatVector.fromArray(S, x, xo + i).sub(max));
            e.intoArray(o, oo + i);
            sumV = sumV.add(e);
        }
        float sum = sumV.reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            float e = (float) Math.exp(x[xo + i] - max);
            o[oo + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (i = 0; i < end; i += L) {
            FloatVector.fromArray(S, o, oo + i).mul(inv).intoArray(o, oo + i);
        }
        for (; i < cols; i++) {
            o[oo + i] *= inv;
        }
        return max + (float) Math.log(sum);
    }

    @Override
    public void softmaxCrossEntropy(Tensor losses, Tensor probs, Tensor logits, int[] targets) {
        Shapes.same("softmaxCrossEntropy", probs, logits);
        int vocab = Shapes.lastDim("softmaxCrossEntropy", logits);
        int rows = Shapes.rows(logits, vocab);
        Shapes.vector("softmaxCrossEntropy", "losses", losses, rows, logits);
        Shapes.targets("softmaxCrossEntropy", targets, rows, vocab);
        rowsParallel(rows, vocab, r -> {
            int o = r * vocab;
            float lse = softmaxRow(probs.data(), probs.offset() + o, logits.data(), logits.offset() + o, vocab);
            int t = targets[r];
            losses.data()[losses.offset() + r] = t == IGNORE_TARGET ? 0f : lse - logits.data()[logits.offset() + o + t];
        });
    }

    @Override
    public void softmaxCrossEntropyBackward(Tensor dlogits, Tensor dlosses, Tensor probs, int[] targets) {
        Shapes.same("softmaxCrossEntropyBackward", dlogits, probs);
        int vocab = Shapes.lastDim("softmaxCrossEntropyBackward", probs);
        int rows = Shapes.rows(probs, vocab);
        Shapes.vector("softmaxCrossEntropyBackward", "dlosses", dlosses, rows, probs);
        Shapes.targets("softmaxCrossEntropyBackward", targets, rows, vocab);
        float[] d = dlogits.data();
        float[] p = probs.data();
        rowsParallel(rows, vocab, r -> {
            int t = targets[r];
            float scale = t == IGNORE_TARGET ? 0f : dlosses.data()[dlosses.offset() + r];
            int po = probs.offset() + r * vocab;
            int dOff = dlogits.offset() + r * vocab;
            float pt = t == IGNORE_TARGET ? 0f : p[po + t];  // read before dlogits (possibly probs itself) is written
            int i = 0;
            for (int end = S.loopBound(vocab); i < end; i += L) {
                FloatVector.fromArray(S, p, po + i).mul(scale).intoArray(d, dOff + i);
            }
            for (; i < vocab; i++) {
                d[dOff + i] = p[po + i] * scale;
            }
            if (t != IGNORE_TARGET) {
                d[dOff + t] = (pt - 1f) * scale;
            }
        });
    }

    // ---------------------------------------------------------------- optimiser steps

    /**
     * {@link CpuBackend#adamwUpdate} lane by lane: the same float operations in the same order
     * (the Vector API's sqrt and division round as IEEE float ops do), so the same bits.
     */
    @Override
    public void adamwUpdate(Tensor p, Tensor m, Tensor v, Tensor g, float lr, float b1, float b2, float eps, float c1,
                            float c2, float keep) {
        Shapes.same("adamwUpdate", p, m, v, g);
        float[] pv = p.data();
        float[] mv = m.data();
        float[] vv = v.data();
        float[] gv = g.data();
        int po = p.offset();
        int mo = m.offset();
        int vo = v.offset();
        int go = g.offset();
        float d1 = 1 - b1;
        float d2 = 1 - b2;
        int n = p.size();
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector gi = FloatVector.fromArray(S, gv, go + i);
            FloatVector mi = FloatVector.fromArray(S, mv, mo + i).mul(b1).add(gi.mul(d1));
            FloatVector vi = FloatVector.fromArray(S, vv, vo + i).mul(b2).add(gi.mul(d2).mul(gi));
            mi.intoArray(mv, mo + i);
            vi.intoArray(vv, vo + i);
            FloatVector step = mi.div(c1).mul(lr).div(vi.div(c2).sqrt().add(eps));
            FloatVector.fromArray(S, pv, po + i).mul(keep).sub(step).intoArray(pv, po + i);
        }
        if (i < n) {
            super.adamwUpdate(p.view(n).slice(i, n), m.view(n).slice(i, n), v.view(n).slice(i, n),
                    g.view(n).slice(i, n), lr, b1, b2, eps, c1, c2, keep);
        }
    }
}
