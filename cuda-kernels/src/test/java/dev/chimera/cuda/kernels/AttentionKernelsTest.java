package dev.chimera.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.attention.KvCache;
import dev.chimera.core.backend.AttentionOp;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.cuda.LaunchGeometry;
import dev.chimera.cuda.bench.AttentionBench;
import dev.chimera.cuda.kernels.AttentionKernels.CachePool;
import dev.chimera.cuda.kernels.AttentionKernels.Heads;
import dev.chimera.cuda.kernels.AttentionKernels.Rotary;
import org.junit.jupiter.api.Test;

/** {@link AttentionKernels}' host side: launch geometry, argument checks, RoPE angles, KV cache images. */
class AttentionKernelsTest {

    @Test
    void headsAreValidatedNamingTheValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Heads(6, 4, 64, 0));
        assertTrue(e.getMessage().contains("nHeads=6") && e.getMessage().contains("nKvHeads=4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Heads(4, 2, 129, 0));
        assertTrue(e.getMessage().contains("headDim=129"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Heads(4, 2, 64, -1));
        assertThrows(IllegalArgumentException.class, () -> new Heads(0, 1, 64, 0));
        assertEquals(128, new Heads(4, 4, 128, 7).headDim());
    }

    @Test
    void scaleIsTheCpuOpsFloat() {
        for (int d : new int[] {1, 16, 24, 64, 98, 128}) {
            assertEquals((float) (1 / Math.sqrt(d)), new Heads(2, 1, d, 0).scale(), "headDim " + d);
        }
    }

    @Test
    void forwardTilesCoverEveryQueryRowWithFourThreadsPerRow() {
        for (int d : new int[] {16, 64, 65, 128}) {
            Heads a = new Heads(8, 2, d, 0);
            int rows = d <= 64 ? 64 : 32;
            for (int T : new int[] {1, 17, 64, 65, 200, 2048}) {
                LaunchGeometry g = AttentionKernels.forwardGeometry(a, 3, T);
                assertTrue(g.gridX() * rows >= T && (g.gridX() - 1) * rows < T, d + "/" + T + " -> " + g);
                assertEquals(8, g.gridY());
                assertEquals(3, g.gridZ());
                assertEquals(4 * rows, g.threadsPerBlock(), "the kernel's (rows/4) x 16 threads");
            }
        }
    }

    @Test
    void backwardTilesCoverEveryKeyAndQueryRow() {
        for (int d : new int[] {16, 64, 100, 128}) {
            Heads a = new Heads(8, 2, d, 5);
            int rows = d <= 64 ? 32 : 16;
            for (int T : new int[] {1, 17, 200}) {
                LaunchGeometry kv = AttentionKernels.dkdvGeometry(a, 2, T);
                assertTrue(kv.gridX() * rows >= T && (kv.gridX() - 1) * rows < T, d + "/" + T + " -> " + kv);
                assertEquals(2, kv.gridY(), "one block row per kv head");
                assertEquals(4 * rows, kv.threadsPerBlock());
                LaunchGeometry dq = AttentionKernels.dqGeometry(a, 2, T);
                assertEquals(kv.gridX(), dq.gridX());
                assertEquals(8, dq.gridY(), "one block row per query head");
                assertEquals(4 * rows, dq.threadsPerBlock());
            }
        }
        LaunchGeometry delta = AttentionKernels.deltaGeometry(2 * 17 * 8);
        assertTrue(delta.threads() / 32 >= 2 * 17 * 8, "a warp per row");
        assertEquals(4096, AttentionKernels.deltaGeometry(1L << 30).gridX(), "grid-stride beyond 4,096 blocks");
    }

    @Test
    void batchAndSizesAreChecked() {
        Heads a = new Heads(4, 2, 64, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AttentionKernels.forwardGeometry(a, 70_000, 4));
        assertTrue(e.getMessage().contains("batch=70000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AttentionKernels.dqGeometry(a, 1, 0));
        e = assertThrows(IllegalArgumentException.class, () -> AttentionKernels.dkdvGeometry(a, 1024, 1 << 16));
        assertTrue(e.getMessage().contains("2^31"), e.getMessage());
    }

    @Test
    void decodeHasOneBlockPerSequenceAndHead() {
        LaunchGeometry g = AttentionKernels.decodeGeometry(new Heads(16, 4, 64, 0), 32);
        assertEquals(32, g.gridX());
        assertEquals(16, g.gridY());
        assertEquals(128, g.threadsPerBlock(), "16 groups of 8 lanes");
    }

    @Test
    void ropeAnglesAreRopesDoublesWordForWord() {
        int headDim = 10;
        double base = 10_000;
        int[] words = Rotary.thetaWords(headDim, base);
        assertEquals(headDim, words.length);
        for (int i = 0; i < headDim / 2; i++) {
            long bits = (words[2 * i] & 0xffffffffL) | ((long) words[2 * i + 1] << 32);
            assertEquals(Math.pow(base, -2.0 * i / headDim), Double.longBitsToDouble(bits), 0, "theta_" + i);
        }
        assertThrows(IllegalArgumentException.class, () -> Rotary.thetaWords(7, base));
        assertThrows(IllegalArgumentException.class, () -> Rotary.thetaWords(8, 1.0));
    }

    @Test
    void cacheImagesRoundTripThroughKvCacheBytes() throws Exception {
        AttentionOp full = new ScalarBackend().attention(4, 2, 6, 0);
        AttentionOp ring = new ScalarBackend().attention(4, 2, 6, 5);
        for (KvCache cache : new KvCache[] {full.newCache(20), ring.newCache(20)}) {
            for (int appended : new int[] {0, 3, 12}) {
                KvCache c = cache.copy();
                if (appended > 0) {
                    c.appendAll(Tensor.uniform(appended, -1f, 1f, appended, 2, 6),
                            Tensor.uniform(appended + 100, -1f, 1f, appended, 2, 6));
                }
                byte[] bytes = c.toBytes();
                float[] keys = AttentionKernels.heldSlots(bytes, false);
                float[] values = AttentionKernels.heldSlots(bytes, true);
                assertEquals(2 * c.size() * 6, keys.length);
                byte[] again = AttentionKernels.image(c.nKvHeads(), c.headDim(), c.window(), c.capacity(), c.length(),
                        keys, values);
                assertArrayEquals(bytes, again, "window " + c.window() + ", " + appended + " appended");
                assertArrayEquals(bytes, KvCache.fromBytes(again).toBytes());
            }
        }
    }

    @Test
    void aWindowedPoolIsARingOfWindowSlots() {
        assertEquals(7, CachePool.slots(new Heads(4, 2, 16, 7), 100));
        assertEquals(100, CachePool.slots(new Heads(4, 2, 16, 0), 100));
        assertEquals(7, new ScalarBackend().attention(4, 2, 16, 7).newCache(100).capacity(), "as the CPU op's");
    }

    @Test
    void ropeSizesAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AttentionKernels.checkRope(null, 1, 5, 2, -1));
        assertTrue(e.getMessage().contains("startPos=-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AttentionKernels.checkRope(null, 1, 5, 2,
                Integer.MAX_VALUE - 2));
    }

    @Test
    void benchCountsOnlyTheUnmaskedPairs() {
        assertEquals(2048.0 * 2049 / 2, AttentionBench.visiblePairs(2048, 0));
        assertEquals(512.0 * 513 / 2 + (2048 - 512) * 512.0, AttentionBench.visiblePairs(2048, 512));
        assertEquals(1, AttentionBench.visiblePairs(1, 7));
        assertEquals("B4 T2048 H16 KV16 D64 window512", AttentionBench.shape(4, 2048, new Heads(16, 16, 64, 512)));
    }
}
