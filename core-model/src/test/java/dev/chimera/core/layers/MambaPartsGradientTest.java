package dev.chimera.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.kernel.Activation;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import dev.chimera.core.backend.Backend;

/** The causal depthwise conv and the gated RMSNorm of the Mamba2 block against finite differences; conv step parity. */
class MambaPartsGradientTest {
    private static final dev.chimera.core.kernel.ComputePool POOL = new dev.chimera.core.kernel.ComputePool(2);
    /** The gated norm is a kernel: both implementations are checked against finite differences. */
    private static final dev.chimera.core.backend.Backend[] KERNELS = {
        new dev.chimera.core.kernel.ScalarBackend(), new dev.chimera.core.kernel.VectorBackend(POOL)};

    @org.junit.jupiter.api.AfterAll
    static void close() {
        POOL.close();
    }



    /** 21 channels: two 8-lane vectors or one 16-lane vector, and a scalar tail. */
    @Test
    void causalConvGradientsAndStepParity() {
        for (Backend kernels : KERNELS) {
            causalConvGradientsAndStepParity(kernels);
        }
    }

    private void causalConvGradientsAndStepParity(Backend kernels) {
        int batch = 2;
        int seqlen = 6;
        int c = 21;
        int k = 4;
        Parameters.Builder bld = Parameters.builder();
        CausalConv1d conv = new CausalConv1d(bld, "conv", c, k, kernels);
        Parameters p = bld.build();
        conv.bind(p);
        GradientCheck.randomise(p.values(), 51, 0.7);
        Tensor x = Tensor.uniform(52, -1, 1, batch, seqlen, c);
        Tensor r = Tensor.uniform(53, -1, 1, batch, seqlen, c);
        Tensor y = Tensor.zeros(batch, seqlen, c);
        Tensor dx = Tensor.zeros(batch, seqlen, c);
        conv.forward(y, x);
        conv.backward(dx, r, x);
        double[] th = GradientCheck.toDouble(p.values(), 0, p.size());
        double[] xd = GradientCheck.toDouble(x.data(), 0, x.size());
        double[] rd = GradientCheck.toDouble(r.data(), 0, r.size());
        int wOff = RefLayers.off(p, "conv.weight");
        int bOff = RefLayers.off(p, "conv.bias");
        double[] yRef = RefLayers.conv(xd, batch, seqlen, c, k, th, wOff, bOff);
        for (int i = 0; i < yRef.length; i++) {
            // four float32 products of size <= 0.7 plus a bias: a few ulps.
            assertEquals(yRef[i], y.at(i), 1e-6);
        }
        ToDoubleFunction<double[]> loss = t -> RefLayers.dot(RefLayers.conv(xd, batch, seqlen, c, k, t, wOff, bOff), rd);
        GradientCheck.assertParameters("", p, th, loss);
        GradientCheck.assertClose("input", dx.data(), 0, GradientCheck.numeric(xd, 0, xd.length,
                xs -> RefLayers.dot(RefLayers.conv(xs, batch, seqlen, c, k, th, wOff, bOff), rd)));

        // Inference on sequence 1: two prefill chunks (2 then 1 steps) carrying the state, then single steps.
        Tensor state = Tensor.zeros(c, k);
        Tensor[] states = {state};
        Tensor seq = x.select(1);
        Tensor chunkOut = Tensor.zeros(2, c);
        conv.prefill(chunkOut, state, seq.slice(0, 2));
        assertRows(y.select(1), chunkOut, 0, 2, c);
        conv.prefill(chunkOut.slice(0, 1), state, seq.slice(2, 3));
        assertRows(y.select(1), chunkOut, 2, 1, c);
        Tensor out = Tensor.zeros(1, c);
        for (int t = 3; t < seqlen; t++) {
            conv.step(out, states, seq.slice(t, t + 1));
            assertRows(y.select(1), out, t, 1, c);
        }
    }

    /** rows [from, from+n) of the parallel output equal got's first n rows (same products, same order). */
    private static void assertRows(Tensor parallel, Tensor got, int from, int n, int c) {
        for (int t = 0; t < n; t++) {
            for (int ch = 0; ch < c; ch++) {
                assertEquals(parallel.get(from + t, ch), got.get(t, ch), 1e-6, "t=" + (from + t) + " c=" + ch);
            }
        }
    }


    @Test
    void gatedRmsNormOneAndTwoGroups() {
        for (int groups : new int[] {1, 2}) {
            // 40 channels: groups of 40 or 20, so the vector kernel runs full vectors and a tail.
            int rows = 3;
            int width = 40;
            Parameters.Builder bld = Parameters.builder();
            GatedRmsNorm norm = new GatedRmsNorm(bld, "norm", width, groups);
            Parameters p = bld.build();
            norm.bind(p);
            GradientCheck.randomise(p.values(), 61, 1.0);
            Tensor y = Tensor.uniform(62, -1, 1, rows, width);
            Tensor z = Tensor.uniform(63, -2, 2, rows, width);
            Tensor r = Tensor.uniform(64, -1, 1, rows, width);
            Tensor out = Tensor.zeros(rows, width);
            Tensor rstd = Tensor.zeros(rows * groups);
            Tensor dy = Tensor.zeros(rows, width);
            Tensor dz = Tensor.zeros(rows, width);
            double[] th = GradientCheck.toDouble(p.values(), 0, p.size());
            double[] yd = GradientCheck.toDouble(y.data(), 0, y.size());
            double[] zd = GradientCheck.toDouble(z.data(), 0, z.size());
            double[] rd = GradientCheck.toDouble(r.data(), 0, r.size());
            double[] dWeight = GradientCheck.numeric(th, 0, width,
                    t -> RefLayers.dot(RefLayers.gatedNorm(yd, zd, rows, width, groups, t, 0), rd));
            double[] dY = GradientCheck.numeric(yd, 0, yd.length,
                    ys -> RefLayers.dot(RefLayers.gatedNorm(ys, zd, rows, width, groups, th, 0), rd));
            double[] dZ = GradientCheck.numeric(zd, 0, zd.length,
                    zs -> RefLayers.dot(RefLayers.gatedNorm(yd, zs, rows, width, groups, th, 0), rd));
            for (dev.chimera.core.backend.Backend k : KERNELS) {
                String what = k.name() + " G=" + groups;
                norm.forward(k, out, rstd, y, z);
                p.zeroGrads();
                norm.backward(k, dy, dz, r, y, z, rstd);
                GradientCheck.assertClose(what + " weight", p.grads(), 0, dWeight);
                GradientCheck.assertClose(what + " y", dy.data(), 0, dY);
                GradientCheck.assertClose(what + " z", dz.data(), 0, dZ);
            }
        }
    }
}
