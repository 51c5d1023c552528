package dev.chimera.core.layers;

import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * Depthwise causal 1-D convolution over time with bias, channels last (REFERENCE §2 step 2):
 * y[b,t,c] = bias[c] + sum_{j<K} w[c,j] * x[b, t-(K-1)+j, c], with x = 0 before the start of the
 * sequence (left padding K-1). The weight is stored (C, K) (mamba's conv1d.weight without its
 * singleton middle axis). The inference step keeps the last K inputs per channel as its state.
 */
public final class CausalConv1d implements Layer {
    private final String weightName;
    private final String biasName;
    private final int channels;
    private final int width;
    private Tensor weight;   // (C, K)
    private Tensor dWeight;  // (C, K)
    private Tensor bias;     // (C)
    private Tensor dBias;    // (C)

    public CausalConv1d(Parameters.Builder b, String prefix, int channels, int width) {
        this.weightName = prefix + ".weight";
        this.biasName = prefix + ".bias";
        this.channels = channels;
        this.width = width;
        b.add(weightName, true, channels, width);
        b.add(biasName, false, channels);
    }

    @Override
    public void bind(Parameters p) {
        weight = p.value(weightName);
        dWeight = p.grad(weightName);
        bias = p.value(biasName);
        dBias = p.grad(biasName);
    }

    /** PyTorch's default for a depthwise conv: weight and bias uniform in +-1/sqrt(K). */
    public void initialise(java.util.SplittableRandom random) {
        double bound = 1 / Math.sqrt(width);
        for (int i = 0; i < weight.size(); i++) {
            weight.data()[weight.offset() + i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        for (int i = 0; i < bias.size(); i++) {
            bias.data()[bias.offset() + i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
    }

    public int width() {
        return width;
    }

    /** The weight as (K, C), so that the loops over channels run over contiguous memory and vectorise. */
    private float[] transposedWeight() {
        float[] wT = new float[width * channels];
        for (int c = 0; c < channels; c++) {
            for (int j = 0; j < width; j++) {
                wT[j * channels + c] = weight.data()[weight.offset() + c * width + j];
            }
        }
        return wT;
    }

    /** y, x: (batch, T, C). */
    public void forward(Tensor y, Tensor x, int batch, int seqlen) {
        float[] xv = x.data();
        float[] yv = y.data();
        float[] wT = transposedWeight();
        float[] bv = bias.data();
        int k1 = width - 1;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seqlen; t++) {
                int yo = y.offset() + (b * seqlen + t) * channels;
                System.arraycopy(bv, bias.offset(), yv, yo, channels);
                for (int j = Math.max(0, k1 - t); j < width; j++) {
                    int xo = x.offset() + (b * seqlen + t - k1 + j) * channels;
                    int wj = j * channels;
                    for (int c = 0; c < channels; c++) {
                        yv[yo + c] += wT[wj + c] * xv[xo + c];
                    }
                }
            }
        }
    }

    /** dx (batch, T, C) overwritten; dWeight and dBias accumulated. */
    public void backward(Tensor dx, Tensor dy, Tensor x, int batch, int seqlen) {
        float[] xv = x.data();
        float[] g = dy.data();
        float[] d = dx.data();
        float[] wT = transposedWeight();
        float[] dwT = new float[width * channels];
        float[] db = dBias.data();
        int k1 = width - 1;
        dx.fill(0f);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seqlen; t++) {
                int go = dy.offset() + (b * seqlen + t) * channels;
                for (int c = 0; c < channels; c++) {
                    db[dBias.offset() + c] += g[go + c];
                }
                for (int j = Math.max(0, k1 - t); j < width; j++) {
                    int xo = (b * seqlen + t - k1 + j) * channels;
                    int wj = j * channels;
                    for (int c = 0; c < channels; c++) {
                        dwT[wj + c] += g[go + c] * xv[x.offset() + xo + c];
                        d[dx.offset() + xo + c] += wT[wj + c] * g[go + c];
                    }
                }
            }
        }
        for (int c = 0; c < channels; c++) {
            for (int j = 0; j < width; j++) {
                dWeight.data()[dWeight.offset() + c * width + j] += dwT[j * channels + c];
            }
        }
    }

    /**
     * One inference step for one sequence: state (C, K) holds the last K inputs per channel
     * (oldest first); it rolls left, takes x (C) at the end, and y (C) is the convolution.
     */
    public void step(float[] y, int yOff, float[] state, int stateOff, float[] x, int xOff) {
        float[] w = weight.data();
        int wo = weight.offset();
        for (int c = 0; c < channels; c++) {
            int s = stateOff + c * width;
            System.arraycopy(state, s + 1, state, s, width - 1);
            state[s + width - 1] = x[xOff + c];
            float acc = bias.data()[bias.offset() + c];
            for (int j = 0; j < width; j++) {
                acc += w[wo + c * width + j] * state[s + j];
            }
            y[yOff + c] = acc;
        }
    }

    /**
     * Inference over a chunk x (T, C) of one sequence that continues from {@code state} (C, K):
     * the K-1 inputs before the chunk come from the state instead of zeros, and afterwards the
     * state holds the last K inputs. y: (T, C).
     */
    public void prefillChunk(Tensor y, Tensor x, int seqlen, float[] state) {
        float[] w = weight.data();
        int wo = weight.offset();
        int k1 = width - 1;
        for (int t = 0; t < seqlen; t++) {
            int yo = y.offset() + t * channels;
            for (int c = 0; c < channels; c++) {
                float acc = bias.data()[bias.offset() + c];
                for (int j = 0; j < width; j++) {
                    int src = t - k1 + j;
                    // src < 0 reads the state: its slot K + src holds the input |src| steps before the chunk.
                    float v = src >= 0 ? x.data()[x.offset() + src * channels + c] : state[c * width + width + src];
                    acc += w[wo + c * width + j] * v;
                }
                y.data()[yo + c] = acc;
            }
        }
        for (int c = 0; c < channels; c++) {
            int s = c * width;
            for (int j = 0; j < width; j++) {
                int src = seqlen - width + j;
                state[s + j] = src >= 0 ? x.data()[x.offset() + src * channels + c] : state[s + j + seqlen];
            }
        }
    }
}
