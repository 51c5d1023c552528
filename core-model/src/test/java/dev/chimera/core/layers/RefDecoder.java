package dev.chimera.core.layers;

import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;

/** The whole decoder's forward in double precision, built from {@link RefLayers}; token input, softmax head. */
final class RefDecoder {
    private RefDecoder() {
    }

    /** Final-norm hidden states (batch*T, d) for token ids (batch, T). */
    static double[] hidden(ModelConfig c, Parameters p, double[] th, int[] ids, int batch, int seqlen) {
        int d = c.dModel();
        int rows = batch * seqlen;
        double[] x = new double[rows * d];
        int embed = RefLayers.off(p, "embed.weight");
        for (int r = 0; r < rows; r++) {
            System.arraycopy(th, embed + ids[r] * d, x, r * d, d);
        }
        int attention = 0;
        for (int l = 0; l < c.nLayers(); l++) {
            String prefix = "layers." + l;
            double[] n1 = RefLayers.rmsNorm(x, rows, d, th, RefLayers.off(p, prefix + ".norm1.weight"), RmsNorm.EPS);
            double[] mix;
            if (c.isAttention(l)) {
                int window = c.spans().get(attention++).window();
                mix = new double[rows * d];
                for (int b = 0; b < batch; b++) {
                    double[] seq = java.util.Arrays.copyOfRange(n1, b * seqlen * d, (b + 1) * seqlen * d);
                    double[] out = RefLayers.attentionMixer(seq, seqlen, d, c.attnHeads(), c.kvHeads(), window,
                            c.ropeBase(), th, p, prefix + ".attn");
                    System.arraycopy(out, 0, mix, b * seqlen * d, out.length);
                }
            } else {
                mix = RefLayers.mamba2(n1, batch, seqlen, c, th, p, prefix + ".mamba");
            }
            for (int i = 0; i < x.length; i++) {
                x[i] += mix[i];
            }
            double[] n2 = RefLayers.rmsNorm(x, rows, d, th, RefLayers.off(p, prefix + ".norm2.weight"), RmsNorm.EPS);
            double[] m = RefLayers.mlp(c.mlp(), n2, rows, d, c.mlpHidden(), th, p, prefix + ".mlp");
            for (int i = 0; i < x.length; i++) {
                x[i] += m[i];
            }
        }
        return RefLayers.rmsNorm(x, rows, d, th, RefLayers.off(p, "final_norm.weight"), RmsNorm.EPS);
    }

    /** Mean next-token cross-entropy of the softmax head. */
    static double loss(ModelConfig c, Parameters p, double[] th, int[] ids, int[] targets, int batch, int seqlen) {
        int rows = batch * seqlen;
        int vocab = c.head().integer("vocabSize", 1);
        String weight = c.head().bool("tied", false) ? "embed.weight" : "head.weight";
        double[] logits = RefLayers.linear(hidden(c, p, th, ids, batch, seqlen), rows, c.dModel(), th,
                RefLayers.off(p, weight), vocab, -1);
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[r * vocab + v]);
            }
            double z = 0;
            for (int v = 0; v < vocab; v++) {
                z += Math.exp(logits[r * vocab + v] - max);
            }
            sum += max + Math.log(z) - logits[r * vocab + targets[r]];
        }
        return sum / rows;
    }
}
