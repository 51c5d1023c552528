package dev.chimera.core.attention;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.tensor.Tensor;
import java.util.Arrays;

/**
 * The attention of a chunk of T new positions that continue a sequence whose earlier keys and
 * values sit in a {@link KvCache}: the prefill of the second and later windows of a long
 * record. Query t of the chunk (absolute position p = cache.length() + t) attends to the held
 * positions s of the cache with s > p - W (all of them for a full span) and to the chunk's own
 * positions up to t (and within the window), with the same tiled online softmax as
 * {@link CausalAttention#forward} (FlashAttention-2, Dao 2023, Algorithm 1; the tile products of
 * {@link TileMath}), so memory stays O(T + cache) and the work is matrix-shaped rather than
 * the one-row-at-a-time decoding step.
 *
 * <p>The cache is read in slot order, not position order (softmax does not care), each slot's
 * position deciding its window mask. A windowed cache holds at most W positions, so query t
 * reads at most W - t of them and the queries t >= W - 1 read none. The cache is not modified:
 * the caller appends the chunk's k and v afterwards.
 *
 * <p>Every output value is computed by one task in an order that does not depend on the thread
 * count, so results are identical for any number of threads. They differ from the one-prefill
 * forward only by float rounding (other block boundaries, other summation order).
 */
final class ContinuedAttention {
    private static final int TILE = CausalAttention.TILE;

    private final int nHeads;
    private final int nKvHeads;
    private final int headDim;
    private final int window;
    private final int group;
    private final float scale;
    private final ComputePool pool;
    private final TileMath tileMath;

    /**
     * The continuation of a {@link CausalAttention} of these heads and span, its work split over
     * {@code pool}, with the Vector API tile kernels or ({@code vector} false) the scalar ones,
     * which give the same bits.
     */
    ContinuedAttention(int nHeads, int nKvHeads, int headDim, int window, ComputePool pool, boolean vector) {
        this.nHeads = nHeads;
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        this.window = window;
        this.group = nHeads / nKvHeads;
        this.scale = (float) (1 / Math.sqrt(headDim));
        this.pool = pool;
        this.tileMath = new TileMath(vector);
    }

    /**
     * o = attention of the chunk's queries over the cache and the chunk, as described above.
     *
     * @param o     output (T, nHeads, headDim)
     * @param q     (T, nHeads, headDim), RoPE applied at positions cache.length() ..
     * @param k     (T, nKvHeads, headDim), likewise
     * @param v     (T, nKvHeads, headDim)
     * @param cache the positions before the chunk; same kv heads, head size and window
     */
    void forward(Tensor o, Tensor q, Tensor k, Tensor v, KvCache cache) {
        int T = q.rank() == 3 ? q.dim(0) : -1;
        expect("q", q, T, nHeads, headDim);
        expect("k", k, T, nKvHeads, headDim);
        expect("v", v, T, nKvHeads, headDim);
        expect("o", o, T, nHeads, headDim);
        if (cache.nKvHeads() != nKvHeads || cache.headDim() != headDim || cache.window() != window) {
            throw new IllegalArgumentException("continued attention: cache has nKvHeads=" + cache.nKvHeads()
                    + ", headDim=" + cache.headDim() + ", window=" + cache.window() + " but the attention has nKvHeads="
                    + nKvHeads + ", headDim=" + headDim + ", window=" + window + " (0 = full span)");
        }
        int tiles = (T + TILE - 1) / TILE;
        pool.parallelFor(nHeads * tiles, task -> tile(o, q, k, v, cache, task / tiles, task % tiles, T, SCRATCH.get()));
    }

