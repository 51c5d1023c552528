package dev.chimera.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Arena;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.model.ModelConfig.MlpKind;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every simple layer's float backward against central finite differences of an independent
 * double-precision forward (RefLayers): norm-wise relative error <= 1e-4 on every parameter
 * tensor and on the input. Loss = sum(y * R) with a fixed random R, so dL/dy = R.
 */
class LayerGradientTest {
    private static final ComputePool POOL = new ComputePool(2);
    private static final Backend K = Backends.cpu(POOL);

    @AfterAll
    static void close() {
        POOL.close();
    }


    private static double[] asDouble(Tensor t) {
        return GradientCheck.toDouble(t.data(), t.offset(), t.size());
    }

    @Test
    void linearWithBias() {
        int rows = 5;
        int in = 7;
        int out = 3;
        Parameters.Builder b = Parameters.builder();
        Linear lin = new Linear(b, "lin", in, out, true);
        Parameters p = b.build();
        lin.bind(p);
        GradientCheck.randomise(p.values(), 1, 0.5);
        Tensor x = Tensor.uniform(2, -1, 1, rows, in);
        Tensor r = Tensor.uniform(3, -1, 1, rows, out);
        Tensor y = Tensor.zeros(rows, out);
        Tensor dx = Tensor.zeros(rows, in);
        lin.forward(K, y, x);
        lin.backward(K, dx, r, x, false);

        double[] theta = GradientCheck.toDouble(p.values(), 0, p.size());
        double[] xd = asDouble(x);
        double[] rd = asDouble(r);
        int wOff = RefLayers.off(p, "lin.weight");
        int bOff = RefLayers.off(p, "lin.bias");
        double[] yRef = RefLayers.linear(xd, rows, in, theta, wOff, out, bOff);
        for (int i = 0; i < yRef.length; i++) {
            // float32 dot of 7 terms of size <= 0.5: a few ulps of |y| <= 4.
            assertEquals(yRef[i], y.at(i), 1e-5);
        }
        java.util.function.ToDoubleFunction<double[]> lossOfTheta =
                th -> RefLayers.dot(RefLayers.linear(xd, rows, in, th, wOff, out, bOff), rd);
        GradientCheck.assertParameters("", p, theta, lossOfTheta);
        GradientCheck.assertClose("input", dx.data(), 0, GradientCheck.numeric(xd, 0, xd.length,
                xs -> RefLayers.dot(RefLayers.linear(xs, rows, in, theta, wOff, out, bOff), rd)));
    }

    @Test
    void backwardAccumulatesParameterGradientsAndOptionallyDx() {
        Parameters.Builder b = Parameters.builder();
        Linear lin = new Linear(b, "lin", 4, 3, false);
        Parameters p = b.build();
        lin.bind(p);
        GradientCheck.randomise(p.values(), 4, 0.5);
        Tensor x = Tensor.uniform(5, -1, 1, 2, 4);
        Tensor dy = Tensor.uniform(6, -1, 1, 2, 3);
        Tensor dx = Tensor.zeros(2, 4);
        lin.backward(K, dx, dy, x, false);
        float[] once = p.grads().clone();
        float[] dxOnce = dx.toArray();
        lin.backward(K, dx, dy, x, true);
        for (int i = 0; i < once.length; i++) {
            assertEquals(2 * once[i], p.grads()[i], 1e-6);
        }
        for (int i = 0; i < dxOnce.length; i++) {
            assertEquals(2 * dxOnce[i], dx.at(i), 1e-6);
        }
    }

