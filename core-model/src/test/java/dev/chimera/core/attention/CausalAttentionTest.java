package dev.chimera.core.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tiled float32 attention against the double-precision reference, determinism, and input
 * checks; every test on the vector kernels and again on the scalar ones.
 */
@ParameterizedClass(name = "vector={0}")
@ValueSource(booleans = {true, false})
class CausalAttentionTest {
    private static final int TILE = CausalAttention.TILE;
    private static ComputePool pool;
    private static ComputePool single;
    private final boolean vector;

    CausalAttentionTest(boolean vector) {
        this.vector = vector;
    }

    @BeforeAll
    static void pools() {
        pool = new ComputePool(3);
        single = new ComputePool(1);
    }

    @AfterAll
    static void close() {
        pool.close();
        single.close();
    }

    static CausalAttention attention(int nHeads, int nKvHeads, int headDim, int window, ComputePool p,
                                     boolean vector) {
        return window == 0 ? CausalAttention.full(nHeads, nKvHeads, headDim, p, vector)
                : CausalAttention.windowed(nHeads, nKvHeads, headDim, window, p, vector);
    }

    static double[] toDouble(Tensor x) {
        double[] d = new double[x.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = x.at(i);
        }
        return d;
    }

    /** |got - want| <= atol + rtol*|want| everywhere, naming the first offending index. */
    static void assertClose(String what, double[] want, Tensor got, double atol, double rtol) {
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(got.at(i) - want[i]);
            double allowed = atol + rtol * Math.abs(want[i]);
            if (!(err <= allowed)) {
                fail(what + "[" + i + "] = " + got.at(i) + ", reference " + want[i] + ", error " + err + " > " + allowed);
            }
        }
    }

    static Stream<Arguments> grid() {
        List<Arguments> cases = new ArrayList<>();
        for (int window : new int[] {0, 1, 3, 16}) {
            for (int nKvHeads : new int[] {2, 1}) {
                for (int T : new int[] {1, 7, TILE - 1, TILE + 1, 3 * TILE + 5}) {
                    for (int headDim : new int[] {8, 17, 64}) {
                        cases.add(Arguments.of(window, nKvHeads, T, headDim));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "window {0}, nKvHeads {1}, T {2}, headDim {3}")
    @MethodSource("grid")
    void matchesReference(int window, int nKvHeads, int T, int headDim) {
        check(2, T, 4, nKvHeads, headDim, window, 1f, 1000L * T + 10L * headDim + window + nKvHeads);
    }

    /**
     * Logits of order +-40: each row's maximum moves many times between key blocks, so the
     * online rescaling is exercised against the reference's exact max-shift.
     */
    @Test
    void largeLogitsStayStable() {
        check(1, 3 * TILE + 5, 2, 1, 16, 0, 6f, 99);
        check(1, 3 * TILE + 5, 2, 2, 16, 40, 6f, 98);
    }

    private void check(int batch, int T, int nHeads, int nKvHeads, int headDim, int window, float range, long seed) {
        check(batch, T, nHeads, nKvHeads, headDim, window, range, seed, null);
    }

    /** onePass: the backward schedule to force, or null for the one {@link CausalAttention#backward} picks. */
    private void check(int batch, int T, int nHeads, int nKvHeads, int headDim, int window, float range, long seed,
                       Boolean onePass) {
        Tensor q = Tensor.uniform(seed, -range, range, batch, T, nHeads, headDim);
        Tensor k = Tensor.uniform(seed + 1, -range, range, batch, T, nKvHeads, headDim);
        Tensor v = Tensor.uniform(seed + 2, -1, 1, batch, T, nKvHeads, headDim);
        Tensor dout = Tensor.uniform(seed + 3, -1, 1, batch, T, nHeads, headDim);
        Tensor o = Tensor.zeros(batch, T, nHeads, headDim);
        Tensor lse = Tensor.zeros(batch, nHeads, T);
        Tensor dq = Tensor.zeros(batch, T, nHeads, headDim);
        Tensor dk = Tensor.zeros(batch, T, nKvHeads, headDim);
        Tensor dv = Tensor.zeros(batch, T, nKvHeads, headDim);
        // Stale values in the outputs must be overwritten, not accumulated into.
        dq.fill(7f);
        dk.fill(7f);
        dv.fill(7f);
        CausalAttention attn = attention(nHeads, nKvHeads, headDim, window, pool, vector);
        attn.forward(o, lse, q, k, v);
        if (onePass == null) {
            attn.backward(dq, dk, dv, Tensor.zeros(batch, nHeads, T), dout, q, k, v, o, lse);
        } else {
            attn.backward(dq, dk, dv, Tensor.zeros(batch, nHeads, T), dout, q, k, v, o, lse, onePass);
        }

        AttentionReference ref = new AttentionReference(batch, T, nHeads, nKvHeads, headDim, window);
        double[] qd = toDouble(q);
        double[] kd = toDouble(k);
        double[] vd = toDouble(v);
        double[] oRef = new double[q.size()];
        double[] lseRef = new double[lse.size()];
        ref.forward(oRef, lseRef, qd, kd, vd);
        double[] dqRef = new double[q.size()];
        double[] dkRef = new double[k.size()];
        double[] dvRef = new double[v.size()];
        ref.backward(dqRef, dkRef, dvRef, toDouble(dout), qd, kd, vd);

        // float32 dots over headDim <= 64 and sums over <= 200 keys of values ~1 (scores scale
        // with range^2): worst errors seen are ~4e-7 on o and lse, ~1e-6 on the gradients,
        // which also sum over query heads and rows; these bounds leave about 10x room.
        double s = range;
        assertClose("o", oRef, o, 2e-6 * s, 2e-5);
        assertClose("lse", lseRef, lse, 2e-6 * s * s, 2e-6);
        assertClose("dq", dqRef, dq, 1e-5 * s, 5e-5);
        assertClose("dk", dkRef, dk, 1e-5 * s, 5e-5);
        assertClose("dv", dvRef, dv, 1e-5 * s, 5e-5);
    }

    /**
     * Both backward schedules against the reference, at head sizes where the one-pass
     * schedule can run (a multiple of the vector length up to 16), and where it cannot
     * (headDim 17: the two-pass schedule only).
     */
    @ParameterizedTest(name = "window {0}, nKvHeads {1}, T {2}, headDim {3}")
    @CsvSource({"0, 2, 200, 16", "0, 1, 65, 64", "3, 2, 200, 32", "70, 2, 197, 16", "16, 1, 130, 64", "0, 2, 7, 16",
        "0, 2, 130, 17"})
    void bothSchedulesMatchReference(int window, int nKvHeads, int T, int headDim) {
        for (boolean onePass : new boolean[] {false, true}) {
            if (onePass && !new TileMath(vector).rowsVectorisable(headDim)) {
                continue;
            }
            check(2, T, 4, nKvHeads, headDim, window, 1f, 31L * T + headDim + window, onePass);
        }
    }

    /**
     * The one-pass schedule (one task per batch and kv head, dq accumulated key tile by key
     * tile) and the two-pass schedule (dq per query tile, dk and dv per key tile) give the same
     * bits, so the choice between them, which depends on the thread count, cannot change results.
     */
    @ParameterizedTest(name = "window {0}, T {1}, headDim {2}")
    @CsvSource({"0, 200, 16", "0, 64, 64", "0, 1, 32", "5, 200, 16", "70, 197, 64", "64, 300, 48", "256, 330, 16"})
    void backwardSchedulesGiveSameBits(int window, int T, int headDim) {
        assumeTrue(new TileMath(vector).rowsVectorisable(headDim),
                "headDim " + headDim + " is not a multiple of the vector length: only the two-pass schedule runs");
        int batch = 2;
        int nHeads = 6;
        int nKvHeads = 2;
        Tensor q = Tensor.uniform(11, -2, 2, batch, T, nHeads, headDim);
        Tensor k = Tensor.uniform(12, -2, 2, batch, T, nKvHeads, headDim);
        Tensor v = Tensor.uniform(13, -1, 1, batch, T, nKvHeads, headDim);
        Tensor dout = Tensor.uniform(14, -1, 1, batch, T, nHeads, headDim);
        CausalAttention attn = attention(nHeads, nKvHeads, headDim, window, pool, vector);
        Tensor o = Tensor.zeros(batch, T, nHeads, headDim);
        Tensor lse = Tensor.zeros(batch, nHeads, T);
        attn.forward(o, lse, q, k, v);
        Tensor[][] grads = new Tensor[2][];
        for (int r = 0; r < 2; r++) {
            Tensor dq = Tensor.zeros(batch, T, nHeads, headDim);
            Tensor dk = Tensor.zeros(batch, T, nKvHeads, headDim);
            Tensor dv = Tensor.zeros(batch, T, nKvHeads, headDim);
            Tensor delta = Tensor.zeros(batch, nHeads, T);
            dq.fill(3f);
            dk.fill(3f);
            dv.fill(3f);
            attn.backward(dq, dk, dv, delta, dout, q, k, v, o, lse, r == 1);
            grads[r] = new Tensor[] {dq, dk, dv, delta};
        }
        String[] names = {"dq", "dk", "dv", "delta"};
        for (int i = 0; i < names.length; i++) {
            assertArrayEquals(grads[0][i].toArray(), grads[1][i].toArray(), names[i] + ": two-pass vs one-pass");
        }
    }

    @ParameterizedTest(name = "window {0}")
    @MethodSource("windows")
    void threadCountDoesNotChangeBits(int window) {
        int batch = 2;
        int T = 3 * TILE + 5;
        int nHeads = 4;
        int nKvHeads = 2;
        int headDim = 24;
        Tensor q = Tensor.uniform(1, -1, 1, batch, T, nHeads, headDim);
        Tensor k = Tensor.uniform(2, -1, 1, batch, T, nKvHeads, headDim);
        Tensor v = Tensor.uniform(3, -1, 1, batch, T, nKvHeads, headDim);
        Tensor dout = Tensor.uniform(4, -1, 1, batch, T, nHeads, headDim);
        Tensor[][] results = new Tensor[2][];
        ComputePool[] pools = {single, pool};
        for (int r = 0; r < 2; r++) {
            CausalAttention attn = attention(nHeads, nKvHeads, headDim, window, pools[r], vector);
            Tensor o = Tensor.zeros(batch, T, nHeads, headDim);
            Tensor lse = Tensor.zeros(batch, nHeads, T);
            Tensor dq = Tensor.zeros(batch, T, nHeads, headDim);
            Tensor dk = Tensor.zeros(batch, T, nKvHeads, headDim);
            Tensor dv = Tensor.zeros(batch, T, nKvHeads, headDim);
            attn.forward(o, lse, q, k, v);
            attn.backward(dq, dk, dv, Tensor.zeros(batch, nHeads, T), dout, q, k, v, o, lse);
            results[r] = new Tensor[] {o, lse, dq, dk, dv};
        }
        String[] names = {"o", "lse", "dq", "dk", "dv"};
        for (int i = 0; i < names.length; i++) {
            assertArrayEquals(results[0][i].toArray(), results[1][i].toArray(), names[i] + ": 1 vs 3 threads");
        }
    }

    static Stream<Integer> windows() {
        return Stream.of(0, 5, 70);
    }

    @Test
    void rejectsBadShapesAndSettings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CausalAttention.full(6, 4, 8, pool, vector));
        assertTrue(e.getMessage().contains("nHeads=6") && e.getMessage().contains("nKvHeads=4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CausalAttention.windowed(4, 2, 8, 0, pool, vector));
        assertTrue(e.getMessage().contains("window must be >= 1, got 0"), e.getMessage());

        CausalAttention attn = CausalAttention.full(4, 2, 8, pool, vector);
        Tensor q = Tensor.zeros(1, 5, 4, 8);
        Tensor kv = Tensor.zeros(1, 5, 2, 8);
        Tensor o = Tensor.zeros(1, 5, 4, 8);
        Tensor lse = Tensor.zeros(1, 4, 5);
        e = assertThrows(IllegalArgumentException.class,
                () -> attn.forward(o, lse, q, Tensor.zeros(1, 6, 2, 8), kv));
        assertTrue(e.getMessage().contains("k must be (1, 5, 2, 8), got (1, 6, 2, 8)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> attn.forward(o, lse, Tensor.zeros(1, 5, 4, 9), kv, kv));
        assertTrue(e.getMessage().contains("headDim=8") && e.getMessage().contains("(1, 5, 4, 9)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> attn.forward(o, Tensor.zeros(1, 5, 4), q, kv, kv));
        assertTrue(e.getMessage().contains("lse must be (1, 4, 5), got (1, 5, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> attn.backward(Tensor.zeros(1, 5, 4, 8),
                Tensor.zeros(1, 5, 4, 8), Tensor.zeros(1, 5, 2, 8), Tensor.zeros(1, 4, 5), o, q, kv, kv, o, lse));
        assertTrue(e.getMessage().contains("dk must be (1, 5, 2, 8), got (1, 5, 4, 8)"), e.getMessage());
    }
}