    /** Query rows [t0, t0 + rows) of head h: the cached blocks, then the chunk's own key blocks. */
    private void tile(Tensor o, Tensor q, Tensor k, Tensor v, KvCache cache, int h, int tile, int T, Scratch w) {
        w.ensure(headDim);
        int g = h / group;
        int t0 = tile * TILE;
        int rows = Math.min(TILE, T - t0);
        int qStride = nHeads * headDim;
        int kvStride = nKvHeads * headDim;
        TileMath.transposeIn(q.data(), q.offset() + t0 * qStride + h * headDim, qStride, rows, headDim, w.qt);
        Arrays.fill(w.ot, 0, headDim * TILE, 0f);
        Arrays.fill(w.m, Float.NEGATIVE_INFINITY);
        Arrays.fill(w.l, 0f);

        // The cache: slot j holds position pos(j) < start. Query lane i (position start + t0 + i)
        // sees it unless the window excludes it: lane i < pos + W - start - t0.
        int start = cache.length();
        int held = cache.size();
        int kvBase = cache.slotOffset(g, 0);
        for (int j0 = 0; j0 < held; j0 += TILE) {
            int n = Math.min(TILE, held - j0);
            boolean masked = false;
            if (window != 0) {
                int lo = Integer.MAX_VALUE;
                int hi = Integer.MIN_VALUE;
                for (int r = 0; r < n; r++) {
                    int pos = cache.positionOfSlot(j0 + r);
                    w.pos[r] = pos;
                    lo = Math.min(lo, pos);
                    hi = Math.max(hi, pos);
                }
                if ((long) hi + window - start - t0 <= 0) {
                    continue; // no lane of this tile sees any of these keys
                }
                masked = (long) lo + window - start - t0 < rows;
            }
            tileMath.rowsTimesTile(cache.keys(), kvBase + j0 * headDim, headDim, 0, n, headDim, w.qt, w.s, 0, TILE);
            if (masked) {
                for (int r = 0; r < n; r++) {
                    int from = (int) Math.max(0, Math.min(TILE, (long) w.pos[r] + window - start - t0));
                    Arrays.fill(w.s, r * TILE + from, r * TILE + TILE, Float.NEGATIVE_INFINITY);
                }
            }
            tileMath.softmaxStep(w.s, n, scale, w.m, w.l, w.alpha);
            tileMath.tileTimesRowsInto(cache.values(), kvBase + j0 * headDim, headDim, 0, n, headDim, w.s, w.ot,
                    w.alpha, 0, TILE);
        }

        // The chunk itself: key j is seen by lane i when j <= t0 + i and (window) j > t0 + i - W.
        int first = window == 0 ? 0 : Math.max(0, t0 - window + 1);
        int t1 = t0 + rows;
        int kBase = k.offset() + g * headDim;
        int vBase = v.offset() + g * headDim;
        for (int j0 = first; j0 < t1; j0 += TILE) {
            int n = Math.min(TILE, t1 - j0);
            tileMath.rowsTimesTile(k.data(), kBase + j0 * kvStride, kvStride, 0, n, headDim, w.qt, w.s, 0, TILE);
            boolean masked = j0 + n - 1 > t0 || (window != 0 && j0 + window < t1);
            if (masked) {
                for (int r = 0; r < n; r++) {
                    int s = j0 + r;
                    int after = Math.max(0, Math.min(TILE, s - t0)); // lanes before the key
                    Arrays.fill(w.s, r * TILE, r * TILE + after, Float.NEGATIVE_INFINITY);
                    if (window != 0) {
                        int beyond = Math.max(after, Math.min(TILE, s + window - t0)); // lanes past the window
                        Arrays.fill(w.s, r * TILE + beyond, r * TILE + TILE, Float.NEGATIVE_INFINITY);
                    }
                }
            }
            tileMath.softmaxStep(w.s, n, scale, w.m, w.l, w.alpha);
            tileMath.tileTimesRowsInto(v.data(), vBase + j0 * kvStride, kvStride, 0, n, headDim, w.s, w.ot, w.alpha,
                    0, TILE);
        }

        float[] od = o.data();
        for (int i = 0; i < rows; i++) {
            float inv = 1 / w.l[i];
            int r = o.offset() + (t0 + i) * qStride + h * headDim;
            for (int d = 0; d < headDim; d++) {
                od[r + d] = w.ot[d * TILE + i] * inv;
            }
        }
    }

    private static void expect(String name, Tensor x, int... shape) {
        if (!Arrays.equals(x.shape(), shape)) {
            throw new IllegalArgumentException("continued attention: " + name + " must be "
                    + Tensor.shapeString(shape) + ", got " + x.shapeString());
        }
    }

    /** Per-thread tiles: q^T and the output accumulator (headDim, TILE), one score tile, per-lane statistics. */
    private static final class Scratch {
        float[] qt = new float[0];
        float[] ot = qt;
        final float[] s = new float[TILE * TILE];
        final float[] m = new float[TILE];
        final float[] l = new float[TILE];
        final float[] alpha = new float[TILE];
        final int[] pos = new int[TILE];

        void ensure(int headDim) {
            if (qt.length < headDim * TILE) {
                qt = new float[headDim * TILE];
                ot = new float[headDim * TILE];
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
}
