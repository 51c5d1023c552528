package dev.chimera.core.layers;

import dev.chimera.core.kernel.Activation;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * Mamba2's gated RMSNorm (REFERENCE §2 step 5, gate before norm): v = y * silu(z), then each
 * group of dInner/G channels is scaled by 1/sqrt(mean(v^2) + eps) and by a learned weight.
 */
public final class GatedRmsNorm implements Layer {
    private final String name;
    private final int width;
    private final int groups;
    private final int groupWidth;
    private Tensor weight;   // (dInner)
    private Tensor dWeight;  // (dInner)

    public GatedRmsNorm(Parameters.Builder b, String prefix, int width, int groups) {
        this.name = prefix + ".weight";
        this.width = width;
        this.groups = groups;
        this.groupWidth = width / groups;
        b.add(name, false, width);
    }

    @Override
    public void bind(Parameters p) {
        weight = p.value(name);
        dWeight = p.grad(name);
    }

    public void initialise() {
        weight.fill(1f);
    }

    /** out (rows, dInner) from y and z (rows, dInner); rstd (rows * G) saved for backward. */
    public void forward(Tensor out, Tensor rstd, Tensor y, Tensor z) {
        int rows = y.size() / width;
        float[] w = weight.data();
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int o = r * width + g * groupWidth;
                double ss = 0;
                for (int i = 0; i < groupWidth; i++) {
                    double v = y.at(o + i) * Activation.SILU.apply(z.at(o + i));
                    ss += v * v;
                }
                float s = (float) (1 / Math.sqrt(ss / groupWidth + RmsNorm.EPS));
                rstd.data()[rstd.offset() + r * groups + g] = s;
                for (int i = 0; i < groupWidth; i++) {
                    float v = (float) (y.at(o + i) * Activation.SILU.apply(z.at(o + i)));
                    out.data()[out.offset() + o + i] = v * s * w[weight.offset() + g * groupWidth + i];
                }
            }
        }
    }

    /** dy and dz (rows, dInner) overwritten; dWeight accumulated. */
    public void backward(Tensor dy, Tensor dz, Tensor dOut, Tensor y, Tensor z, Tensor rstd) {
        int rows = y.size() / width;
        float[] w = weight.data();
        float[] dw = dWeight.data();
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int o = r * width + g * groupWidth;
                double s = rstd.at(r * groups + g);
                // RMSNorm backward on v: dv = s * (gw - vhat * mean(gw * vhat)), gw = dOut * w, vhat = v * s.
                double dot = 0;
                for (int i = 0; i < groupWidth; i++) {
                    double v = y.at(o + i) * Activation.SILU.apply(z.at(o + i));
                    dot += dOut.at(o + i) * w[weight.offset() + g * groupWidth + i] * v * s;
                }
                dot /= groupWidth;
                for (int i = 0; i < groupWidth; i++) {
                    double zi = z.at(o + i);
                    double gate = Activation.SILU.apply(zi);
                    double v = y.at(o + i) * gate;
                    double go = dOut.at(o + i);
                    int wi = g * groupWidth + i;
                    dw[dWeight.offset() + wi] += (float) (go * v * s);
                    double dv = s * (go * w[weight.offset() + wi] - v * s * dot);
                    dy.data()[dy.offset() + o + i] = (float) (dv * gate);
                    dz.data()[dz.offset() + o + i] = (float) (dv * y.at(o + i) * Activation.SILU.derivative(zi));
                }
            }
        }
    }
}
