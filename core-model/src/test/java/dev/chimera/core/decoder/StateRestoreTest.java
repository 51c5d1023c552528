package dev.chimera.core.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.layers.Mixer;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Restoring a snapshot into a state that is in use: {@link DecoderState#copyFrom} and
 * {@link DecoderState#readBytes} keep the state's own per-layer objects (its KV caches, conv and
 * SSM states), and what the model computes after the restore is what it computed after the
 * snapshot was taken, bit for bit: the same prefill, step by step, through the same kernels.
 * Full-span and windowed attention (a ring of 5 that the prompt has already wrapped).
 */
class StateRestoreTest {
    private static final ComputePool POOL = new ComputePool(2);
    private static final Backend K = Backends.cpu(POOL);
    private static final int MAX_LENGTH = 64;
    private static final int PROMPT = 11;

    @AfterAll
    static void close() {
        POOL.close();
    }

    /** The tiny hybrid, 4 layers MAMA, with the given span, its weights jittered off the initialisation. */
    private static Decoder model(String span) {
        ModelConfig c = ModelConfig.tiny().toBuilder().nLayers(4).mixerPattern("MA").attnSpans(List.of(span))
                .chunkSize(4).build();
        Decoder model = new Decoder(c, MAX_LENGTH, K);
        model.initialise(41);
        SplittableRandom r = new SplittableRandom(42);
        float[] v = model.parameters().values();
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) ((r.nextDouble() * 2 - 1) * 0.1);
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

    /**
     * What the model computes from a state on: a prefill of 3 positions (shorter than the tiled
     * continuation: attention takes the decoding step), one of 20 (the tiled continuation), then 5
     * single steps, and the head's logits after the last; every value, in order.
     */
    private static float[] continuation(Decoder model, DecoderState state) {
        int[] ids = ids(7, 28);
        int d = model.config().dModel();
        float[] out = new float[28 * d + 8];
        Tensor a = model.prefill(state, Inputs.tokens(Arrays.copyOfRange(ids, 0, 3), 1, 3));
        System.arraycopy(a.toArray(), 0, out, 0, 3 * d);
        Tensor b = model.prefill(state, Inputs.tokens(Arrays.copyOfRange(ids, 3, 23), 1, 20));
        System.arraycopy(b.toArray(), 0, out, 3 * d, 20 * d);
        Tensor h = null;
        for (int t = 23; t < 28; t++) {
            h = model.step(new DecoderState[] {state}, Inputs.tokens(new int[] {ids[t]}, 1, 1));
            System.arraycopy(h.toArray(), 0, out, t * d, d);
        }
        Tensor logits = Tensor.zeros(1, 8);
        model.headOutput(logits, h);
        System.arraycopy(logits.toArray(), 0, out, 28 * d, 8);
        return out;
    }

    /** A state in use: prefilled with other tokens to another position than the snapshot's. */
    private static DecoderState busy(Decoder model, long seed, int positions) {
        DecoderState s = model.newState();
        model.prefill(s, Inputs.tokens(ids(seed, positions), 1, positions));
        return s;
    }

    private static void assertRestoredInPlace(String what, DecoderState state, Mixer.State[] before) {
        assertEquals(before.length, state.layers.length, what);
        for (int l = 0; l < before.length; l++) {
            // Each layer's state holds its KV cache or conv and SSM tensors in final fields: the same
            // object means the same cache and buffers.
            assertSame(before[l], state.layers[l], what + ": layer " + l + " keeps its own state object");
        }
        assertEquals(PROMPT, state.position(), what + ": position");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"full", "window:5"})
    void copyFromAndReadBytesRestoreInPlaceAndContinueBitForBit(String span) {
        Decoder model = model(span);
        DecoderState original = model.newState();
        model.prefill(original, Inputs.tokens(ids(3, PROMPT), 1, PROMPT));
        DecoderState snapshot = original.copy();
        byte[] bytes = original.toBytes();
        float[] expected = continuation(model, original);
        assertEquals(PROMPT + 28, original.position());

        // Back into the state that moved on from the snapshot.
        Mixer.State[] before = original.layers.clone();
        original.copyFrom(snapshot);
        assertRestoredInPlace(span + " copyFrom into the original", original, before);
        assertArrayEquals(bytes, original.toBytes(), span + ": the restored state serialises as the snapshot did");
        assertArrayEquals(expected, continuation(model, original), span + ": continuation after copyFrom");

        original.readBytes(bytes);
        assertRestoredInPlace(span + " readBytes into the original", original, before);
        assertArrayEquals(expected, continuation(model, original), span + ": continuation after readBytes");

        // Into states of other sequences, further along (17) and not as far (7) as the snapshot.
        for (int positions : new int[] {17, 7}) {
            DecoderState other = busy(model, 100 + positions, positions);
            Mixer.State[] mine = other.layers.clone();
            other.copyFrom(snapshot);
            assertRestoredInPlace(span + " copyFrom into a state at " + positions, other, mine);
            assertArrayEquals(expected, continuation(model, other), span + ": from a state at " + positions);

            DecoderState third = busy(model, 200 + positions, positions);
            mine = third.layers.clone();
            third.readBytes(bytes);
            assertRestoredInPlace(span + " readBytes into a state at " + positions, third, mine);
            assertArrayEquals(expected, continuation(model, third), span + ": bytes into a state at " + positions);
        }
        // Continuing the copies never touched the snapshot.
        assertArrayEquals(bytes, snapshot.toBytes(), span + ": the snapshot is unchanged");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"full", "window:5"})
    void copyFromAllocatesNothing(String span) {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean
                        && ((com.sun.management.ThreadMXBean) mx).isThreadAllocatedMemoryEnabled(),
                "SKIPPED: this JVM does not count the bytes a thread allocates (com.sun.management.ThreadMXBean)");
        com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) mx;
        Decoder model = model(span);
        DecoderState snapshot = busy(model, 5, PROMPT);
        DecoderState state = busy(model, 6, 30);
        for (int i = 0; i < 5; i++) {
            state.copyFrom(snapshot); // warm: classes loaded and the loop compiled
        }
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = counter.getCurrentThreadAllocatedBytes();
            state.copyFrom(snapshot);
            least = Math.min(least, counter.getCurrentThreadAllocatedBytes() - start);
        }
        // A new KV cache alone would be (2 k/v) x 64 positions x 8 floats x 4 bytes = 4 KiB.
        assertEquals(0, least, span + ": bytes allocated by a restore of a " + snapshot.toBytes().length
                + "-byte state");
        assertArrayEquals(snapshot.toBytes(), state.toBytes());
    }

    @Test
    void aFullSpanStateOfAnotherCapacityIsRefused() {
        Decoder model = model("full");
        DecoderState small = model.newState(20);
        DecoderState large = busy(model, 8, PROMPT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small.copyFrom(large));
        assertTrue(e.getMessage().contains("capacity=64") && e.getMessage().contains("capacity=20"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> small.readBytes(large.toBytes()));
        assertTrue(e.getMessage().contains("decoder state") && e.getMessage().contains("capacity=64")
                && e.getMessage().contains("capacity=20"), e.getMessage());
    }
}
