package dev.chimera.core.kernel;

import dev.chimera.core.tensor.Tensor;

/**
 * The reference backend: plain loops, one thread, sums accumulated in double, and the scalar
 * inner loops of the sequence operations. Slow on purpose; every optimised backend is tested
 * against it.
 */
public final class ScalarBackend extends CpuBackend {

    public ScalarBackend() {
        super(new ComputePool(1), false);
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void gemm(GemmForm form, Tensor c, Tensor a, Tensor b, boolean accumulate) {
        GemmForm.Dims d = form.dims(c, a, b);
        float[] av = a.data();
        float[] bv = b.data();
        float[] cv = c.data();
        int m = d.m;
        int n = d.n;
        int k = d.k;
        for (int batch = 0; batch < d.batch; batch++) {
            int ao = a.offset() + batch * m * k;
            int bo = b.offset() + batch * k * n;
            int co = c.offset() + batch * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = accumulate ? cv[co + i * n + j] : 0;
                    for (int p = 0; p < k; p++) {
                        float x = form == GemmForm.AtB ? av[ao + p * m + i] : av[ao + i * k + p];
                        float y = form == GemmForm.ABt ? bv[bo + j * k + p] : bv[bo + p * n + j];
                        sum += (double) x * y;
                    }
                    cv[co + i * n + j] = (float) sum;
                }
            }
        }
    }

    @Override
    public void activation(Activation f, Tensor out, Tensor x) {
        Shapes.same("activation", out, x);
        for (int i = 0; i < x.size(); i++) {
            out.data()[out.offset() + i] = (float) f.apply(x.data()[x.offset() + i]);
        }
    }

    @Override
    public void activationBackward(Activation f, Tensor dx, Tensor dy, Tensor x) {
        Shapes.same("activationBackward", dx, dy, x);
        for (int i = 0; i < x.size(); i++) {
            dx.data()[dx.offset() + i] = (float) (dy.data()[dy.offset() + i] * f.derivative(x.data()[x.offset() + i]));
        }
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        Shapes.same("add", out, a, b);
        for (int i = 0; i < out.size(); i++) {
            out.data()[out.offset() + i] = a.data()[a.offset() + i] + b.data()[b.offset() + i];
        }
    }

    @Override
    public void mul(Tensor out, Tensor a, Tensor b) {
        Shapes.same("mul", out, a, b);
        for (int i = 0; i < out.size(); i++) {
            out.data()[out.offset() + i] = a.data()[a.offset() + i] * b.data()[b.offset() + i];
        }
    }

    @Override
    public void scale(Tensor out, float alpha, Tensor x) {
        Shapes.same("scale", out, x);
        for (int i = 0; i < out.size(); i++) {
            out.data()[out.offset() + i] = alpha * x.data()[x.offset() + i];
        }
    }

    @Override
    public void rmsNorm(Tensor out, Tensor rstd, Tensor x, Tensor weight, float eps) {
        Shapes.same("rmsNorm", out, x);
        int cols = Shapes.lastDim("rmsNorm", x);
        int rows = Shapes.rows(x, cols);
        Shapes.vector("rmsNorm", "weight", weight, cols, x);
        Shapes.vector("rmsNorm", "rstd", rstd, rows, x);
        float[] xv = x.data();
        float[] w = weight.data();
        for (int r = 0; r < rows; r++) {
            int xo = x.offset() + r * cols;
            double ss = 0;
            for (int i = 0; i < cols; i++) {
                ss += (double) xv[xo + i] * xv[xo + i];
            }
            double s = 1 / Math.sqrt(ss / cols + eps);
            rstd.data()[rstd.offset() + r] = (float) s;
            for (int i = 0; i < cols; i++) {
                out.data()[out.offset() + r * cols + i] = (float) (xv[xo + i] * s * w[weight.offset() + i]);
            }
        }
    }

    @Override
    public void rmsNormBackward(Tensor dx, Tensor dweight, Tensor dout, Tensor x, Tensor weight, Tensor rstd) {
        Shapes.same("rmsNormBackward", dx, dout, x);
        int cols = Shapes.lastDim("rmsNormBackward", x);
        int rows = Shapes.rows(x, cols);
        Shapes.vector("rmsNormBackward", "weight", weight, cols, x);
        Shapes.vector("rmsNormBackward", "dweight", dweight, cols, x);
        Shapes.vector("rmsNormBackward", "rstd", rstd, rows, x);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double s = rstd.data()[rstd.offset() + r];
            double dot = 0;
            for (int i = 0; i < cols; i++) {
                double xhat = x.data()[x.offset() + o + i] * s;
                double g = (double) dout.data()[dout.offset() + o + i] * weight.data()[weight.offset() + i];
                dot += g * xhat;
            }
            dot /= cols;
            for (int i = 0; i < cols; i++) {
                double xhat = x.data()[x.offset() + o + i] * s;
                double go = dout.data()[dout.offset() + o + i];
                double g = go * weight.data()[weight.offset() + i];
                dx.data()[dx.offset() + o + i] = (float) (s * (g - xhat * dot));
                dweight.data()[dweight.offset() + i] += (float) (go * xhat);
            }
        }
    }

    @Override
    public void gatedRmsNorm(Tensor out, Tensor rstd, Tensor y, Tensor z, Tensor weight, int groups, float eps) {
        int[] dims = Shapes.gatedNorm("gatedRmsNorm", y, z, out, weight, rstd, groups);
        int cols = dims[1];
        int width = dims[2];
        for (int r = 0; r < dims[0]; r++) {
            for (int g = 0; g < groups; g++) {
                int o = r * cols + g * width;
                double ss = 0;
                for (int i = 0; i < width; i++) {
                    double v = y.at(o + i) * Activation.SILU.apply(z.at(o + i));
                    ss += v * v;
                }
                double s = 1 / Math.sqrt(ss / width + eps);
                rstd.data()[rstd.offset() + r * groups + g] = (float) s;
                for (int i = 0; i < width; i++) {
                    double v = y.at(o + i) * Activation.SILU.apply(z.at(o + i));
                    out.data()[out.offset() + o + i] = (float) (v * s * weight.at(g * width + i));
                }
            }
        }
    }

    @Override
    public void gatedRmsNormBackward(Tensor dy, Tensor dz, Tensor dweight, Tensor dout, Tensor y, Tensor z,
                                     Tensor weight, Tensor rstd, int groups) {
        int[] dims = Shapes.gatedNorm("gatedRmsNormBackward", y, z, dout, weight, rstd, groups);
        Shapes.same("gatedRmsNormBackward", y, dy, dz);
        Shapes.vector("gatedRmsNormBackward", "dweight", dweight, dims[1], y);
        int cols = dims[1];
        int width = dims[2];
        for (int r = 0; r < dims[0]; r++) {
            for (int g = 0; g < groups; g++) {
                int o = r * cols + g * width;
                double s = rstd.at(r * groups + g);
                // RMSNorm backward on v: dv = s * (gw - vhat * mean(gw * vhat)), gw = dout * w, vhat = v * s.
                double dot = 0;
                for (int i = 0; i < width; i++) {
                    double v = y.at(o + i) * Activation.SILU.apply(z.at(o + i));
                    dot += dout.at(o + i) * weight.at(g * width + i) * v * s;
                }
                dot /= width;
                for (int i = 0; i < width; i++) {
                    double zi = z.at(o + i);
                    double gate = Activation.SILU.apply(zi);
                    double v = y.at(o + i) * gate;
                    double go = dout.at(o + i);
                    int wi = g * width + i;
                    dweight.data()[dweight.offset() + wi] += (float) (go * v * s);
                    double dv = s * (go * weight.at(wi) - v * s * dot);
                    dy.data()[dy.offset() + o + i] = (float) (dv * gate);
                    dz.data()[dz.offset() + o + i] = (float) (dv * y.at(o + i) * Activation.SILU.derivative(zi));
                }
            }
        }
    }

    /** Writes softmax of one row and returns its log-sum-exp. */
    private static double softmaxRow(float[] out, int oo, float[] x, int xo, int cols) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < cols; i++) {
            max = Math.max(max, x[xo + i]);
        }
        double sum = 0;
        for (int i = 0; i < cols; i++) {
            sum += Math.exp(x[xo + i] - max);
        }
        for (int i = 0; i < cols; i++) {
            out[oo + i] = (float) (Math.exp(x[xo + i] - max) / sum);
        }
        return max + Math.log(sum);
    }

    @Override
    public void softmaxCrossEntropy(Tensor losses, Tensor probs, Tensor logits, int[] targets) {
        Shapes.same("softmaxCrossEntropy", probs, logits);
        int vocab = Shapes.lastDim("softmaxCrossEntropy", logits);
        int rows = Shapes.rows(logits, vocab);
        Shapes.vector("softmaxCrossEntropy", "losses", losses, rows, logits);
        Shapes.targets("softmaxCrossEntropy", targets, rows, vocab);
        for (int r = 0; r < rows; r++) {
            int o = r * vocab;
            double lse = softmaxRow(probs.data(), probs.offset() + o, logits.data(), logits.offset() + o, vocab);
            int t = targets[r];
            losses.data()[losses.offset() + r] =
                    t == IGNORE_TARGET ? 0f : (float) (lse - logits.data()[logits.offset() + o + t]);
        }
    }

    @Override
    public void softmaxCrossEntropyBackward(Tensor dlogits, Tensor dlosses, Tensor probs, int[] targets) {
        Shapes.same("softmaxCrossEntropyBackward", dlogits, probs);
        int vocab = Shapes.lastDim("softmaxCrossEntropyBackward", probs);
        int rows = Shapes.rows(probs, vocab);
        Shapes.vector("softmaxCrossEntropyBackward", "dlosses", dlosses, rows, probs);
        Shapes.targets("softmaxCrossEntropyBackward", targets, rows, vocab);
        for (int r = 0; r < rows; r++) {
            int o = r * vocab;
            int t = targets[r];
            float scale = t == IGNORE_TARGET ? 0f : dlosses.data()[dlosses.offset() + r];
            for (int i = 0; i < vocab; i++) {
                float p = probs.data()[probs.offset() + o + i];
                dlogits.data()[dlogits.offset() + o + i] = (p - (i == t ? 1f : 0f)) * scale;
            }
        }
    }
}
