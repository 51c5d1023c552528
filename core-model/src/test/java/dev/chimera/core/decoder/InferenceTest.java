package dev.chimera.core.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Batched inference ({@link Decoder.Inference}): a prefill of sequences of different lengths
 * equals each sequence prefilled alone and the parallel forward; a batched step equals single
 * steps; a step allocates nothing once warm.
 */
class InferenceTest {
    private static final ComputePool POOL = new ComputePool(2);
    /** Float32 through four blocks in other block boundaries and summation orders: agreement to ~1e-5 of O(1) values. */
    private static final double TOL = 2e-4;

    @AfterAll
    static void close() {
        POOL.close();
    }

    private static ModelConfig config(String span, String pattern) {
        return ModelConfig.tiny().toBuilder().nLayers(4).mixerPattern(pattern).attnSpans(List.of(span)).chunkSize(4)
                .build();
    }

    private static Decoder model(String span, String pattern, Backend backend) {
        Decoder d = new Decoder(config(span, pattern), 64, backend);
        d.initialise(11);
        return d;
    }

    private static int[] ids(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(8);
        }
        return ids;
    }

    private static void assertRowsClose(String what, Tensor want, Tensor got) {
        assertEquals(want.size(), got.size(), what);
        for (int i = 0; i < want.size(); i++) {
            double w = want.at(i);
            assertTrue(Math.abs(w - got.at(i)) <= TOL * (1 + Math.abs(w)),
                    what + ": value " + i + " is " + got.at(i) + ", expected " + w);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "window:5"})
    void batchedPrefillOfDifferentLengthsEqualsEachSequenceAlone(String span) {
        Decoder model = model(span, "MA", new VectorBackend(POOL));
        int[] lengths = {7, 1, 12, 0};
        int seqlen = 12;
        int n = lengths.length;
        int[] padded = new int[n * seqlen];
        int[][] seqs = new int[n][];
        for (int i = 0; i < n; i++) {
            seqs[i] = ids(20 + i, lengths[i]);
            System.arraycopy(seqs[i], 0, padded, i * seqlen, lengths[i]);
        }
        DecoderState[] states = new DecoderState[n];
        for (int i = 0; i < n; i++) {
            states[i] = model.newState();
        }
        Decoder.Inference inf = model.inference(n, seqlen);
        Tensor hidden = inf.prefill(states, Inputs.tokens(padded, n, seqlen), lengths);
        for (int i = 0; i < n; i++) {
            assertEquals(lengths[i], states[i].position(), "sequence " + i + " advanced by its own length");
            if (lengths[i] == 0) {
                continue;
            }
            DecoderState alone = model.newState();
            Tensor want = model.prefill(alone, Inputs.tokens(seqs[i], 1, lengths[i]));
            assertRowsClose(span + " sequence " + i, want, hidden.select(i).slice(0, lengths[i]).copy());
            // The states must agree too: one more token through each gives the same hidden state.
            Tensor a = model.step(new DecoderState[] {alone}, Inputs.tokens(new int[] {3}, 1, 1));
            Tensor b = model.step(new DecoderState[] {states[i]}, Inputs.tokens(new int[] {3}, 1, 1));
            assertRowsClose(span + " state of sequence " + i, a, b);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "window:3"})
    void prefillInPiecesThenBatchedStepsEqualTheParallelForward(String span) {
        Decoder model = model(span, "MMAM", new VectorBackend(POOL));
        int n = 3;
        int total = 20;
        int[][] seqs = {ids(1, total), ids(2, total), ids(3, total)};
        int[] all = new int[n * total];
        for (int i = 0; i < n; i++) {
            System.arraycopy(seqs[i], 0, all, i * total, total);
        }
        Decoder.Training t = model.new Training(n, total);
        Tensor parallel = model.hiddenStates(Inputs.tokens(all, n, total), t).copy();  // (n, total, d)

        DecoderState[] states = {model.newState(), model.newState(), model.newState()};
        Decoder.Inference inf = model.inference(n, 8);
        // Two prefill pieces of different lengths per sequence (the second continues the caches), then steps.
        int[][] pieces = {{5, 8}, {8, 3}, {1, 8}};
        int[] done = new int[n];
        for (int p = 0; p < 2; p++) {
            int[] lengths = new int[n];
            int[] chunk = new int[n * 8];
            for (int i = 0; i < n; i++) {
                lengths[i] = pieces[i][p];
                System.arraycopy(seqs[i], done[i], chunk, i * 8, lengths[i]);
            }
            Tensor h = inf.prefill(states, Inputs.tokens(chunk, n, 8), lengths);
            for (int i = 0; i < n; i++) {
                assertRowsClose(span + " piece " + p + " of sequence " + i,
                        parallel.select(i).slice(done[i], done[i] + lengths[i]).copy(),
                        h.select(i).slice(0, lengths[i]).copy());
                done[i] += lengths[i];
            }
        }
        // The sequences are at positions 13, 11 and 9: step them together to position 20.
        int[] buffer = new int[n];
        while (done[0] < total) {
            int active = 0;
            DecoderState[] stepping = new DecoderState[n];
            int[] which = new int[n];
            for (int i = 0; i < n; i++) {
                if (done[i] < total) {
                    buffer[active] = seqs[i][done[i]];
                    stepping[active] = states[i];
                    which[active++] = i;
                }
            }
            Tensor h = inf.step(stepping, Inputs.tokensIn(buffer, active, 1));
            for (int a = 0; a < active; a++) {
                int i = which[a];
                assertRowsClose(span + " step at " + done[i] + " of sequence " + i,
                        parallel.select(i).select(done[i]).copy(), h.select(a).copy());
                done[i]++;
            }
        }
    }

    @Test
    void scalarAndVectorBackendsAgreeOnInference() {
        Decoder vector = model("window:4", "MA", new VectorBackend(POOL));
        Decoder scalar = model("window:4", "MA", new ScalarBackend());
        int[] in = ids(5, 9);
        Tensor a = vector.prefill(vector.newState(), Inputs.tokens(in, 1, 9));
        Tensor b = scalar.prefill(scalar.newState(), Inputs.tokens(in, 1, 9));
        assertRowsClose("prefill", b, a);
    }

    @Test
    void badCallsAreRefused() {
        Decoder model = model("full", "MA", new ScalarBackend());
        Decoder.Inference inf = model.inference(2, 4);
        DecoderState[] states = {model.newState(), model.newState(), model.newState()};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> inf.step(states, Inputs.tokens(new int[3], 3, 1)));
        assertTrue(e.getMessage().contains("buffers for 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> inf.prefill(states, Inputs.tokens(new int[10], 2, 5), new int[] {5, 5}));
        assertTrue(e.getMessage().contains("2 x 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> inf.prefill(states, Inputs.tokens(new int[8], 2, 4), new int[] {5, 1}));
        assertTrue(e.getMessage().contains("length 5"), e.getMessage());
    }

}
