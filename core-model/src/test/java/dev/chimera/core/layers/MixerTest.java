package dev.chimera.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Arena;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.ModelConfig.Span;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Mixers as whole layers: gradients against finite differences, and prefill + step against the parallel forward. */
class MixerTest {
    private static final ComputePool POOL = new ComputePool(2);
    private static final Backend K = Backends.cpu(POOL);

    @AfterAll
    static void close() {
        POOL.close();
    }

    /** The mixer's training buffers for one (batch, T), in an arena of their own. */
    static Mixer.Activations activations(Mixer mixer, int batch, int seqlen) {
        Arena arena = new Arena(K);
        Mixer.Activations a = mixer.allocate(arena, batch, seqlen);
        arena.allocate();
        return a;
    }

    /** The mixer's inference buffers for steps of maxBatch sequences and prefills of maxBatch x maxLength. */
    static Mixer.Workspace workspace(Mixer mixer, int maxBatch, int maxLength) {
        Arena arena = new Arena(K);
        Mixer.Workspace w = mixer.allocateWorkspace(arena, maxBatch, maxLength);
        arena.allocate();
        return w;
    }

    @Test
    void attentionMixerGradientsFullAndWindowed() {
        for (int window : new int[] {0, 2}) {
            int seqlen = 5;
            int d = 8;
            int nHeads = 2;
            int nKv = 1;
            Parameters.Builder b = Parameters.builder();
            AttentionMixer mixer = new AttentionMixer(b, "attn", d, nHeads, nKv, new Span(window), 10_000, 64, K);
            Parameters p = b.build();
            mixer.bind(p);
            GradientCheck.randomise(p.values(), 71 + window, 0.6);
            Tensor x = Tensor.uniform(72, -1, 1, 1, seqlen, d);
            Tensor r = Tensor.uniform(73, -1, 1, 1, seqlen, d);
            Tensor y = Tensor.zeros(1, seqlen, d);
            Tensor dx = Tensor.zeros(1, seqlen, d);
            Mixer.Activations a = activations(mixer, 1, seqlen);
            mixer.forward(K, y, x, a);
            mixer.backward(K, dx, r, x, a);
            double[] th = GradientCheck.toDouble(p.values(), 0, p.size());
            double[] xd = GradientCheck.toDouble(x.data(), 0, x.size());
            double[] rd = GradientCheck.toDouble(r.data(), 0, r.size());
            double[] yRef = RefLayers.attentionMixer(xd, seqlen, d, nHeads, nKv, window, 10_000, th, p, "attn");
            for (int i = 0; i < yRef.length; i++) {
                // float32 projections and softmax over <= 5 keys: errors of a few 1e-7.
                assertEquals(yRef[i], y.at(i), 1e-5, "window " + window + " y[" + i + "]");
            }
            ToDoubleFunction<double[]> loss = t -> RefLayers.dot(
                    RefLayers.attentionMixer(xd, seqlen, d, nHeads, nKv, window, 10_000, t, p, "attn"), rd);
            GradientCheck.assertParameters("window " + window + " ", p, th, loss);
            GradientCheck.assertClose("window " + window + " input", dx.data(), 0,
                    GradientCheck.numeric(xd, 0, xd.length, xs -> RefLayers.dot(
                            RefLayers.attentionMixer(xs, seqlen, d, nHeads, nKv, window, 10_000, th, p, "attn"), rd)));
        }
    }

    /** Prefill T positions, then step S (two sequences stepped together, one forked by copy, one by bytes). */
    static void assertPrefillThenStepMatchesParallel(Mixer mixer, int d, int prefill, int steps, int maxLength)
            throws IOException {
        int total = prefill + steps;
        Tensor x = Tensor.uniform(81, -1, 1, 1, total, d);
        Tensor y = Tensor.zeros(1, total, d);
        mixer.forward(K, y, x, activations(mixer, 1, total));

        // One workspace for the whole test: prefills of 1 x prefill positions, steps of 2 sequences.
        Mixer.Workspace w = workspace(mixer, 2, prefill);
        Mixer.State state = mixer.newState(maxLength);
        Tensor yPrefill = Tensor.zeros(1, prefill, d);
        mixer.prefill(K, yPrefill, x.view(total, d).slice(0, prefill).view(1, prefill, d), new Mixer.State[] {state},
                new int[] {prefill}, w);
        for (int i = 0; i < prefill * d; i++) {
            // same kernels, same order: prefill is the parallel forward.
            assertEquals(y.at(i), yPrefill.at(i), 1e-5, "prefill value " + i);
        }
        Mixer.State forked = state.copy();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.write(new DataOutputStream(bytes));
        Mixer.State restored = mixer.newState(maxLength);
        restored.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        Mixer.State[] states = {forked, restored};
        Tensor xs = Tensor.zeros(2, d);
        Tensor ys = Tensor.zeros(2, d);
        for (int t = prefill; t < total; t++) {
            for (int s = 0; s < 2; s++) {
                System.arraycopy(x.data(), t * d, xs.data(), s * d, d);
            }
            mixer.step(K, ys, xs, states, w);
            for (int s = 0; s < 2; s++) {
                for (int j = 0; j < d; j++) {
                    float ref = y.at(t * d + j);
                    // recurrent and parallel forms sum in different orders: relative 1e-4 as the issue states.
                    assertEquals(ref, ys.get(s, j), 1e-4 * Math.max(1, Math.abs(ref)), "step t=" + t + " seq " + s);
                }
            }
        }
    }

