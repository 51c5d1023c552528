package dev.chimera.core.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decoding with a KV cache: parity with the double-precision reference and the parallel
 * forward, forking, serialisation, input checks; every test on the vector kernels (attention
 * and RoPE) and again on the scalar ones.
 */
@ParameterizedClass(name = "vector={0}")
@ValueSource(booleans = {true, false})
class DecodeTest {
    private static final int N_HEADS = 4;
    private static final int N_KV_HEADS = 2;
    private static final int HEAD_DIM = 20;
    private static ComputePool pool;
    private final boolean vector;

    DecodeTest(boolean vector) {
        this.vector = vector;
    }

    @BeforeAll
    static void pools() {
        pool = new ComputePool(2);
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    private static KvCache cacheFor(int window, int capacity) {
        return window == 0 ? KvCache.full(N_KV_HEADS, HEAD_DIM, capacity) : KvCache.windowed(N_KV_HEADS, HEAD_DIM, window);
    }

    /**
     * Prefill T positions, then step S more, each step roping its q and k at the absolute
     * position and appending before attending: row T+i of the step outputs must equal row T+i
     * of the parallel forward over T+S roped positions. Windows 5 and 16 are smaller than T,
     * so the ring wraps during prefill and again while stepping.
     */
    @ParameterizedTest(name = "window {0}, T {1}, S {2}")
    @CsvSource({"0, 30, 10", "0, 1, 70", "5, 30, 10", "16, 40, 25", "1, 3, 4", "64, 100, 40"})
    void prefillThenStepMatchesParallelForward(int window, int T, int S) {
        int total = T + S;
        Rope rope = new Rope(HEAD_DIM, 256, 10_000, vector);
        Tensor q = Tensor.uniform(window + T, -1, 1, 1, total, N_HEADS, HEAD_DIM);
        Tensor k = Tensor.uniform(window + T + 1, -1, 1, 1, total, N_KV_HEADS, HEAD_DIM);
        Tensor v = Tensor.uniform(window + T + 2, -1, 1, 1, total, N_KV_HEADS, HEAD_DIM);
        Tensor qr = q.copy();
        Tensor kr = k.copy();
        rope.forward(qr, 0);
        rope.forward(kr, 0);
        CausalAttention attn = CausalAttentionTest.attention(N_HEADS, N_KV_HEADS, HEAD_DIM, window, pool, vector);
        Tensor o = Tensor.zeros(1, total, N_HEADS, HEAD_DIM);
        attn.forward(o, Tensor.zeros(1, N_HEADS, total), qr, kr, v);
        double[] reference = new double[q.size()];
        new AttentionReference(1, total, N_HEADS, N_KV_HEADS, HEAD_DIM, window).forward(reference, null,
                CausalAttentionTest.toDouble(qr), CausalAttentionTest.toDouble(kr), CausalAttentionTest.toDouble(v));

        KvCache cache = cacheFor(window, total);
        cache.appendAll(kr.select(0).slice(0, T), v.select(0).slice(0, T));
        Tensor out = Tensor.zeros(N_HEADS, HEAD_DIM);
        for (int t = T; t < total; t++) {
            Tensor qt = q.select(0).select(t).copy(); // (nHeads, headDim)
            Tensor kt = k.select(0).select(t).copy(); // (nKvHeads, headDim)
            rope.forward(qt, cache.length());
            rope.forward(kt, cache.length());
            cache.append(kt, v.select(0).select(t));
            attn.decode(out, qt, cache);
            float[] want = o.select(0).select(t).toArray();
            float[] got = out.toArray();
            int row = t * N_HEADS * HEAD_DIM;
            for (int i = 0; i < want.length; i++) {
                // Same fold over the same keys, in ring order instead of position order: sums
                // of <= 71 float terms reordered, ~1e-6 on outputs of size ~1; the forward
                // itself is within ~1e-6 of the reference.
                assertEquals(want[i], got[i], 1e-5 + 1e-5 * Math.abs(want[i]), "position " + t + ", value " + i);
                assertEquals(reference[row + i], got[i], 1e-5 + 1e-5 * Math.abs(reference[row + i]),
                        "position " + t + ", value " + i + " against the reference");
            }
        }
        assertEquals(total, cache.length());
        assertEquals(window == 0 ? total : Math.min(window, total), cache.size());
    }

    private static KvCache prefilled(int window, int positions, long seed) {
        KvCache cache = cacheFor(window, 64);
        cache.appendAll(Tensor.uniform(seed, -1, 1, positions, N_KV_HEADS, HEAD_DIM),
                Tensor.uniform(seed + 1, -1, 1, positions, N_KV_HEADS, HEAD_DIM));
        return cache;
    }

    private static float[] step(CausalAttention attn, KvCache cache, long seed) {
        cache.append(Tensor.uniform(seed, -1, 1, N_KV_HEADS, HEAD_DIM), Tensor.uniform(seed + 1, -1, 1, N_KV_HEADS, HEAD_DIM));
        Tensor out = Tensor.zeros(N_HEADS, HEAD_DIM);
        attn.decode(out, Tensor.uniform(seed + 2, -1, 1, N_HEADS, HEAD_DIM), cache);
        return out.toArray();
    }

    @ParameterizedTest(name = "window {0}")
    @CsvSource({"0", "7"})
    void copyIsIndependent(int window) {
        CausalAttention attn = CausalAttentionTest.attention(N_HEADS, N_KV_HEADS, HEAD_DIM, window, pool, vector);
        KvCache original = prefilled(window, 20, 1);
        byte[] before = original.toBytes();
        KvCache fork = original.copy();
        float[] forkOut = step(attn, fork, 100);
        step(attn, fork, 200);
        assertArrayEquals(before, original.toBytes(), "stepping the copy changed the original");
        assertEquals(20, original.length());
        // The original, stepped with the fork's first input, gives the fork's first output.
        assertArrayEquals(forkOut, step(attn, original, 100));
    }

    @ParameterizedTest(name = "window {0}, positions {1}")
    @CsvSource({"0, 37", "7, 20", "7, 3", "0, 0"})
    void serialiseRestoreStepIsIdentical(int window, int positions) throws IOException {
        CausalAttention attn = CausalAttentionTest.attention(N_HEADS, N_KV_HEADS, HEAD_DIM, window, pool, vector);
        KvCache cache = prefilled(window, positions, 3);
        KvCache restored = KvCache.fromBytes(cache.toBytes());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        cache.writeTo(new DataOutputStream(bytes));
        KvCache streamed = KvCache.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        for (KvCache c : new KvCache[] {restored, streamed}) {
            assertEquals(cache.length(), c.length());
            assertEquals(cache.window(), c.window());
            assertEquals(cache.capacity(), c.capacity());
        }
        for (int s = 0; s < 10; s++) {
            float[] want = step(attn, cache, 50 + 10 * s);
            assertArrayEquals(want, step(attn, restored, 50 + 10 * s), "byte array, step " + s);
            assertArrayEquals(want, step(attn, streamed, 50 + 10 * s), "data stream, step " + s);
        }
    }

    @Test
    void rejectsBadInput() throws IOException {
        CausalAttention attn = CausalAttention.windowed(N_HEADS, N_KV_HEADS, HEAD_DIM, 4, pool, vector);
        Tensor out = Tensor.zeros(N_HEADS, HEAD_DIM);
        Tensor q = Tensor.zeros(N_HEADS, HEAD_DIM);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> attn.decode(out, q, KvCache.windowed(N_KV_HEADS, HEAD_DIM, 4)));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> attn.decode(out, q, prefilled(5, 3, 1)));
        assertTrue(e.getMessage().contains("window=5") && e.getMessage().contains("window=4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> attn.decode(out, Tensor.zeros(2, HEAD_DIM), prefilled(4, 3, 1)));
        assertTrue(e.getMessage().contains("q must be (4, 20), got (2, 20)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KvCache.windowed(2, 8, 0));
        assertTrue(e.getMessage().contains("window must be >= 1, got 0"), e.getMessage());
        KvCache cache = KvCache.full(N_KV_HEADS, HEAD_DIM, 2);
        e = assertThrows(IllegalArgumentException.class,
                () -> cache.append(Tensor.zeros(N_KV_HEADS, HEAD_DIM + 1), Tensor.zeros(N_KV_HEADS, HEAD_DIM)));
        assertTrue(e.getMessage().contains("(nKvHeads=2, headDim=20), got (2, 21)"), e.getMessage());
        cache.append(Tensor.zeros(N_KV_HEADS, HEAD_DIM), Tensor.zeros(N_KV_HEADS, HEAD_DIM));
        cache.append(Tensor.zeros(N_KV_HEADS, HEAD_DIM), Tensor.zeros(N_KV_HEADS, HEAD_DIM));
        IllegalStateException full = assertThrows(IllegalStateException.class,
                () -> cache.append(Tensor.zeros(N_KV_HEADS, HEAD_DIM), Tensor.zeros(N_KV_HEADS, HEAD_DIM)));
        assertTrue(full.getMessage().contains("capacity 2"), full.getMessage());

        byte[] bytes = prefilled(0, 5, 1).toBytes();
        IOException io = assertThrows(IOException.class, () -> KvCache.fromBytes(Arrays.copyOf(bytes, bytes.length + 1)));
        assertTrue(io.getMessage().contains("1 bytes left over"), io.getMessage());
        assertThrows(IOException.class, () -> KvCache.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)));
        bytes[0] = 0;
        io = assertThrows(IOException.class, () -> KvCache.fromBytes(bytes));
        assertTrue(io.getMessage().contains("magic"), io.getMessage());
    }
}
