package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.TestGpu.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chimera.core.attention.KvCache;
import dev.chimera.core.backend.AttentionOp;
import dev.chimera.core.backend.RotaryOp;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuTest;
import dev.chimera.cuda.TestGpu;
import dev.chimera.cuda.kernels.AttentionKernels.CachePool;
import dev.chimera.cuda.kernels.AttentionKernels.Heads;
import dev.chimera.cuda.kernels.AttentionKernels.Rotary;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code attention.cu} against {@link ScalarBackend}'s attention op (CausalAttention) and rotary op (Rope) on
 * awkward shapes: T = 1, 17, 200 (tails of every tile size), windows 0, 7, 64, 4 query heads over 1, 2 or 4 kv
 * heads, headDim 16 and 64 (the {@code _d64} kernels), 98 and 128 ({@code _d128}; 98 is not a multiple of 4),
 * and operands at odd offsets in their buffers (no aligned vector loads from global memory).
 *
 * <p>Tolerances (normwise relative, {@link TestGpu#assertClose}): 1e-4 for everything the CPU op computes
 * (o, lse, delta, dq, dk, dv, the decoding step, the continuation); the two differ only in summation order
 * (tiles of 64 on the CPU, 32 and 16 here) and exp rounding, and the kernels run on a CPU emulation of
 * this file stayed below 1.1e-6 on these shapes. RoPE: 1e-6 (it matched bit for bit there: the only
 * possible difference is a last-ulp double cos/sin before the rounding to float). Caches are compared
 * byte for byte through {@link KvCache#toBytes()}.
 */
@GpuTest
class AttentionKernelsGpuTest {
    private static final double FP32 = 1e-4;
    private static final int BATCH = 2;
    /** Offset of every operand in its buffer: odd, so rows are not 16-byte aligned. */
    private static final int PAD = 3;
    private static CudaDevice gpu;
    private static AttentionKernels k;
    private final ScalarBackend ref = new ScalarBackend();

    @BeforeAll
    static void load() {
        gpu = TestGpu.device();
        k = new AttentionKernels(gpu);
    }

    /** A buffer holding x from element PAD, NaN before it and after it (a kernel reading outside shows). */
    private static DeviceBuffer padded(Tensor x) {
        float[] a = new float[x.size() + 2 * PAD];
        Arrays.fill(a, Float.NaN);
        System.arraycopy(x.data(), x.offset(), a, PAD, x.size());
        return gpu.upload(a);
    }

    /** An output buffer of n elements from PAD, filled with garbage so that "overwritten" is checked. */
    private static DeviceBuffer output(int n) {
        DeviceBuffer b = gpu.allocate(n + 2L * PAD);
        b.fill(1e30f);
        return b;
    }

    private static float[] read(DeviceBuffer b, int n) {
        return Arrays.copyOfRange(b.toArray(), PAD, PAD + n);
    }

    @Test
    void forwardAndBackwardMatchTheScalarOp() {
        for (int headDim : new int[] {16, 64, 98, 128}) {
            for (int nKv : new int[] {1, 2, 4}) {
                for (int window : new int[] {0, 7, 64}) {
                    for (int T : new int[] {1, 17, 200}) {
                        if (headDim > 64 && nKv != 2) {
                            continue; // the wide kernels on one GQA grouping are enough
                        }
                        check(new Heads(4, nKv, headDim, window), T, headDim * 1000 + nKv * 100 + window + T);
                    }
                }
            }
        }
    }

    private void check(Heads a, int T, long seed) {
        String what = "H4 KV" + a.nKvHeads() + " D" + a.headDim() + " W" + a.window() + " T" + T;
        AttentionOp op = ref.attention(a.nHeads(), a.nKvHeads(), a.headDim(), a.window());
        int d = a.headDim();
        Tensor q = Tensor.uniform(seed, -2f, 2f, BATCH, T, a.nHeads(), d);
        Tensor kk = Tensor.uniform(seed + 1, -2f, 2f, BATCH, T, a.nKvHeads(), d);
        Tensor v = Tensor.uniform(seed + 2, -1f, 1f, BATCH, T, a.nKvHeads(), d);
        Tensor dout = Tensor.uniform(seed + 3, -1f, 1f, BATCH, T, a.nHeads(), d);
        Tensor o = Tensor.zeros(BATCH, T, a.nHeads(), d);
        Tensor lse = Tensor.zeros(BATCH, a.nHeads(), T);
        Tensor delta = Tensor.zeros(BATCH, a.nHeads(), T);
        Tensor dq = Tensor.zeros(q.shape());
        Tensor dk = Tensor.zeros(kk.shape());
        Tensor dv = Tensor.zeros(v.shape());
        op.forward(o, lse, q, kk, v);
        op.backward(dq, dk, dv, delta, dout, q, kk, v, o, lse);
        try (DeviceBuffer gq = padded(q); DeviceBuffer gk = padded(kk); DeviceBuffer gv = padded(v);
             DeviceBuffer gdout = padded(dout); DeviceBuffer go = output(o.size()); DeviceBuffer glse = output(lse.size());
             DeviceBuffer gdelta = output(delta.size()); DeviceBuffer gdq = output(dq.size());
             DeviceBuffer gdk = output(dk.size()); DeviceBuffer gdv = output(dv.size())) {
            k.forward(a, go.at(PAD), glse.at(PAD), gq.at(PAD), gk.at(PAD), gv.at(PAD), BATCH, T);
            assertClose(o.data(), read(go, o.size()), FP32, what + " o");
            assertClose(lse.data(), read(glse, lse.size()), FP32, what + " lse");
            assertEquals(1e30f, go.toArray()[PAD + o.size()], what + ": o written past its end");
            k.backward(a, gdq.at(PAD), gdk.at(PAD), gdv.at(PAD), gdelta.at(PAD), gdout.at(PAD), gq.at(PAD),
                    gk.at(PAD), gv.at(PAD), go.at(PAD), glse.at(PAD), BATCH, T);
            assertClose(delta.data(), read(gdelta, delta.size()), FP32, what + " delta");
            assertClose(dq.data(), read(gdq, dq.size()), FP32, what + " dq");
            assertClose(dk.data(), read(gdk, dk.size()), FP32, what + " dk");
            assertClose(dv.data(), read(gdv, dv.size()), FP32, what + " dv");
        }
    }

    @Test
    void decodingStepsMatchTheScalarOpAndKeepTheSameCaches() {
        for (int headDim : new int[] {16, 64, 128}) {
            for (int window : new int[] {0, 7}) {
                Heads a = new Heads(4, 2, headDim, window);
                AttentionOp op = ref.attention(4, 2, headDim, window);
                int capacity = 40;
                int n = 3;
                int[] prefill = {0, 5, 23}; // an empty cache, a short one, a ring that has wrapped
                KvCache[] caches = new KvCache[n + 1]; // one more than the step uses, as the op allows
                try (CachePool pool = new CachePool(gpu, a, n + 1, capacity)) {
                    for (int i = 0; i <= n; i++) {
                        caches[i] = op.newCache(capacity);
                        int len = i < n ? prefill[i] : 2;
                        if (len > 0) {
                            caches[i].appendAll(Tensor.uniform(50 + i, -1f, 1f, len, 2, headDim),
                                    Tensor.uniform(60 + i, -1f, 1f, len, 2, headDim));
                        }
                        pool.load(i, caches[i]);
                    }
                    for (int step = 0; step < 9; step++) {
                        String what = "D" + headDim + " W" + window + " step " + step;
                        Tensor q = Tensor.uniform(100 + step, -2f, 2f, n, 4, headDim);
                        Tensor kk = Tensor.uniform(200 + step, -2f, 2f, n, 2, headDim);
                        Tensor v = Tensor.uniform(300 + step, -1f, 1f, n, 2, headDim);
                        Tensor out = Tensor.zeros(n, 4, headDim);
                        op.step(out, q, kk, v, caches);
                        try (DeviceBuffer gq = padded(q); DeviceBuffer gk = padded(kk); DeviceBuffer gv = padded(v);
                             DeviceBuffer gout = output(out.size())) {
                            k.step(a, gout.at(PAD), gq.at(PAD), gk.at(PAD), gv.at(PAD), pool, n);
                            assertClose(out.data(), read(gout, out.size()), FP32, what + " out");
                        }
                    }
                    for (int i = 0; i <= n; i++) {
                        assertEquals(caches[i].length(), pool.length(i), "sequence " + i + " length");
                        assertArrayEquals(caches[i].toBytes(), pool.read(i).toBytes(), "sequence " + i + " cache");
                    }
                }
            }
        }
    }

    @Test
    void decodingFromAnEmptyCacheGivesTheParallelForwardsRows() {
        for (int window : new int[] {0, 7, 64}) {
            Heads a = new Heads(4, 1, 64, window);
            int T = 70;
            Tensor q = Tensor.uniform(1, -2f, 2f, 1, T, 4, 64);
            Tensor kk = Tensor.uniform(2, -2f, 2f, 1, T, 1, 64);
            Tensor v = Tensor.uniform(3, -1f, 1f, 1, T, 1, 64);
            try (DeviceBuffer gq = padded(q); DeviceBuffer gk = padded(kk); DeviceBuffer gv = padded(v);
                 DeviceBuffer go = output(q.size()); DeviceBuffer glse = output(4 * T); DeviceBuffer gout = output(4 * 64);
                 CachePool pool = new CachePool(gpu, a, 1, T)) {
                k.forward(a, go.at(PAD), glse.at(PAD), gq.at(PAD), gk.at(PAD), gv.at(PAD), 1, T);
                float[] o = read(go, q.size());
                for (int t = 0; t < T; t++) {
                    k.step(a, gout.at(PAD), gq.at(PAD + t * 4 * 64), gk.at(PAD + t * 64), gv.at(PAD + t * 64), pool, 1);
                    assertClose(Arrays.copyOfRange(o, t * 256, t * 256 + 256), read(gout, 256), FP32,
                            "W" + window + " position " + t);
                }
            }
        }
    }

    @Test
    void continuationMatchesTheScalarOpAndAppendsAsKvCache() {
        for (int headDim : new int[] {16, 64, 128}) {
            for (int window : new int[] {0, 7, 64}) {
                for (int held : new int[] {0, 5, 90}) {
                    Heads a = new Heads(4, 2, headDim, window);
                    AttentionOp op = ref.attention(4, 2, headDim, window);
                    String what = "D" + headDim + " W" + window + " held " + held;
                    int T = 37;
                    KvCache cache = op.newCache(200);
                    if (held > 0) {
                        cache.appendAll(Tensor.uniform(held, -2f, 2f, held, 2, headDim),
                                Tensor.uniform(held + 1, -1f, 1f, held, 2, headDim));
                    }
                    Tensor q = Tensor.uniform(7, -2f, 2f, T, 4, headDim);
                    Tensor kk = Tensor.uniform(8, -2f, 2f, T, 2, headDim);
                    Tensor v = Tensor.uniform(9, -1f, 1f, T, 2, headDim);
                    Tensor o = Tensor.zeros(T, 4, headDim);
                    op.continueFrom(o, q, kk, v, cache);
                    try (CachePool pool = new CachePool(gpu, a, 2, 200); DeviceBuffer gq = padded(q);
                         DeviceBuffer gk = padded(kk); DeviceBuffer gv = padded(v); DeviceBuffer go = output(o.size())) {
                        pool.load(1, cache);
                        k.continueFrom(a, go.at(PAD), gq.at(PAD), gk.at(PAD), gv.at(PAD), pool, 1, T);
                        assertClose(o.data(), read(go, o.size()), FP32, what + " o");
                        cache.appendAll(kk, v);
                        k.append(pool, 1, gk.at(PAD), gv.at(PAD), T);
                        assertArrayEquals(cache.toBytes(), pool.read(1).toBytes(), what + " cache after append");
                        assertEquals(0, pool.length(0), "the other sequence is untouched");
                    }
                }
            }
        }
    }

    @Test
    void aFullCacheRefusesAnotherPosition() {
        Heads a = new Heads(2, 1, 16, 0);
        try (CachePool pool = new CachePool(gpu, a, 1, 3); DeviceBuffer x = gpu.allocate(64)) {
            k.append(pool, 0, x.at(0), x.at(0), 3);
            assertThrows(IllegalStateException.class, () -> k.step(a, x.at(0), x.at(0), x.at(0), x.at(0), pool, 1));
            assertThrows(IllegalArgumentException.class,
                    () -> k.step(new Heads(2, 1, 16, 4), x.at(0), x.at(0), x.at(0), x.at(0), pool, 1));
        }
    }

    @Test
    void ropeMatchesCoreRopeInsideAndBeyondItsTable() {
        for (int headDim : new int[] {2, 16, 64, 98}) {
            int tablePositions = 50;
            RotaryOp rope = ref.rotary(headDim, tablePositions, 10_000);
            int batch = 2;
            int T = 17;
            int heads = 3;
            try (Rotary r = k.rotary(headDim, 10_000)) {
                for (int startPos : new int[] {0, 40, 1_000_000}) {
                    String what = "D" + headDim + " from " + startPos;
                    Tensor x = Tensor.uniform(startPos + headDim, -3f, 3f, batch, T, heads, headDim);
                    try (DeviceBuffer gx = padded(x)) {
                        rope.forward(x, startPos);
                        k.ropeForward(r, gx.at(PAD), batch, T, heads, startPos);
                        assertClose(x.data(), read(gx, x.size()), 1e-6, what + " forward");
                        rope.backward(x, startPos);
                        k.ropeBackward(r, gx.at(PAD), batch, T, heads, startPos);
                        assertClose(x.data(), read(gx, x.size()), 1e-6, what + " backward");
                    }
                }
                int[] positions = {0, 49, 50, 7, 123_456_789};
                Tensor x = Tensor.uniform(headDim, -3f, 3f, positions.length, heads, headDim);
                try (DeviceBuffer gx = padded(x); DeviceBuffer gp = gpu.upload(positions)) {
                    rope.forwardAt(x, positions);
                    k.ropeForwardAt(r, gx.at(PAD), gp.at(0), positions.length, heads);
                    assertClose(x.data(), read(gx, x.size()), 1e-6, "D" + headDim + " forwardAt");
                }
            }
        }
    }
}
