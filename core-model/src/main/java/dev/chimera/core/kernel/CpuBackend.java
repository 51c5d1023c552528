package dev.chimera.core.kernel;

import dev.chimera.core.attention.CausalAttention;
import dev.chimera.core.attention.Rope;
import dev.chimera.core.backend.AttentionOp;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.CausalConvOp;
import dev.chimera.core.backend.FourierDensityOp;
import dev.chimera.core.backend.RotaryOp;
import dev.chimera.core.backend.SsdScanOp;
import dev.chimera.core.heads.FourierDensity;
import dev.chimera.core.ssd.SsdScan;
import dev.chimera.core.tensor.HeapStorage;
import dev.chimera.core.tensor.Storage;
import dev.chimera.core.tensor.Tensor;

/**
 * What the two CPU backends share: tensors in heap arrays, the memory-bound row operations
 * (bias rows, column copies, embedding gathers), the optimiser updates in plain float loops, and
 * the sequence operations, each built with the vector or the scalar inner loops as the subclass
 * says. {@link ScalarBackend} is the reference (one thread, no Vector API); {@link VectorBackend}
 * replaces the compute-bound kernels with Vector API ones.
 */
public abstract class CpuBackend implements Backend {
    /** Column copies of at least this many floats (a training batch's projections) are split over the pool. */
    private static final long PARALLEL_COPY_FLOATS = 1 << 16;

    protected final ComputePool pool;
    private final boolean vector;

    protected CpuBackend(ComputePool pool, boolean vector) {
        this.pool = pool;
        this.vector = vector;
    }

    // ------------------------------------------------------------------ memory

    @Override
    public Storage allocateStorage(long floats) {
        if (floats < 0 || floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a heap storage holds 0 to 2^31 - 9 floats, asked for " + floats);
        }
        return new HeapStorage(new float[(int) floats]);
    }

    @Override
    public void download(float[] dst, Tensor src) {
        System.arraycopy(src.data(), src.offset(), dst, 0, src.size());
    }

    @Override
    public void upload(Tensor dst, float[] src) {
        System.arraycopy(src, 0, dst.data(), dst.offset(), dst.size());
    }

    // ------------------------------------------------------------------ row operations

    @Override
    public void fill(Tensor t, float value) {
        t.fill(value);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        dst.copyFrom(src);
    }

    @Override
    public void addRowVector(Tensor x, Tensor v) {
        int n = v.size();
        int rows = Shapes.rowsOf("addRowVector", x, n);
        float[] xv = x.data();
        float[] b = v.data();
        for (int r = 0; r < rows; r++) {
            int o = x.offset() + r * n;
            for (int j = 0; j < n; j++) {
                xv[o + j] += b[v.offset() + j];
            }
        }
    }

    @Override
    public void addColumnSums(Tensor out, Tensor x) {
        int n = out.size();
        int rows = Shapes.rowsOf("addColumnSums", x, n);
        float[] xv = x.data();
        float[] o = out.data();
        for (int r = 0; r < rows; r++) {
            int xo = x.offset() + r * n;
            for (int j = 0; j < n; j++) {
                o[out.offset() + j] += xv[xo + j];
            }
        }
    }

    /** Sum of x_i^2 in double with four interleaved partial sums, added in a fixed order. */
    @Override
    public double sumOfSquares(Tensor x) {
        float[] g = x.data();
        int end = x.offset() + x.size();
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = x.offset();
        for (; i + 3 < end; i += 4) {
            double a = g[i];
            double b = g[i + 1];
            double c = g[i + 2];
            double d = g[i + 3];
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += d * d;
        }
        for (; i < end; i++) {
            double a = g[i];
            s0 += a * a;
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void copyColumns(Tensor dst, int dstCol, Tensor src, int srcCol, int width) {
        int dstWidth = Shapes.matrix("copyColumns", "dst", dst);
        int srcWidth = Shapes.matrix("copyColumns", "src", src);
        int rows = dst.dim(0);
        if (src.dim(0) != rows) {
            throw new IllegalArgumentException("copyColumns: " + src.shapeString() + " and " + dst.shapeString()
                    + " have different row counts");
        }
        if (dstCol < 0 || srcCol < 0 || width < 0 || dstCol + width > dstWidth || srcCol + width > srcWidth) {
            throw new IllegalArgumentException("copyColumns: columns [" + srcCol + ", " + (srcCol + width) + ") of "
                    + src.shapeString() + " to [" + dstCol + ", " + (dstCol + width) + ") of " + dst.shapeString());
        }
        if ((long) rows * width < PARALLEL_COPY_FLOATS || pool.threads() == 1) {
            copyColumnRows(dst, dstCol, src, srcCol, width, 0, rows);
            return;
        }
        int blocks = Math.min(rows, pool.threads() * 4);
        pool.parallelFor(blocks, block -> copyColumnRows(dst, dstCol, src, srcCol, width,
                (int) ((long) rows * block / blocks), (int) ((long) rows * (block + 1) / blocks)));
    }

    /** Columns [srcCol, srcCol + width) of src's rows [from, to) into dst's columns from dstCol. */
    private static void copyColumnRows(Tensor dst, int dstCol, Tensor src, int srcCol, int width, int from, int to) {
        int dstWidth = dst.dim(1);
        int srcWidth = src.dim(1);
        for (int r = from; r < to; r++) {
            System.arraycopy(src.data(), src.offset() + r * srcWidth + srcCol, dst.data(),
                    dst.offset() + r * dstWidth + dstCol, width);
        }
    }

    @Override
    public void gatherRows(Tensor out, Tensor table, int[] ids) {
        int d = Shapes.lastDim("gatherRows", table);
        int vocab = table.size() / d;
        int rows = Shapes.rowsOf("gatherRows", out, d);
        if (rows > ids.length) {
            throw new IllegalArgumentException("gatherRows: " + ids.length + " ids for output " + out.shapeString());
        }
        for (int t = 0; t < rows; t++) {
            int id = ids[t];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " at position " + t + " is outside [0, " + vocab
                        + ")");
            }
            System.arraycopy(table.data(), table.offset() + id * d, out.data(), out.offset() + t * d, d);
        }
    }

