package dev.chimera.core.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The vector and the scalar kernels against each other: the tiled passes (forward, both
 * backward schedules, continued prefill) and RoPE compute the same bits on both paths, as
 * {@link CausalAttention#full} and {@link Rope} state. (Decoding sums in another order on each
 * path; DecodeTest holds both to the reference.)
 */
class AttentionPathsTest {
    private static ComputePool pool;

    @BeforeAll
    static void pools() {
        pool = new ComputePool(2);
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    /** o, lse, then dq, dk, dv of the one-pass and of the two-pass backward, then a continued prefill. */
    private static float[][] run(boolean vector, int window, int T, int headDim) {
        int batch = 2;
        int nHeads = 4;
        int nKvHeads = 2;
        Tensor q = Tensor.uniform(1, -2, 2, batch, T, nHeads, headDim);
        Tensor k = Tensor.uniform(2, -2, 2, batch, T, nKvHeads, headDim);
        Tensor v = Tensor.uniform(3, -1, 1, batch, T, nKvHeads, headDim);
        Tensor dout = Tensor.uniform(4, -1, 1, batch, T, nHeads, headDim);
        CausalAttention attn = CausalAttentionTest.attention(nHeads, nKvHeads, headDim, window, pool, vector);
        Tensor o = Tensor.zeros(batch, T, nHeads, headDim);
        Tensor lse = Tensor.zeros(batch, nHeads, T);
        attn.forward(o, lse, q, k, v);
        float[][] out = new float[9][];
        out[0] = o.toArray();
        out[1] = lse.toArray();
        for (int pass = 0; pass < 2; pass++) {
            boolean onePass = pass == 0 && new TileMath(vector).rowsVectorisable(headDim);
            Tensor dq = Tensor.zeros(batch, T, nHeads, headDim);
            Tensor dk = Tensor.zeros(batch, T, nKvHeads, headDim);
            Tensor dv = Tensor.zeros(batch, T, nKvHeads, headDim);
            attn.backward(dq, dk, dv, Tensor.zeros(batch, nHeads, T), dout, q, k, v, o, lse, onePass);
            out[2 + 3 * pass] = dq.toArray();
            out[3 + 3 * pass] = dk.toArray();
            out[4 + 3 * pass] = dv.toArray();
        }
        // The second half of sequence 0 continuing a cache of its first half.
        int half = T / 2;
        KvCache cache = window == 0 ? KvCache.full(nKvHeads, headDim, T) : KvCache.windowed(nKvHeads, headDim, window);
        cache.appendAll(k.select(0).slice(0, half), v.select(0).slice(0, half));
        Tensor continued = Tensor.zeros(T - half, nHeads, headDim);
        attn.continueFrom(continued, q.select(0).slice(half, T),
                k.select(0).slice(half, T), v.select(0).slice(half, T), cache);
        out[8] = continued.toArray();
        return out;
    }

    @ParameterizedTest(name = "window {0}, T {1}, headDim {2}")
    @CsvSource({"0, 200, 16", "0, 65, 17", "5, 130, 64", "70, 197, 24", "1, 7, 8"})
    void tiledPassesGiveTheSameBitsOnBothPaths(int window, int T, int headDim) {
        float[][] vector = run(true, window, T, headDim);
        float[][] scalar = run(false, window, T, headDim);
        String[] names = {"o", "lse", "dq", "dk", "dv", "dq (two-pass)", "dk (two-pass)", "dv (two-pass)", "continued"};
        for (int i = 0; i < names.length; i++) {
            assertArrayEquals(vector[i], scalar[i], names[i] + ": vector vs scalar kernels");
        }
    }

    @Test
    void ropeGivesTheSameBitsOnBothPaths() {
        for (int headDim : new int[] {2, 34, 64}) {
            Rope vector = new Rope(headDim, 50, 10_000, true);
            Rope scalar = new Rope(headDim, 50, 10_000, false);
            Tensor x = Tensor.uniform(headDim, -1, 1, 2, 80, 3, headDim); // positions 30..109 straddle the table's end
            Tensor a = x.copy();
            Tensor b = x.copy();
            vector.forward(a, 30);
            scalar.forward(b, 30);
            assertArrayEquals(a.toArray(), b.toArray(), "forward, headDim " + headDim);
            vector.backward(a, 30);
            scalar.backward(b, 30);
            assertArrayEquals(a.toArray(), b.toArray(), "backward, headDim " + headDim);
        }
    }
}