    @Test
    void rmsNormLayer() {
        int rows = 4;
        int d = 9;
        Parameters.Builder b = Parameters.builder();
        RmsNorm norm = new RmsNorm(b, "norm", d);
        Parameters p = b.build();
        norm.bind(p);
        GradientCheck.randomise(p.values(), 7, 1.0);
        Tensor x = Tensor.uniform(8, -1, 1, rows, d);
        Tensor r = Tensor.uniform(9, -1, 1, rows, d);
        Tensor y = Tensor.zeros(rows, d);
        Tensor rstd = Tensor.zeros(rows);
        Tensor dx = Tensor.zeros(rows, d);
        norm.forward(K, y, rstd, x);
        norm.backward(K, dx, r, x, rstd);
        double[] theta = GradientCheck.toDouble(p.values(), 0, p.size());
        double[] xd = asDouble(x);
        double[] rd = asDouble(r);
        int wOff = RefLayers.off(p, "norm.weight");
        GradientCheck.assertClose("norm.weight", p.grads(), wOff, GradientCheck.numeric(theta, wOff, wOff + d,
                th -> RefLayers.dot(RefLayers.rmsNorm(xd, rows, d, th, wOff, RmsNorm.EPS), rd)));
        GradientCheck.assertClose("input", dx.data(), 0, GradientCheck.numeric(xd, 0, xd.length,
                xs -> RefLayers.dot(RefLayers.rmsNorm(xs, rows, d, theta, wOff, RmsNorm.EPS), rd)));
    }

    @Test
    void swigluAndReluMlp() {
        for (MlpKind kind : MlpKind.values()) {
            int rows = 6;
            int d = 5;
            int hidden = 11;
            Parameters.Builder b = Parameters.builder();
            Mlp mlp = new Mlp(b, "mlp", kind, d, hidden);
            Parameters p = b.build();
            mlp.bind(p);
            GradientCheck.randomise(p.values(), 10, 0.6);
            Tensor x = Tensor.uniform(11, -1, 1, rows, d);
            Tensor r = Tensor.uniform(12, -1, 1, rows, d);
            Tensor y = Tensor.zeros(rows, d);
            Tensor dx = Tensor.zeros(rows, d);
            Arena arena = new Arena(K);
            Mlp.Activations acts = mlp.new Activations(arena, rows);
            arena.allocate();
            mlp.forward(K, y, x, acts);
            mlp.backward(K, dx, r, x, acts);
            double[] theta = GradientCheck.toDouble(p.values(), 0, p.size());
            double[] xd = asDouble(x);
            double[] rd = asDouble(r);
            double[] yRef = RefLayers.mlp(kind, xd, rows, d, hidden, theta, p, "mlp");
            for (int i = 0; i < yRef.length; i++) {
                // two float32 GEMMs of <= 11 terms of magnitude <= 1: well under 1e-5 absolute.
                assertEquals(yRef[i], y.at(i), 1e-5, kind + " y[" + i + "]");
            }
            java.util.function.ToDoubleFunction<double[]> loss =
                    th -> RefLayers.dot(RefLayers.mlp(kind, xd, rows, d, hidden, th, p, "mlp"), rd);
            GradientCheck.assertParameters(kind + " ", p, theta, loss);
            GradientCheck.assertClose(kind + " input", dx.data(), 0, GradientCheck.numeric(xd, 0, xd.length,
                    xs -> RefLayers.dot(RefLayers.mlp(kind, xs, rows, d, hidden, theta, p, "mlp"), rd)));
        }
    }

    @Test
    void embeddingGathersAndScattersAndRejectsBadIds() {
        Parameters.Builder b = Parameters.builder();
        Embedding emb = new Embedding(b, "embed", 5, 3);
        Parameters p = b.build();
        emb.bind(p);
        GradientCheck.randomise(p.values(), 13, 1.0);
        int[] ids = {4, 0, 4, 2};
        Tensor out = Tensor.zeros(4, 3);
        emb.forward(K, out, Inputs.tokens(ids, 1, ids.length), emb.allocate(new Arena(K), ids.length));
        for (int t = 0; t < ids.length; t++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(p.values()[ids[t] * 3 + j], out.get(t, j));
            }
        }
        Tensor g = Tensor.uniform(14, -1, 1, 4, 3);
        emb.backward(K, g, Inputs.tokens(ids, 1, ids.length), null);
        for (int j = 0; j < 3; j++) {
            assertEquals(g.get(0, j) + g.get(2, j), p.grads()[4 * 3 + j], 1e-6);
            assertEquals(0f, p.grads()[3 * 3 + j]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> emb.forward(K, Tensor.zeros(2, 3), Inputs.tokens(new int[] {1, 5}, 1, 2), null));
        assertTrue(e.getMessage().contains("token id 5 at position 1"), e.getMessage());
    }
}