    @Test
    void attentionPrefillThenStepEqualsParallelForward() throws IOException {
        for (int window : new int[] {0, 3}) {
            Parameters.Builder b = Parameters.builder();
            AttentionMixer mixer = new AttentionMixer(b, "attn", 16, 4, 2, new Span(window), 10_000, 64, K);
            Parameters p = b.build();
            mixer.bind(p);
            GradientCheck.randomise(p.values(), 91, 0.3);
            assertPrefillThenStepMatchesParallel(mixer, 16, 7, 6, 64);
        }
    }

    private static ModelConfig mambaConfig(int ngroups, int chunk) {
        return ModelConfig.builder().dModel(8).nLayers(1).mixerPattern("M").mlp(ModelConfig.MlpKind.SWIGLU)
                .mlpHidden(16).attnHeads(1).kvHeads(1).ropeBase(10_000).attnSpans(java.util.List.of("full")).dState(3)
                .headdim(4).expand(2).ngroups(ngroups).dConv(4).chunkSize(chunk).input(CoreComponents.tokens(4))
                .head(CoreComponents.softmax(4, false)).build();
    }

    @Test
    void mamba2MixerGradientsOneAndTwoGroups() {
        for (int ngroups : new int[] {1, 2}) {
            ModelConfig c = mambaConfig(ngroups, 3);
            int batch = 2;
            int seqlen = 5;
            int d = c.dModel();
            Parameters.Builder b = Parameters.builder();
            Mamba2Mixer mixer = new Mamba2Mixer(b, "mamba", c, K);
            Parameters p = b.build();
            mixer.bind(p);
            GradientCheck.randomise(p.values(), 101 + ngroups, 0.5);
            mixer.initialise(new SplittableRandom(5));
            Tensor x = Tensor.uniform(102, -1, 1, batch, seqlen, d);
            Tensor r = Tensor.uniform(103, -1, 1, batch, seqlen, d);
            Tensor y = Tensor.zeros(batch, seqlen, d);
            Tensor dx = Tensor.zeros(batch, seqlen, d);
            Mixer.Activations a = activations(mixer, batch, seqlen);
            mixer.forward(K, y, x, a);
            mixer.backward(K, dx, r, x, a);
            double[] th = GradientCheck.toDouble(p.values(), 0, p.size());
            double[] xd = GradientCheck.toDouble(x.data(), 0, x.size());
            double[] rd = GradientCheck.toDouble(r.data(), 0, r.size());
            double[] yRef = RefLayers.mamba2(xd, batch, seqlen, c, th, p, "mamba");
            for (int i = 0; i < yRef.length; i++) {
                // float32 projections, conv and scan against the double recurrence: a few 1e-7.
                assertEquals(yRef[i], y.at(i), 1e-5, "G=" + ngroups + " y[" + i + "]");
            }
            ToDoubleFunction<double[]> loss = t -> RefLayers.dot(RefLayers.mamba2(xd, batch, seqlen, c, t, p, "mamba"), rd);
            GradientCheck.assertParameters("G=" + ngroups + " ", p, th, loss);
            GradientCheck.assertClose("G=" + ngroups + " input", dx.data(), 0, GradientCheck.numeric(xd, 0, xd.length,
                    xs -> RefLayers.dot(RefLayers.mamba2(xs, batch, seqlen, c, th, p, "mamba"), rd)));
        }
    }

    @Test
    void mamba2PrefillThenStepEqualsParallelForward() throws IOException {
        ModelConfig c = mambaConfig(2, 4);
        Parameters.Builder b = Parameters.builder();
        Mamba2Mixer mixer = new Mamba2Mixer(b, "mamba", c, K);
        Parameters p = b.build();
        mixer.bind(p);
        GradientCheck.randomise(p.values(), 111, 0.5);
        mixer.initialise(new SplittableRandom(6));
        assertPrefillThenStepMatchesParallel(mixer, c.dModel(), 6, 5, 64);
    }
}
