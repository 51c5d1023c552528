package dev.chimera.core.kernel;

import dev.chimera.core.backend.CausalConvOp;
import dev.chimera.core.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU causal depthwise convolution (REFERENCE §2 step 2; mamba's causal_conv1d), channels last.
 * The training forward splits the rows over the pool; the backward, whose weight and bias sums run
 * over all rows, splits the channels, one contiguous run per thread, and walks the rows in tiles.
 * Channels run as Vector API lanes (the scalar backend: plain loops, one thread). The weight is
 * read transposed, (K, C), so that the lanes read contiguous memory. Every channel's sums run in
 * one fixed order whatever the lanes, threads or tasks: all paths give the same bits, tested
 * against each other and against a direct evaluation of the formula.
 */
final class CausalConvolution implements CausalConvOp {
    /** Rows (positions of all sequences) per task of the forward pass. */
    static final int FORWARD_ROWS = 128;
    /** Positions per tile in the backward pass: a thread's rows of x, dy and dx for one tile stay in cache. */
    static final int TILE = 32;
    private static final VectorSpecies<Float> SPECIES = Simd.FLOAT;

    private final int channels;
    private final int width;
    private final ComputePool pool;
    private final boolean vector;
    /** (K, C): the weight transposed by {@link #transpose}, reused by every call. */
    private final float[] weightT;
    /** (K, C): the weight gradient in the transposed layout, before it is added into dweight. */
    private final float[] dWeightT;

    CausalConvolution(int channels, int width, ComputePool pool, boolean vector) {
        if (channels < 1 || width < 1) {
            throw new IllegalArgumentException("causal conv needs channels, width >= 1, got " + channels + ", " + width);
        }
        this.channels = channels;
        this.width = width;
        this.pool = pool;
        this.vector = vector;
        this.weightT = new float[width * channels];
        this.dWeightT = new float[width * channels];
    }

    private void transpose(Tensor weight) {
        check("weight", weight, channels, width);
        float[] w = weight.data();
        for (int c = 0; c < channels; c++) {
            for (int j = 0; j < width; j++) {
                weightT[j * channels + c] = w[weight.offset() + c * width + j];
            }
        }
    }

    /** End of the channels of [from, to) that the vector loop covers; the rest run scalar. */
    private int vectorEnd(int from, int to) {
        return vector ? from + SPECIES.loopBound(to - from) : from;
    }

    @Override
    public void forward(Tensor y, Tensor x, Tensor weight, Tensor bias) {
        int[] bt = sequences("forward", x);
        y.requireSameShape("causal conv forward: y vs x", x);
        check("bias", bias, channels);
        transpose(weight);
        int rows = bt[0] * bt[1];
        pool.parallelFor((rows + FORWARD_ROWS - 1) / FORWARD_ROWS, task -> forwardRows(y, x, bias, bt[1],
                task * FORWARD_ROWS, Math.min(rows, (task + 1) * FORWARD_ROWS)));
    }

    /** y[b, t, c] = bias[c] + sum over valid taps j of w[j, c] * x[b, t - (K-1) + j, c], for rows b*T + t in [from, to). */
    private void forwardRows(Tensor y, Tensor x, Tensor bias, int seqlen, int from, int to) {
        float[] xv = x.data();
        float[] yv = y.data();
        float[] bv = bias.data();
        int k1 = width - 1;
        int vectorEnd = vectorEnd(0, channels);
        for (int row = from; row < to; row++) {
            int yo = y.offset() + row * channels;
            int x0 = x.offset() + (row - k1) * channels;
            int j0 = Math.max(0, k1 - row % seqlen);
            for (int c = 0; c < vectorEnd; c += SPECIES.length()) {
                FloatVector acc = FloatVector.fromArray(SPECIES, bv, bias.offset() + c);
                for (int j = j0; j < width; j++) {
                    FloatVector w = FloatVector.fromArray(SPECIES, weightT, j * channels + c);
                    acc = acc.add(w.mul(FloatVector.fromArray(SPECIES, xv, x0 + j * channels + c)));
                }
                acc.intoArray(yv, yo + c);
            }
            for (int c = vectorEnd; c < channels; c++) {
                float acc = bv[bias.offset() + c];
                for (int j = j0; j < width; j++) {
                    acc += weightT[j * channels + c] * xv[x0 + j * channels + c];
                }
                yv[yo + c] = acc;
            }
        }
    }

    @Override
    public void backward(Tensor dx, Tensor dweight, Tensor dbias, Tensor dy, Tensor x, Tensor weight) {
        int[] bt = sequences("backward", x);
        dx.requireSameShape("causal conv backward: dx vs x", x);
        dy.requireSameShape("causal conv backward: dy vs x", x);
        check("dweight", dweight, channels, width);
        check("dbias", dbias, channels);
        transpose(weight);
        java.util.Arrays.fill(dWeightT, 0f);
        // One contiguous run of channels per thread (whole vectors): each channel's sums stay in one task.
        int lanes = SPECIES.length();
        int blocks = Math.min(pool.threads(), (channels + lanes - 1) / lanes);
        int perBlock = (channels + blocks * lanes - 1) / (blocks * lanes) * lanes;
        pool.parallelFor(blocks, block -> backwardBlock(dx, dbias, dy, x, bt[0], bt[1], Math.min(channels, block * perBlock),
                Math.min(channels, (block + 1) * perBlock)));
        float[] dw = dweight.data();
        for (int c = 0; c < channels; c++) {
            for (int j = 0; j < width; j++) {
                dw[dweight.offset() + c * width + j] += dWeightT[j * channels + c];
            }
        }
    }

    /**
     * Channels [from, to) over tiles of TILE positions of each sequence, in order: dbias[c] += sum of
     * g[t, c]; dW[j, c] += sum of g[t, c] x[t-(K-1)+j, c] (one running sum per tap, t ascending); and
     * dx[s, c] = sum over the taps that read position s of w[j, c] g[s+(K-1)-j, c], t = s+(K-1)-j
     * ascending from 0: the order in which scattering each g into its taps adds the terms. A tile's
     * rows stay in cache while every pass reads them.
     */
    private void backwardBlock(Tensor dx, Tensor dbias, Tensor dy, Tensor x, int batch, int seqlen, int from, int to) {
        int vectorEnd = vectorEnd(from, to);
        for (int b = 0; b < batch; b++) {
            for (int t0 = 0; t0 < seqlen; t0 += TILE) {
                int t1 = Math.min(seqlen, t0 + TILE);
                for (int c = from; c < vectorEnd; c += SPECIES.length()) {
                    backwardTileVector(dx, dbias, dy, x, b * seqlen, seqlen, t0, t1, c);
                }
                for (int c = vectorEnd; c < to; c++) {
                    backwardTileScalar(dx, dbias, dy, x, b * seqlen, seqlen, t0, t1, c);
                }
            }
        }
    }

    /** backwardBlock's sums for positions [t0, t1) of the sequence starting at row {@code first}, one vector of channels from c. */
    private void backwardTileVector(Tensor dx, Tensor dbias, Tensor dy, Tensor x, int first, int seqlen,
                                    int t0, int t1, int c) {
        float[] g = dy.data();
        int go = dy.offset() + first * channels + c;
        int xo = x.offset() + first * channels + c;
        float[] xv = x.data();
        float[] d = dx.data();
        float[] dbv = dbias.data();
        int k1 = width - 1;
        FloatVector db = FloatVector.fromArray(SPECIES, dbv, dbias.offset() + c);
        for (int t = t0; t < t1; t++) {
            db = db.add(FloatVector.fromArray(SPECIES, g, go + t * channels));
        }
        db.intoArray(dbv, dbias.offset() + c);
        for (int j = 0; j < width; j++) {
            FloatVector dw = FloatVector.fromArray(SPECIES, dWeightT, j * channels + c);
            for (int t = Math.max(t0, k1 - j); t < t1; t++) {
                FloatVector gv = FloatVector.fromArray(SPECIES, g, go + t * channels);
                dw = dw.add(gv.mul(FloatVector.fromArray(SPECIES, xv, xo + (t - k1 + j) * channels)));
            }
            dw.intoArray(dWeightT, j * channels + c);
        }
        int dxo = dx.offset() + first * channels + c;
        for (int s = t0; s < t1; s++) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (int t = s; t <= Math.min(s + k1, seqlen - 1); t++) {
                FloatVector w = FloatVector.fromArray(SPECIES, weightT, (k1 - t + s) * channels + c);
                acc = acc.add(w.mul(FloatVector.fromArray(SPECIES, g, go + t * channels)));
            }
            acc.intoArray(d, dxo + s * channels);
        }
    }

    /** backwardTileVector for one channel, in plain floats. */
    private void backwardTileScalar(Tensor dx, Tensor dbias, Tensor dy, Tensor x, int first, int seqlen,
                                    int t0, int t1, int c) {
        float[] g = dy.data();
        int go = dy.offset() + first * channels + c;
        int xo = x.offset() + first * channels + c;
        float[] xv = x.data();
        float[] d = dx.data();
        float[] dbv = dbias.data();
        int k1 = width - 1;
        float db = dbv[dbias.offset() + c];
        for (int t = t0; t < t1; t++) {
            db += g[go + t * channels];
        }
        dbv[dbias.offset() + c] = db;
        for (int j = 0; j < width; j++) {
            float dw = dWeightT[j * channels + c];
            for (int t = Math.max(t0, k1 - j); t < t1; t++) {
                dw += g[go + t * channels] * xv[xo + (t - k1 + j) * channels];
            }
            dWeightT[j * channels + c] = dw;
        }
        int dxo = dx.offset() + first * channels + c;
        for (int s = t0; s < t1; s++) {
            float acc = 0f;
            for (int t = s; t <= Math.min(s + k1, seqlen - 1); t++) {
                acc += weightT[(k1 - t + s) * channels + c] * g[go + t * channels];
            }
            d[dxo + s * channels] = acc;
        }
    }

    @Override
    public void prefill(Tensor y, Tensor state, Tensor x, Tensor weight, Tensor bias) {
        if (x.rank() != 2 || x.dim(1) != channels) {
            throw new IllegalArgumentException("causal conv prefill: x must be (T, " + channels + "), got "
                    + x.shapeString());
        }
        y.requireSameShape("causal conv prefill: y vs x", x);
        check("state", state, channels, width);
        check("weight", weight, channels, width);
        check("bias", bias, channels);
        int seqlen = x.dim(0);
        float[] w = weight.data();
        int wo = weight.offset();
        float[] s = state.data();
        int so = state.offset();
        float[] xv = x.data();
        int k1 = width - 1;
        for (int t = 0; t < seqlen; t++) {
            int yo = y.offset() + t * channels;
            for (int c = 0; c < channels; c++) {
                float acc = bias.data()[bias.offset() + c];
                for (int j = 0; j < width; j++) {
                    int src = t - k1 + j;
                    // src < 0 reads the state: its slot K + src holds the input |src| steps before the chunk.
                    float v = src >= 0 ? xv[x.offset() + src * channels + c] : s[so + c * width + width + src];
                    acc += w[wo + c * width + j] * v;
                }
                y.data()[yo + c] = acc;
            }
        }
        for (int c = 0; c < channels; c++) {
            int row = so + c * width;
            for (int j = 0; j < width; j++) {
                int src = seqlen - width + j;
                s[row + j] = src >= 0 ? xv[x.offset() + src * channels + c] : s[row + j + seqlen];
            }
        }
    }

    @Override
    public void step(Tensor y, Tensor[] states, Tensor x, Tensor weight, Tensor bias) {
        if (x.rank() != 2 || x.dim(1) != channels || x.dim(0) > states.length) {
            throw new IllegalArgumentException("causal conv step: x must be (n <= " + states.length + " states, "
                    + channels + "), got " + x.shapeString());
        }
        y.requireSameShape("causal conv step: y vs x", x);
        float[] w = weight.data();
        int wo = weight.offset();
        float[] bv = bias.data();
        float[] xv = x.data();
        float[] yv = y.data();
        for (int i = 0; i < x.dim(0); i++) {
            Tensor state = states[i];
            checkState(state);
            float[] s = state.data();
            int xo = x.offset() + i * channels;
            int yo = y.offset() + i * channels;
            for (int c = 0; c < channels; c++) {
                int row = state.offset() + c * width;
                System.arraycopy(s, row + 1, s, row, width - 1);
                s[row + width - 1] = xv[xo + c];
                float acc = bv[bias.offset() + c];
                for (int j = 0; j < width; j++) {
                    acc += w[wo + c * width + j] * s[row + j];
                }
                yv[yo + c] = acc;
            }
        }
    }

    /** {batch, T} of x (batch, T, C). */
    private int[] sequences(String op, Tensor x) {
        if (x.rank() != 3 || x.dim(2) != channels) {
            throw new IllegalArgumentException("causal conv " + op + ": x must be (batch, T, " + channels + "), got "
                    + x.shapeString());
        }
        return new int[] {x.dim(0), x.dim(1)};
    }

    /** The step's per-sequence check, written out so that it allocates nothing. */
    private void checkState(Tensor state) {
        if (state.rank() != 2 || state.dim(0) != channels || state.dim(1) != width) {
            check("state", state, channels, width);
        }
    }

    private static void check(String what, Tensor t, int... shape) {
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("causal conv: " + what + " must be " + Tensor.shapeString(shape)
                    + ", got " + t.shapeString());
        }
    }
}
