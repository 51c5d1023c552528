package dev.chimera.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.decoder.Sampler;
import dev.chimera.core.heads.FourierActivations;
import dev.chimera.core.heads.FourierDensity;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Arena;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The Fourier head as a layer (against finite differences), and seeded sampling from a decoder's heads. */
class SamplerAndFourierHeadTest {
    private static final ComputePool POOL = new ComputePool(2);
    private static final Backend K = Backends.cpu(POOL);

    @AfterAll
    static void close() {
        POOL.close();
    }

    @Test
    void fourierHeadLayerGradients() {
        int rows = 4;
        int d = 5;
        int outDim = 2;
        int freqs = 3;
        int bins = 10;
        Parameters.Builder b = Parameters.builder();
        FourierHead head = new FourierHead(b, "head", d, outDim, freqs, bins, FourierHead.Settings.defaults(), K);
        Parameters p = b.build();
        head.bind(p);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < p.size(); i++) {
            p.values()[i] = (float) (r.nextDouble() * 2 - 1);
        }
        Tensor h = Tensor.uniform(2, -1, 1, rows, d);
        float[] values = Tensor.uniform(3, -0.95f, 0.95f, rows * outDim).toArray();
        float[] weights = {1f, 2f, 0f, 1f};
        Targets t = Targets.values(values, weights);
        Arena arena = new Arena(K);
        FourierHead.Activations a = head.allocate(arena, rows);
        arena.allocate();
        Tensor dh = Tensor.zeros(rows, d);
        double loss = head.forward(K, h, t, a);
        head.backward(K, dh, h, t, a);

        FourierDensity density = new FourierDensity(freqs, bins, POOL, true);
        int[] targetBins = new int[rows * outDim];
        for (int i = 0; i < targetBins.length; i++) {
            targetBins[i] = head.bins().index(values[i]);
        }
        int wOff = RefLayers.off(p, "head.weight");
        int bOff = RefLayers.off(p, "head.bias");
        java.util.function.BiFunction<double[], double[], Double> ref = (th, hs) -> {
            double[] z = RefLayers.linear(hs, rows, d, th, wOff, outDim * density.width(), bOff);
            double[] losses = new double[rows * outDim];
            FourierActivations act = density.allocate(rows * outDim);
            density.crossEntropy(losses, z, targetBins, rows * outDim, act);
            double sum = 0;
            double ws = 0;
            for (int i = 0; i < losses.length; i++) {
                sum += weights[i / outDim] * losses[i];
                ws += weights[i / outDim];
            }
            return sum / ws + density.regularizer(FourierHead.GAMMA, act);
        };
        double[] th = GradientCheck.toDouble(p.values(), 0, p.size());
        double[] hd = GradientCheck.toDouble(h.data(), 0, h.size());
        // float32 projection, double density: ~1e-7 relative.
        assertEquals(ref.apply(th, hd), loss, 1e-5);
        GradientCheck.assertParameters("", p, th, x -> ref.apply(x, hd));
        GradientCheck.assertClose("dh", dh.data(), 0, GradientCheck.numeric(hd, 0, hd.length, x -> ref.apply(th, x)));
    }

    @Test
    void tokenSamplingIsSeededAndRespectsTopK() {
        Decoder model = new Decoder(ModelConfig.tiny(), 32, K);
        model.initialise(3);
        DecoderState s = model.newState();
        Tensor hidden = model.prefill(s, Inputs.tokens(new int[] {1, 2, 3}, 1, 3));
        Tensor logits = Tensor.zeros(1, 8);
        model.headOutput(logits, hidden.slice(2, 3));
        int[] a = draw(new Sampler(1.0, 0, 1.0, 42), logits.select(0), 50);
        int[] b = draw(new Sampler(1.0, 0, 1.0, 42), logits.select(0), 50);
        assertArrayEquals(a, b);
        int argmax = 0;
        for (int v = 1; v < 8; v++) {
            if (logits.get(0, v) > logits.get(0, argmax)) {
                argmax = v;
            }
        }
        for (int id : draw(new Sampler(1.0, 1, 1.0, 7), logits.select(0), 20)) {
            assertEquals(argmax, id);
        }
        assertTrue(java.util.Arrays.stream(draw(new Sampler(5.0, 0, 1.0, 9), logits.select(0), 200)).distinct()
                .count() > 4, "a hot sampler over 8 near-uniform logits visits most tokens");
        assertThrows(IllegalArgumentException.class, () -> new Sampler(0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(1, -1, 1, 1));
    }

    private static int[] draw(Sampler sampler, Tensor logits, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = sampler.sampleToken(logits);
        }
        return out;
    }

    @Test
    void fourierHeadDecoderGivesQuantilesAndSeededValues() {
        ModelConfig c = ModelConfig.builder().dModel(16).nLayers(2).mixerPattern("MA").mlp(ModelConfig.MlpKind.RELU)
                .mlpHidden(24).attnHeads(2).kvHeads(1).ropeBase(10_000).attnSpans(List.of("window:4")).dState(4)
                .headdim(8).expand(2).ngroups(1).dConv(4).chunkSize(4)
                .input(CoreComponents.continuous(3, "mlp"))
                .head(CoreComponents.fourier(20, 4, 2)).build();
        Decoder model = new Decoder(c, 16, K);
        model.initialise(4);
        DecoderState s = model.newState();
        Tensor hidden = model.prefill(s, Inputs.values(Tensor.uniform(5, -1, 1, 1, 6, 3)));
        Tensor probs = Tensor.zeros(1, 2, 20);
        model.headOutput(probs, hidden.slice(5, 6));
        Tensor row = probs.select(0).select(1);
        double sum = 0;
        for (int m = 0; m < 20; m++) {
            sum += row.at(m);
        }
        assertEquals(1.0, sum, 1e-5);
        double[] q = Sampler.quantiles(row, model.head(FourierHead.class).bins(), 0.1, 0.5, 0.9);
        assertTrue(q[0] < q[1] && q[1] < q[2] && q[0] >= -1 && q[2] <= 1, java.util.Arrays.toString(q));
        double v1 = new Sampler(1.0, 0, 0.9, 11).sampleValue(row, model.head(FourierHead.class).bins());
        double v2 = new Sampler(1.0, 0, 0.9, 11).sampleValue(row, model.head(FourierHead.class).bins());
        assertEquals(v1, v2);
        assertTrue(v1 >= -1 && v1 <= 1);
    }
}