    @Override
    public void scatterAddRows(Tensor dtable, Tensor dout, int[] ids) {
        int d = Shapes.lastDim("scatterAddRows", dtable);
        int rows = Shapes.rowsOf("scatterAddRows", dout, d);
        if (rows > ids.length) {
            throw new IllegalArgumentException("scatterAddRows: " + ids.length + " ids for " + dout.shapeString());
        }
        float[] dt = dtable.data();
        float[] g = dout.data();
        int vocab = dtable.size() / d;
        for (int t = 0; t < rows; t++) {
            if (ids[t] < 0 || ids[t] >= vocab) {
                throw new IllegalArgumentException("token id " + ids[t] + " at position " + t + " is outside [0, " + vocab
                        + ")");
            }
            int at = dtable.offset() + ids[t] * d;
            int go = dout.offset() + t * d;
            for (int j = 0; j < d; j++) {
                dt[at + j] += g[go + j];
            }
        }
    }

    // ------------------------------------------------------------------ optimiser steps

    @Override
    public void adamwUpdate(Tensor p, Tensor m, Tensor v, Tensor g, float lr, float b1, float b2, float eps, float c1,
                            float c2, float keep) {
        Shapes.same("adamwUpdate", p, m, v, g);
        float[] pv = p.data();
        float[] mv = m.data();
        float[] vv = v.data();
        float[] gv = g.data();
        float d1 = 1 - b1;
        float d2 = 1 - b2;
        for (int i = 0; i < p.size(); i++) {
            float gi = gv[g.offset() + i];
            float mi = b1 * mv[m.offset() + i] + d1 * gi;
            float vi = b2 * vv[v.offset() + i] + d2 * gi * gi;
            mv[m.offset() + i] = mi;
            vv[v.offset() + i] = vi;
            float mHat = mi / c1;
            float vHat = vi / c2;
            pv[p.offset() + i] = pv[p.offset() + i] * keep - lr * mHat / ((float) Math.sqrt(vHat) + eps);
        }
    }

    @Override
    public void sgdSaiUpdate(Tensor p, Tensor buf, Tensor g, float stepSize, float momentum, float dampening,
                             float keep, boolean first) {
        Shapes.same("sgdSaiUpdate", p, buf, g);
        float[] pv = p.data();
        float[] bv = buf.data();
        float[] gv = g.data();
        for (int i = 0; i < p.size(); i++) {
            float b = first ? gv[g.offset() + i] : momentum * bv[buf.offset() + i] + dampening * gv[g.offset() + i];
            bv[buf.offset() + i] = b;
            pv[p.offset() + i] = pv[p.offset() + i] * keep - stepSize * b;
        }
    }

    // ------------------------------------------------------------------ sequence operations

    @Override
    public SsdScanOp ssdScan(int chunkSize) {
        return new SsdScan(pool, chunkSize, vector);
    }

    @Override
    public CausalConvOp causalConv(int channels, int width) {
        return new CausalConvolution(channels, width, pool, vector);
    }

    @Override
    public AttentionOp attention(int nHeads, int nKvHeads, int headDim, int window) {
        return window == 0 ? CausalAttention.full(nHeads, nKvHeads, headDim, pool, vector)
                : CausalAttention.windowed(nHeads, nKvHeads, headDim, window, pool, vector);
    }

    @Override
    public RotaryOp rotary(int headDim, int tablePositions, double base) {
        return new Rope(headDim, tablePositions, base, vector);
    }

    @Override
    public FourierDensityOp fourierDensity(int frequencies, int bins) {
        return new FourierDensity(frequencies, bins, pool, vector);
    }
}
