package dev.chimera.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Sequences longer than a decoder's maxLength: windowed attention takes any length in bounded
 * state, full-span attention refuses clearly at its capacity, and a sequence prefilled in
 * windows equals one prefill.
 */
class LongSequenceTest {
    private static final ComputePool POOL = new ComputePool(2);
    private static final Backend K = Backends.cpu(POOL);

    @AfterAll
    static void close() {
        POOL.close();
    }

    /** The tiny hybrid, 4 layers MMAA (two attention layers), with the given span and Mamba2 chunk 8. */
    private static ModelConfig config(String span) {
        return ModelConfig.tiny().toBuilder().nLayers(4).mixerPattern("MA").attnSpans(List.of(span)).chunkSize(8)
                .build();
    }

    private static Decoder model(String span, int maxLength) {
        Decoder model = new Decoder(config(span), maxLength, K);
        model.initialise(31);
        SplittableRandom r = new SplittableRandom(32);
        float[] v = model.parameters().values();
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) ((r.nextDouble() * 2 - 1) * 0.1); // so that no layer is near the identity
        }
        return model;
    }

    private static int[] ids(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(8);
        }
        return ids;
    }

    private static Tensor prefillInWindows(Decoder model, DecoderState state, int[] ids, int window) {
        int d = model.config().dModel();
        Tensor all = Tensor.zeros(ids.length, d);
        for (int a = 0; a < ids.length; a += window) {
            int b = Math.min(ids.length, a + window);
            Tensor h = model.prefill(state, Inputs.tokens(Arrays.copyOfRange(ids, a, b), 1, b - a));
            System.arraycopy(h.data(), h.offset(), all.data(), a * d, (b - a) * d);
        }
        return all;
    }

    /**
     * One prefill of 700 positions against windows of 64, 100 (not a multiple of the Mamba2 chunk
     * or the attention tile) and 5 (below the tiled-continuation threshold: the decoding step),
     * for full and windowed spans: the relative 1e-4.
     */
    @Test
    void prefillInWindowsEqualsOnePrefill() {
        int n = 700;
        int[] ids = ids(5, n);
        for (String span : new String[] {"full", "window:48", "window:300"}) {
            Decoder model = model(span, n);
            Tensor one = model.prefill(model.newState(), Inputs.tokens(ids, 1, n));
            for (int window : new int[] {64, 100, 5}) {
                DecoderState state = model.newState();
                Tensor pieces = prefillInWindows(model, state, ids, window);
                assertEquals(n, state.position());
                for (int i = 0; i < one.size(); i++) {
                    float ref = one.at(i);
                    assertEquals(ref, pieces.at(i), 1e-4 * Math.max(1, Math.abs(ref)),
                            span + ", windows of " + window + ", position " + i / one.dim(1));
                }
            }
        }
    }

    /**
     * A windowed model built with maxLength 64 reads 5,000 positions: the state's serialised
     * size does not change after the ring fills (bounded memory), and the result equals a
     * decoder whose RoPE table covers every position (positions beyond the table are computed
     * to the same bits).
     */
    @Test
    void windowedLayersTakeAnyLengthInConstantState() {
        int n = 5000;
        int[] ids = ids(6, n);
        Decoder small = model("window:40", 64);
        Decoder large = new Decoder(config("window:40"), n, K);
        System.arraycopy(small.parameters().values(), 0, large.parameters().values(), 0, small.parameters().size());
        DecoderState state = small.newState();
        Tensor first = prefillInWindows(small, state, Arrays.copyOf(ids, 1024), 256);
        int bytesAt1024 = state.toBytes().length;
        Tensor rest = prefillInWindows(small, state, Arrays.copyOfRange(ids, 1024, n), 256);
        assertEquals(n, state.position());
        assertEquals(bytesAt1024, state.toBytes().length, "state size after 1,024 and after 5,000 positions");
        int d = small.config().dModel();
        Tensor ref = prefillInWindows(large, large.newState(), ids, 256);
        assertArrayEquals(Arrays.copyOfRange(ref.data(), 0, 1024 * d), first.toArray());
        assertArrayEquals(Arrays.copyOfRange(ref.data(), 1024 * d, n * d), rest.toArray());
        // and a decoding step far beyond maxLength
        Tensor h = small.step(new DecoderState[] {state}, Inputs.tokens(new int[] {3}, 1, 1));
        assertTrue(Float.isFinite(h.at(0)));
        assertEquals(n + 1, state.position());
    }

    @Test
    void fullSpanLayersRefuseBeyondTheirCapacityBeforeChangingTheState() {
        Decoder model = model("full", 100);
        DecoderState state = model.newState(40);
        model.prefill(state, Inputs.tokens(ids(7, 30), 1, 30));
        byte[] before = state.toBytes();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.prefill(state, Inputs.tokens(ids(8, 11), 1, 11)));
        assertTrue(e.getMessage().contains("position 41") && e.getMessage().contains("40 positions")
                && e.getMessage().contains("full-span attention (layer 1)"), e.getMessage());
        assertArrayEquals(before, state.toBytes(), "the state is unchanged by the refused prefill");
        model.prefill(state, Inputs.tokens(ids(8, 10), 1, 10));
        assertEquals(40, state.position());

        DecoderState full = model.newState();
        model.prefill(full, Inputs.tokens(ids(9, 100), 1, 100));
        e = assertThrows(IllegalArgumentException.class,
                () -> model.step(new DecoderState[] {full}, Inputs.tokens(new int[] {1}, 1, 1)));
        assertTrue(e.getMessage().contains("beyond this decoder's maxLength 100"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.newState(101));
        assertTrue(e.getMessage().contains("1 to maxLength = 100"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.newState(0));
    }
}
