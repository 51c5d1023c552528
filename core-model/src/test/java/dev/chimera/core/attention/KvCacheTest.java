package dev.chimera.core.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The prefill of a cache ({@link KvCache#appendAll}) against the same positions appended one at a time. */
class KvCacheTest {
    private static final int N_KV_HEADS = 2;
    private static final int HEAD_DIM = 3;

    /**
     * A ring of W slots given T positions in one call keeps exactly what T single appends keep:
     * the last min(T, W) positions in their slots, the same length and size, the same bytes.
     * T runs over W-1, W, W+1 and 2W+3, from an empty ring and after earlier appends that
     * leave it part full, exactly full or wrapped; then one more position goes into both.
     */
    @ParameterizedTest(name = "window {0}, {1} appended before, then {2} at once")
    @CsvSource({"5, 0, 4", "5, 0, 5", "5, 0, 6", "5, 0, 13", "5, 3, 4", "5, 3, 5", "5, 3, 6", "5, 3, 13",
        "5, 5, 6", "5, 7, 13", "1, 0, 1", "1, 0, 2", "1, 0, 5", "1, 2, 5", "8, 11, 7", "8, 11, 9", "8, 11, 19"})
    void appendAllKeepsWhatAppendingOneByOneKeeps(int window, int before, int T) {
        Tensor k = Tensor.uniform(window * 100L + before * 10L + T, -1, 1, before + T + 1, N_KV_HEADS, HEAD_DIM);
        Tensor v = Tensor.uniform(window * 100L + before * 10L + T + 1, -1, 1, before + T + 1, N_KV_HEADS, HEAD_DIM);
        KvCache single = KvCache.windowed(N_KV_HEADS, HEAD_DIM, window);
        KvCache bulk = KvCache.windowed(N_KV_HEADS, HEAD_DIM, window);
        for (int t = 0; t < before; t++) {
            single.append(k.select(t), v.select(t));
            bulk.append(k.select(t), v.select(t));
        }
        for (int t = before; t < before + T; t++) {
            single.append(k.select(t), v.select(t));
        }
        bulk.appendAll(k.slice(before, before + T), v.slice(before, before + T));
        assertSame("after appendAll", single, bulk, before + T, window);
        single.append(k.select(before + T), v.select(before + T));
        bulk.append(k.select(before + T), v.select(before + T));
        assertSame("after one more append", single, bulk, before + T + 1, window);
    }

    private static void assertSame(String when, KvCache want, KvCache got, int length, int window) {
        assertEquals(length, got.length(), when + ": length");
        assertEquals(Math.min(length, window), got.size(), when + ": size");
        assertEquals(want.size(), got.size(), when + ": size");
        for (int slot = 0; slot < got.size(); slot++) {
            assertEquals(want.positionOfSlot(slot), got.positionOfSlot(slot), when + ": position of slot " + slot);
        }
        assertArrayEquals(want.keys(), got.keys(), when + ": keys");
        assertArrayEquals(want.values(), got.values(), when + ": values");
        assertArrayEquals(want.toBytes(), got.toBytes(), when + ": serialised bytes");
    }
}
