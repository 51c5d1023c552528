package dev.chimera.core.kernel;

import dev.chimera.core.backend.CausalConvOp;
import dev.chimera.core.tensor.Tensor;

/**
 * The CPU causal depthwise convolution (REFERENCE §2 step 2; mamba's causal_conv1d): plain loops
 * over channels, which are contiguous (channels last) and vectorised by the JIT. The weight is
 * read transposed, (K, C), so that the loops over channels run over contiguous memory. Shared by
 * both CPU backends: it is its own reference, tested against a direct evaluation of the formula.
 */
final class CausalConvolution implements CausalConvOp {
    private final int channels;
    private final int width;
    /** (K, C): the weight transposed by {@link #transpose}, reused by every call. */
    private final float[] weightT;
    /** (K, C): the weight gradient in the transposed layout, before it is added into dweight. */
    private final float[] dWeightT;

    CausalConvolution(int channels, int width) {
        if (channels < 1 || width < 1) {
            throw new IllegalArgumentException("causal conv needs channels, width >= 1, got " + channels + ", " + width);
        }
        this.channels = channels;
        this.width = width;
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

    @Override
    public void forward(Tensor y, Tensor x, Tensor weight, Tensor bias) {
        int[] bt = sequences("forward", x);
        y.requireSameShape("causal conv forward: y vs x", x);
        check("bias", bias, channels);
        transpose(weight);
        float[] xv = x.data();
        float[] yv = y.data();
        float[] bv = bias.data();
        int k1 = width - 1;
        int seqlen = bt[1];
        for (int b = 0; b < bt[0]; b++) {
            for (int t = 0; t < seqlen; t++) {
                int yo = y.offset() + (b * seqlen + t) * channels;
                System.arraycopy(bv, bias.offset(), yv, yo, channels);
                for (int j = Math.max(0, k1 - t); j < width; j++) {
                    int xo = x.offset() + (b * seqlen + t - k1 + j) * channels;
                    int wj = j * channels;
                    for (int c = 0; c < channels; c++) {
                        yv[yo + c] += weightT[wj + c] * xv[xo + c];
                    }
                }
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
        float[] xv = x.data();
        float[] g = dy.data();
        float[] d = dx.data();
        float[] db = dbias.data();
        int k1 = width - 1;
        int seqlen = bt[1];
        dx.fill(0f);
        for (int b = 0; b < bt[0]; b++) {
            for (int t = 0; t < seqlen; t++) {
                int go = dy.offset() + (b * seqlen + t) * channels;
                for (int c = 0; c < channels; c++) {
                    db[dbias.offset() + c] += g[go + c];
                }
                for (int j = Math.max(0, k1 - t); j < width; j++) {
                    int xo = (b * seqlen + t - k1 + j) * channels;
                    int wj = j * channels;
                    for (int c = 0; c < channels; c++) {
                        dWeightT[wj + c] += g[go + c] * xv[x.offset() + xo + c];
                        d[dx.offset() + xo + c] += weightT[wj + c] * g[go + c];
                    }
                }
            }
        }
        float[] dw = dweight.data();
        for (int c = 0; c < channels; c++) {
            for (int j = 0; j < width; j++) {
                dw[dweight.offset() + c * width + j] += dWeightT[j * channels + c];
            }
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
