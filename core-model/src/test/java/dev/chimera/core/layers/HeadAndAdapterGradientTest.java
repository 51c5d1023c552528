package dev.chimera.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.Activation;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Arena;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Softmax (own and tied weights) and regression heads, and the continuous input adapter, against finite differences. */
class HeadAndAdapterGradientTest {
    private static final ComputePool POOL = new ComputePool(2);
    private static final Backend K = Backends.cpu(POOL);

    @AfterAll
    static void close() {
        POOL.close();
    }


    /** Mean cross-entropy of logits h·Wᵀ against ids (IGNORE rows skipped), in double. */
    private static double refCrossEntropy(double[] h, int rows, int d, double[] theta, int wOff, int vocab, int[] ids) {
        double[] logits = RefLayers.linear(h, rows, d, theta, wOff, vocab, -1);
        double sum = 0;
        int n = 0;
        for (int r = 0; r < rows; r++) {
            if (ids[r] < 0) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[r * vocab + v]);
            }
            double z = 0;
            for (int v = 0; v < vocab; v++) {
                z += Math.exp(logits[r * vocab + v] - max);
            }
            sum += max + Math.log(z) - logits[r * vocab + ids[r]];
            n++;
        }
        return sum / n;
    }

    @Test
    void softmaxHeadOwnAndTiedWeights() {
        for (boolean tied : new boolean[] {false, true}) {
            int rows = 5;
            int d = 6;
            int vocab = 9;
            Parameters.Builder b = Parameters.builder();
            Embedding emb = new Embedding(b, "embed", vocab, d);
            SoftmaxHead head = tied ? SoftmaxHead.tied(vocab, emb) : new SoftmaxHead(b, "head", d, vocab);
            Parameters p = b.build();
            emb.bind(p);
            head.bind(p);
            GradientCheck.randomise(p.values(), 21, 0.8);
            Tensor h = Tensor.uniform(22, -1, 1, rows, d);
            int[] ids = {3, Backend.IGNORE_TARGET, 0, 8, 3};
            Targets t = Targets.tokens(ids);
            Arena arena = new Arena(K);
            SoftmaxHead.Activations a = head.allocate(arena, rows);
            arena.allocate();
            Tensor dh = Tensor.zeros(rows, d);
            double loss = head.forward(K, h, t, a);
            head.backward(K, dh, h, t, a);
            double[] theta = GradientCheck.toDouble(p.values(), 0, p.size());
            double[] hd = GradientCheck.toDouble(h.data(), 0, h.size());
            String wName = tied ? "embed.weight" : "head.weight";
            int wOff = RefLayers.off(p, wName);
            // float32 log-sum-exp over 9 logits of size <= ~5: a few ulps of the loss.
            assertEquals(refCrossEntropy(hd, rows, d, theta, wOff, vocab, ids), loss, 1e-5);
            GradientCheck.assertClose((tied ? "tied " : "") + wName, p.grads(), wOff,
                    GradientCheck.numeric(theta, wOff, wOff + vocab * d,
                            th -> refCrossEntropy(hd, rows, d, th, wOff, vocab, ids)));
            GradientCheck.assertClose("dh", dh.data(), 0, GradientCheck.numeric(hd, 0, hd.length,
                    hs -> refCrossEntropy(hs, rows, d, theta, wOff, vocab, ids)));
        }
    }

    @Test
    void regressionHeadWithRowWeights() {
        int rows = 4;
        int d = 5;
        int out = 3;
        Parameters.Builder b = Parameters.builder();
        RegressionHead head = new RegressionHead(b, "head", d, out);
        Parameters p = b.build();
        head.bind(p);
        GradientCheck.randomise(p.values(), 31, 0.7);
        Tensor h = Tensor.uniform(32, -1, 1, rows, d);
        float[] target = Tensor.uniform(33, -1, 1, rows * out).toArray();
        float[] weights = {1f, 0f, 0.5f, 2f};
        Targets t = Targets.values(target, weights);
        Arena arena = new Arena(K);
        Head.Activations a = head.allocate(arena, rows);
        arena.allocate();
        Tensor dh = Tensor.zeros(rows, d);
        head.forward(K, h, t, a);
        head.backward(K, dh, h, t, a);
        double[] theta = GradientCheck.toDouble(p.values(), 0, p.size());
        double[] hd = GradientCheck.toDouble(h.data(), 0, h.size());
        int wOff = RefLayers.off(p, "head.weight");
        int bOff = RefLayers.off(p, "head.bias");
        ToDoubleFunction<double[]> loss = th -> mse(RefLayers.linear(hd, rows, d, th, wOff, out, bOff), target,
                weights, out);
        GradientCheck.assertParameters("", p, theta, loss);
        GradientCheck.assertClose("dh", dh.data(), 0, GradientCheck.numeric(hd, 0, hd.length,
                hs -> mse(RefLayers.linear(hs, rows, d, theta, wOff, out, bOff), target, weights, out)));
    }

    private static double mse(double[] y, float[] t, float[] w, int out) {
        double s = 0;
        double ws = 0;
        for (int r = 0; r < w.length; r++) {
            double se = 0;
            for (int j = 0; j < out; j++) {
                double e = y[r * out + j] - t[r * out + j];
                se += e * e;
            }
            s += w[r] * se / out;
            ws += w[r];
        }
        return s / ws;
    }

    @Test
    void continuousAdapterLinearAndMlp() {
        for (String kind : new String[] {"linear", "mlp"}) {
            boolean mlp = kind.equals("mlp");
            int rows = 4;
            int in = 3;
            int d = 7;
            Parameters.Builder b = Parameters.builder();
            ContinuousAdapter adapter = new ContinuousAdapter(b, "adapter", mlp, in, d);
            Parameters p = b.build();
            adapter.bind(p);
            GradientCheck.randomise(p.values(), 41, 0.7);
            Tensor x = Tensor.uniform(42, -1, 1, rows, in);
            Tensor r = Tensor.uniform(43, -1, 1, rows, d);
            Tensor y = Tensor.zeros(rows, d);
            // The adapter takes a (batch, T, inDim) block: here one sequence of `rows` positions.
            Inputs inputs = Inputs.values(x.view(1, rows, in));
            Arena arena = new Arena(K);
            InputAdapter.Activations a = adapter.allocate(arena, rows);
            arena.allocate();
            adapter.forward(K, y, inputs, a);
            adapter.backward(K, r, inputs, a);
            double[] theta = GradientCheck.toDouble(p.values(), 0, p.size());
            double[] xd = GradientCheck.toDouble(x.data(), 0, x.size());
            double[] rd = GradientCheck.toDouble(r.data(), 0, r.size());
            double[] yRef = refAdapter(mlp, xd, rows, in, d, theta, p);
            for (int i = 0; i < yRef.length; i++) {
                // float32 sums of <= 7 products, once or twice: relative error a few times 7u, so 1e-5 relative
                // (and 1e-6 absolute where terms cancel).
                assertEquals(yRef[i], y.at(i), 1e-6 + 1e-5 * Math.abs(yRef[i]), kind + " y[" + i + "]");
            }
            ToDoubleFunction<double[]> lossTheta = th -> RefLayers.dot(refAdapter(mlp, xd, rows, in, d, th, p), rd);
            GradientCheck.assertParameters(kind + " ", p, theta, lossTheta);
            // The gradient with respect to the continuous inputs is no longer computed (InputAdapter.backward
            // has no dx since the backend refactor), so the old "input" finite-difference check has nothing to test.
        }
    }

    private static double[] refAdapter(boolean mlp, double[] x, int rows, int in, int d, double[] th,
                                       Parameters p) {
        if (!mlp) {
            return RefLayers.linear(x, rows, in, th, RefLayers.off(p, "adapter.proj.weight"), d,
                    RefLayers.off(p, "adapter.proj.bias"));
        }
        double[] h = RefLayers.apply(Activation.SILU, RefLayers.linear(x, rows, in, th,
                RefLayers.off(p, "adapter.fc1.weight"), d, RefLayers.off(p, "adapter.fc1.bias")));
        return RefLayers.linear(h, rows, d, th, RefLayers.off(p, "adapter.fc2.weight"), d,
                RefLayers.off(p, "adapter.fc2.bias"));
    }

    @Test
    void nonFiniteContinuousInputIsRejectedWithItsPosition() {
        Parameters.Builder b = Parameters.builder();
        ContinuousAdapter adapter = new ContinuousAdapter(b, "adapter", false, 2, 4);
        adapter.bind(b.build());
        Tensor x = Tensor.zeros(3, 2);
        x.set(Float.NaN, 2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> adapter.forward(K, Tensor.zeros(3, 4), Inputs.values(x.view(1, 3, 2)), null));
        assertTrue(e.getMessage().contains("at position 2, channel 1"), e.getMessage());
    }
}
