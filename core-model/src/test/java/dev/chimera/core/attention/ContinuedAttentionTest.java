package dev.chimera.core.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A chunk continuing a KV cache: parity with the double-precision reference and with one
 * forward over the whole sequence, any thread count; every test on the vector kernels and
 * again on the scalar ones.
 */
@ParameterizedClass(name = "vector={0}")
@ValueSource(booleans = {true, false})
class ContinuedAttentionTest {
    private static final int N_HEADS = 4;
    private static final int N_KV_HEADS = 2;
    private static final int HEAD_DIM = 20;
    private static ComputePool one;
    private static ComputePool two;
    private final boolean vector;

    ContinuedAttentionTest(boolean vector) {
        this.vector = vector;
    }

    @BeforeAll
    static void pools() {
        one = new ComputePool(1);
        two = new ComputePool(2);
    }

    @AfterAll
    static void close() {
        one.close();
        two.close();
    }

    /**
     * The sequence is cut into pieces; each is the continued attention over the cache (empty
     * for the first), then appended. Every row must equal the double-precision reference and
     * the one forward over the whole sequence. Windows 5, 37 and 64 are shorter than the
     * sequence, so the ring wraps and is read out of position order; pieces of 1, 63, 64, 65
     * and 200 rows cover partial and multiple tiles, and pieces longer than the window.
     */
    @ParameterizedTest(name = "window {0}, pieces {1}")
    @CsvSource({"0, 30 64 1 100 65", "5, 30 64 1 100 65", "37, 10 63 200 3", "64, 64 64 64 65", "1, 3 40 2",
            "200, 150 180 20"})
    void piecesEqualOneForward(int window, String pieceList) {
        String[] parts = pieceList.trim().split(" +");
        int[] pieces = new int[parts.length];
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            pieces[i] = Integer.parseInt(parts[i]);
            total += pieces[i];
        }
        Tensor q = Tensor.uniform(window + total, -1.5f, 1.5f, 1, total, N_HEADS, HEAD_DIM);
        Tensor k = Tensor.uniform(window + total + 1, -1.5f, 1.5f, 1, total, N_KV_HEADS, HEAD_DIM);
        Tensor v = Tensor.uniform(window + total + 2, -1, 1, 1, total, N_KV_HEADS, HEAD_DIM);
        CausalAttention attn = CausalAttentionTest.attention(N_HEADS, N_KV_HEADS, HEAD_DIM, window, two, vector);
        Tensor want = Tensor.zeros(1, total, N_HEADS, HEAD_DIM);
        attn.forward(want, Tensor.zeros(1, N_HEADS, total), q, k, v);
        double[] reference = new double[q.size()];
        new AttentionReference(1, total, N_HEADS, N_KV_HEADS, HEAD_DIM, window).forward(reference, null,
                CausalAttentionTest.toDouble(q), CausalAttentionTest.toDouble(k), CausalAttentionTest.toDouble(v));

        float[][] byThreads = new float[2][];
        for (ComputePool pool : new ComputePool[] {one, two}) {
            ContinuedAttention continued = new ContinuedAttention(N_HEADS, N_KV_HEADS, HEAD_DIM, window, pool, vector);
            KvCache cache = window == 0 ? KvCache.full(N_KV_HEADS, HEAD_DIM, total)
                    : KvCache.windowed(N_KV_HEADS, HEAD_DIM, window);
            Tensor got = Tensor.zeros(total, N_HEADS, HEAD_DIM);
            int at = 0;
            for (int piece : pieces) {
                Tensor qs = q.select(0).slice(at, at + piece);
                Tensor ks = k.select(0).slice(at, at + piece);
                Tensor vs = v.select(0).slice(at, at + piece);
                continued.forward(got.slice(at, at + piece), qs, ks, vs, cache);
                cache.appendAll(ks, vs);
                at += piece;
            }
            assertEquals(total, cache.length());
            // float32 attention of scores up to 1.5^2 * 20 / sqrt(20) ~ 10 over <= 353 keys: the
            // forward's own error against the reference is ~1e-6; 10x room.
            CausalAttentionTest.assertClose("continued vs reference", reference, got, 1e-5, 1e-5);
            float[] w = want.toArray();
            float[] g = got.toArray();
            for (int i = 0; i < w.length; i++) {
                // The same softmax over the same keys in other blocks and order: float rounding of
                // sums of <= 200 terms of size ~1.
                assertEquals(w[i], g[i], 2e-5 + 2e-5 * Math.abs(w[i]),
                        "position " + i / (N_HEADS * HEAD_DIM) + ", value " + i % (N_HEADS * HEAD_DIM));
            }
            byThreads[pool == one ? 0 : 1] = g;
        }
        assertArrayEquals(byThreads[0], byThreads[1], "identical bits on 1 and 2 threads");

        // The public entry point, AttentionOp.continueFrom of the layer's attention, is this continuation.
        KvCache cache = attn.newCache(total);
        Tensor got = Tensor.zeros(total, N_HEADS, HEAD_DIM);
        int at = 0;
        for (int piece : pieces) {
            Tensor ks = k.select(0).slice(at, at + piece);
            Tensor vs = v.select(0).slice(at, at + piece);
            attn.continueFrom(got.slice(at, at + piece), q.select(0).slice(at, at + piece), ks, vs, cache);
            cache.appendAll(ks, vs);
            at += piece;
        }
        assertArrayEquals(byThreads[1], got.toArray(), "continueFrom is the continuation");
    }

    @Test
    void rejectsMismatchedShapesAndCaches() {
        ContinuedAttention c = new ContinuedAttention(N_HEADS, N_KV_HEADS, HEAD_DIM, 8, one, vector);
        Tensor q = Tensor.zeros(4, N_HEADS, HEAD_DIM);
        Tensor kv = Tensor.zeros(4, N_KV_HEADS, HEAD_DIM);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.forward(q, q, kv, kv, KvCache.full(N_KV_HEADS, HEAD_DIM, 10)));
        assertTrue(e.getMessage().contains("window=0") && e.getMessage().contains("window=8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> c.forward(q, q, Tensor.zeros(3, N_KV_HEADS, HEAD_DIM), kv, KvCache.windowed(N_KV_HEADS, HEAD_DIM, 8)));
        assertTrue(e.getMessage().contains("k must be (4, 2, 20)"), e.getMessage());
    }
}
