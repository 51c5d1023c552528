package dev.chimera.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The whole decoder: gradients of a tiny hybrid model against finite differences, and prefill + step against the parallel forward. */
class DecoderTest {
    private static final ComputePool POOL = new ComputePool(2);
    private static final Backend K = Backends.cpu(POOL);

    @AfterAll
    static void close() {
        POOL.close();
    }

    private static int[] randomIds(long seed, int n, int vocab) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }

    /** Perturbs the initialised parameters so that no gradient is trivially zero (norm scales of 1, D = 1 ...). */
    private static void jitter(Parameters p, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < p.size(); i++) {
            p.values()[i] += (float) ((r.nextDouble() * 2 - 1) * 0.1);
        }
    }

    @Test
    void tinyHybridGradientsMatchFiniteDifferencesOnEveryTensor() {
        for (boolean tied : new boolean[] {false, true}) {
            ModelConfig base = ModelConfig.tiny();
            ModelConfig c = base.toBuilder().nLayers(2).mixerPattern("MA").attnSpans(List.of("full")).chunkSize(3)
                    .head(CoreComponents.softmax(8, tied)).build();
            Decoder model = new Decoder(c, 16, K);
            model.initialise(7);
            Parameters p = model.parameters();
            jitter(p, 8);
            int batch = 2;
            int seqlen = 5;
            int[] ids = randomIds(9, batch * seqlen, 8);
            int[] targets = randomIds(10, batch * seqlen, 8);
            Decoder.Training t = model.new Training(batch, seqlen);
            Inputs in = Inputs.tokens(ids, batch, seqlen);
            Targets tg = Targets.tokens(targets);
            double loss = model.forward(in, tg, t);
            model.backward(in, tg, t);
            double[] th = GradientCheck.toDouble(p.values(), 0, p.size());
            // float32 through two blocks against double: agreement to ~1e-6 of a loss near ln 8.
            assertEquals(RefDecoder.loss(c, p, th, ids, targets, batch, seqlen), loss, 1e-5);
            GradientCheck.assertParameters(tied ? "tied " : "", p, th,
                    x -> RefDecoder.loss(c, p, x, ids, targets, batch, seqlen));
        }
    }

    /**
     * backwardFromHidden against finite differences of a loss on the hidden states themselves,
     * L = sum over (b, t, j) of w[b, t, j] * hidden[b, t, j] with seeded w (what a classifier over
     * pooled states hands down); the head, which L does not use, gets no gradient.
     */
    @Test
    void backwardFromHiddenMatchesFiniteDifferencesAndLeavesTheHeadAlone() {
        ModelConfig c = ModelConfig.tiny().toBuilder().nLayers(2).mixerPattern("MA").attnSpans(List.of("full"))
                .chunkSize(3).head(CoreComponents.softmax(8, false)).build();
        Decoder model = new Decoder(c, 16, K);
        model.initialise(17);
        Parameters p = model.parameters();
        jitter(p, 18);
        int batch = 2;
        int seqlen = 5;
        int d = c.dModel();
        int[] ids = randomIds(19, batch * seqlen, 8);
        Decoder.Training t = model.new Training(batch, seqlen);
        Inputs in = Inputs.tokens(ids, batch, seqlen);
        Tensor w = Tensor.uniform(20, -1f, 1f, batch, seqlen, d);
        Tensor hidden = model.hiddenStates(in, t);
        double[] th = GradientCheck.toDouble(p.values(), 0, p.size());
        double[] ref = RefDecoder.hidden(c, p, th, ids, batch, seqlen);
        for (int i = 0; i < ref.length; i++) {
            // float32 through two blocks against double, states of unit RMS.
            assertEquals(ref[i], hidden.data()[hidden.offset() + i], 1e-4, "hidden " + i);
        }
        p.zeroGrads();
        model.backwardFromHidden(in, w, t);
        ToDoubleFunction<double[]> loss = x -> {
            double[] h = RefDecoder.hidden(c, p, x, ids, batch, seqlen);
            double sum = 0;
            for (int i = 0; i < h.length; i++) {
                sum += w.data()[i] * h[i];
            }
            return sum;
        };
        for (Parameters.Entry e : p.entries()) {
            if (e.name().startsWith("head.")) {
                for (int i = e.offset(); i < e.offset() + e.size(); i++) {
                    assertEquals(0f, p.grads()[i], e.name());
                }
            } else {
                GradientCheck.assertClose(e.name(), p.grads(), e.offset(),
                        GradientCheck.numeric(th, e.offset(), e.offset() + e.size(), loss));
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> model.backwardFromHidden(in, Tensor.zeros(batch, seqlen + 1, d), t));
    }

    @Test
    void prefillThenStepEqualsParallelForwardForFullAndWindowedAttention() {
        for (String span : new String[] {"full", "window:3"}) {
            ModelConfig base = ModelConfig.tiny();
            ModelConfig c = base.toBuilder().nLayers(4).mixerPattern("MA").attnSpans(List.of(span)).chunkSize(4)
                    .build();
            Decoder model = new Decoder(c, 32, K);
            model.initialise(11);
            jitter(model.parameters(), 12);
            int prefill = 7;
            int steps = 6;
            int total = prefill + steps;
            int[] ids = randomIds(13, total, 8);
            Decoder.Training t = model.new Training(1, total);
            Tensor parallel = model.hiddenStates(Inputs.tokens(ids, 1, total), t);

            DecoderState state = model.newState();
            Tensor prompt = model.prefill(state, Inputs.tokens(java.util.Arrays.copyOf(ids, prefill), 1, prefill));
            int d = c.dModel();
            for (int i = 0; i < prefill * d; i++) {
                assertEquals(parallel.at(i), prompt.at(i), 1e-5, span + " prefill " + i);
            }
            DecoderState forked = state.copy();
            DecoderState restored = model.newState();
            restored.readBytes(state.toBytes());
            DecoderState[] states = {state, forked, restored};
            for (int s = prefill; s < total; s++) {
                int[] next = {ids[s], ids[s], ids[s]};
                Tensor h = model.step(states, Inputs.tokens(next, 3, 1));
                for (int k = 0; k < 3; k++) {
                    for (int j = 0; j < d; j++) {
                        float ref = parallel.at(s * d + j);
                        // recurrent and parallel forms sum in different orders: the relative 1e-4.
                        assertEquals(ref, h.get(k, j), 1e-4 * Math.max(1, Math.abs(ref)),
                                span + " step " + s + " copy " + k + " value " + j);
                    }
                }
            }
            assertEquals(total, state.position());
        }
    }

    @Test
    void prefillInPiecesContinuesTheSequence() {
        ModelConfig base = ModelConfig.tiny();
        for (String span : new String[] {"full", "window:2"}) {
            ModelConfig c = base.toBuilder().nLayers(2).mixerPattern("MA").attnSpans(List.of(span)).chunkSize(4)
                    .build();
            Decoder model = new Decoder(c, 32, K);
            model.initialise(21);
            jitter(model.parameters(), 22);
            int[] ids = randomIds(23, 11, 8);
            Tensor parallel = model.hiddenStates(Inputs.tokens(ids, 1, 11), model.new Training(1, 11));
            DecoderState state = model.newState();
            int d = c.dModel();
            int[][] pieces = {{0, 4}, {4, 5}, {5, 11}};
            for (int[] piece : pieces) {
                Tensor h = model.prefill(state,
                        Inputs.tokens(java.util.Arrays.copyOfRange(ids, piece[0], piece[1]), 1, piece[1] - piece[0]));
                for (int t = piece[0]; t < piece[1]; t++) {
                    for (int j = 0; j < d; j++) {
                        float ref = parallel.at(t * d + j);
                        // the continued pieces take the recurrent path: the relative 1e-4.
                        assertEquals(ref, h.get(t - piece[0], j), 1e-4 * Math.max(1, Math.abs(ref)),
                                span + " position " + t);
                    }
                }
            }
            assertEquals(11, state.position());
        }
    }

    /**
     * Windowed attention given more positions than its window in one prefill (the ring keeps only
     * the last W), and in pieces longer than W (continued tiled for 16 positions or more, the
     * decoding step below that), then stepped: every hidden state equals the parallel forward
     * over the whole sequence. Three attention layers, two windows of 5 and a full span between.
     */
    @Test
    void windowedPrefillsLongerThanTheWindowThenStepsEqualTheParallelForward() {
        ModelConfig base = ModelConfig.tiny();
        ModelConfig c = base.toBuilder().nLayers(4).mixerPattern("AMAA").attnSpans(List.of("window:5", "full", "window:5"))
                .chunkSize(4).build();
        Decoder model = new Decoder(c, 64, K);
        model.initialise(31);
        jitter(model.parameters(), 32);
        int total = 60;
        int[] ids = randomIds(33, total, 8);
        Tensor parallel = model.hiddenStates(Inputs.tokens(ids, 1, total), model.new Training(1, total));
        int d = c.dModel();
        // Prefill piece ends; the positions after the last are stepped one at a time.
        int[][] plans = {{12}, {7, 27, 34, 52}};
        for (int[] ends : plans) {
            String plan = java.util.Arrays.toString(ends);
            DecoderState state = model.newState();
            int at = 0;
            for (int end : ends) {
                int[] piece = java.util.Arrays.copyOfRange(ids, at, end);
                Tensor h = model.prefill(state, Inputs.tokens(piece, 1, piece.length));
                for (int t = at; t < end; t++) {
                    for (int j = 0; j < d; j++) {
                        float ref = parallel.at(t * d + j);
                        // other block boundaries and summation orders than the parallel form: the relative 1e-4.
                        assertEquals(ref, h.get(t - at, j), 1e-4 * Math.max(1, Math.abs(ref)),
                                plan + ": prefilled position " + t + ", value " + j);
                    }
                }
                at = end;
            }
            for (int t = at; t < total; t++) {
                Tensor h = model.step(new DecoderState[] {state}, Inputs.tokens(new int[] {ids[t]}, 1, 1));
                for (int j = 0; j < d; j++) {
                    float ref = parallel.at(t * d + j);
                    assertEquals(ref, h.get(0, j), 1e-4 * Math.max(1, Math.abs(ref)),
                            plan + ": stepped position " + t + ", value " + j);
                }
            }
            assertEquals(total, state.position());
        }
    }

    @Test
    void badInputsAreRejectedWithPositions() {
        Decoder model = new Decoder(ModelConfig.tiny(), 8, K);
        model.initialise(1);
        Decoder.Training t = model.new Training(1, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.forward(
                Inputs.tokens(new int[] {1, 2, 9, 3}, 1, 4), Targets.tokens(new int[] {0, 0, 0, 0}), t));
        assertTrue(e.getMessage().contains("token id 9 at position 2"), e.getMessage());
        DecoderState s = model.newState();
        model.prefill(s, Inputs.tokens(new int[] {1, 2, 3, 4, 5, 6, 7, 0}, 1, 8));
        e = assertThrows(IllegalArgumentException.class,
                () -> model.step(new DecoderState[] {s}, Inputs.tokens(new int[] {1}, 1, 1)));
        assertTrue(e.getMessage().contains("beyond this decoder's maxLength 8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.newState().readBytes(new byte[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("decoder state"), e.getMessage());
    }
}
