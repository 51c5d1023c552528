package dev.chimera.core.attention;

import static dev.chimera.core.attention.HeadMath.axpy;
import static dev.chimera.core.attention.HeadMath.dot;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.tensor.Tensor;
import java.util.Arrays;

/**
 * Causal multi-head attention with grouped-query heads, float32, computed in tiles with the
 * online softmax of FlashAttention-2 (Dao 2023, Algorithms 1 and 2) so that memory is O(T):
 * no T x T matrix is ever allocated. The q/k/v/o projections and RoPE are separate layers.
 *
 * <p>Query head h reads kv head h / (nHeads / nKvHeads). The span is full causal (position t
 * attends to s in [0, t]) or a sliding window W (s in [max(0, t-W+1), t]); MASFormer mixes a
 * few full-span layers with many short windows. Tiles wholly outside the window are skipped,
 * so a windowed layer costs O(T*W). Scores are scaled by 1/sqrt(headDim).
 *
 * <p>Work is split over a {@link ComputePool}; every output value is written by exactly one
 * task, in a loop order that does not depend on the thread count, so results are
 * bit-identical for any number of threads. The backward pass therefore runs twice over the
 * scores: once per (batch, head, query tile) for dq, once per (batch, kv head, key tile) for
 * dk and dv, where the kv head's query heads are summed in a fixed order. That recomputes
 * q.k and do.v twice (7 head-dim products per score instead of FlashAttention-2's 5) but
 * needs neither atomics nor per-task partial gradients.
 *
 * <p>Activation gradients (dq, dk, dv) are overwritten, as for every layer.
 */
public final class CausalAttention {
    /** Query and key rows per tile: one tile of k and v (2 x 64 x headDim floats) stays in cache. */
    public static final int TILE = 64;
    /** Decoding spreads heads over the pool only above this many cached values per kv head. */
    private static final int DECODE_PARALLEL_MIN = 1 << 14;

    private final int nHeads;
    private final int nKvHeads;
    private final int headDim;
    /** The window W, or 0 for the full causal span. */
    private final int window;
    private final int group;
    private final float scale;
    private final ComputePool pool;

    private CausalAttention(int nHeads, int nKvHeads, int headDim, int window, ComputePool pool) {
        if (nHeads < 1 || nKvHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("attention needs nHeads, nKvHeads, headDim >= 1, got nHeads=" + nHeads
                    + ", nKvHeads=" + nKvHeads + ", headDim=" + headDim);
        }
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("nHeads=" + nHeads + " is not divisible by nKvHeads=" + nKvHeads
                    + ": grouped-query attention gives each kv head the same number of query heads");
        }
        this.nHeads = nHeads;
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        this.window = window;
        this.group = nHeads / nKvHeads;
        this.scale = (float) (1 / Math.sqrt(headDim));
        this.pool = pool;
    }

    /** Full causal span. */
    public static CausalAttention full(int nHeads, int nKvHeads, int headDim, ComputePool pool) {
        return new CausalAttention(nHeads, nKvHeads, headDim, 0, pool);
    }

    /** Sliding window: position t attends to the {@code window} positions ending at t. */
    public static CausalAttention windowed(int nHeads, int nKvHeads, int headDim, int window, ComputePool pool) {
        if (window < 1) {
            throw new IllegalArgumentException("attention window must be >= 1, got " + window);
        }
        return new CausalAttention(nHeads, nKvHeads, headDim, window, pool);
    }

    public int nHeads() {
        return nHeads;
    }

    public int nKvHeads() {
        return nKvHeads;
    }

    public int headDim() {
        return headDim;
    }

    /** The window W, or 0 for the full causal span. */
    public int window() {
        return window;
    }

    /** The first key position that query position t attends to. */
    private int firstKey(int t) {
        return window == 0 ? 0 : Math.max(0, t - window + 1);
    }

    /**
     * o = softmax(q k^T / sqrt(headDim) + causal/window mask) v, and lse = the log-sum-exp of
     * each row's scaled, masked scores (saved for {@link #backward}).
     *
     * @param o   output (batch, T, nHeads, headDim)
     * @param lse output (batch, nHeads, T)
     * @param q   (batch, T, nHeads, headDim)
     * @param k   (batch, T, nKvHeads, headDim)
     * @param v   (batch, T, nKvHeads, headDim)
     */
    public void forward(Tensor o, Tensor lse, Tensor q, Tensor k, Tensor v) {
        int batch = q.rank() == 4 ? q.dim(0) : -1;
        int T = q.rank() == 4 ? q.dim(1) : -1;
        checkShapes("forward", batch, T, q, k, v, o, lse);
        int tiles = (T + TILE - 1) / TILE;
        pool.parallelFor(batch * nHeads * tiles, task -> {
            // Later query tiles see more keys under a full span: hand them out first.
            int tile = tiles - 1 - task % tiles;
            int h = task / tiles % nHeads;
            int b = task / tiles / nHeads;
            forwardTile(o, lse, q, k, v, b, h, tile, T);
        });
    }

    private void forwardTile(Tensor o, Tensor lse, Tensor q, Tensor k, Tensor v, int b, int h, int tile, int T) {
        int g = h / group;
        int t0 = tile * TILE;
        int t1 = Math.min(T, t0 + TILE);
        int qStride = nHeads * headDim;
        int kvStride = nKvHeads * headDim;
        int qBase = q.offset() + (b * T * nHeads + h) * headDim;   // q[b, 0, h, :]
        int oBase = o.offset() + (b * T * nHeads + h) * headDim;   // o[b, 0, h, :]
        int kBase = k.offset() + (b * T * nKvHeads + g) * headDim; // k[b, 0, g, :]
        int vBase = v.offset() + (b * T * nKvHeads + g) * headDim; // v[b, 0, g, :]
        float[] od = o.data();
        float[] ml = new float[2 * TILE];   // (TILE, 2): running max m and sum l per query row
        float[] scores = new float[TILE];   // (TILE): one row's scores against one key block
        for (int t = t0; t < t1; t++) {
            Arrays.fill(od, oBase + t * qStride, oBase + t * qStride + headDim, 0f);
            ml[2 * (t - t0)] = Float.NEGATIVE_INFINITY;
        }
        // Key blocks from the first key any row of this tile sees to the diagonal; blocks
        // before firstKey(t0) lie wholly outside the window and are never visited.
        for (int j0 = firstKey(t0); j0 < t1; j0 += TILE) {
            int j1 = Math.min(t1, j0 + TILE);
            for (int t = t0; t < t1; t++) {
                int lo = Math.max(j0, firstKey(t));
                int hi = Math.min(j1, t + 1);
                if (lo < hi) {
                    HeadMath.foldBlock(q.data(), qBase + t * qStride, k.data(), kBase + lo * kvStride,
                            v.data(), vBase + lo * kvStride, kvStride, hi - lo, headDim, scale, scores,
                            od, oBase + t * qStride, ml, 2 * (t - t0));
                }
            }
        }
        int lseBase = lse.offset() + (b * nHeads + h) * T; // lse[b, h, 0]
        for (int t = t0; t < t1; t++) {
            float m = ml[2 * (t - t0)];
            float l = ml[2 * (t - t0) + 1];
            HeadMath.scale(od, oBase + t * qStride, 1 / l, headDim);
            lse.data()[lseBase + t] = m + (float) Math.log(l);
        }
    }

    /**
     * Gradients of {@link #forward}. With P = exp(S - lse) recomputed tile by tile and
     * D_t = rowsum(do_t * o_t): dv = P^T do, dP = do v^T, dS = P * (dP - D),
     * dq = dS k / sqrt(headDim), dk = dS^T q / sqrt(headDim), dk and dv summed over the query
     * heads of each kv head. dq, dk, dv are overwritten.
     *
     * @param dq    output (batch, T, nHeads, headDim)
     * @param dk    output (batch, T, nKvHeads, headDim)
     * @param dv    output (batch, T, nKvHeads, headDim)
     * @param delta scratch for D, (batch, nHeads, T)
     * @param dout  gradient of o, (batch, T, nHeads, headDim)
     * @param q     (batch, T, nHeads, headDim)
     * @param k     (batch, T, nKvHeads, headDim)
     * @param v     (batch, T, nKvHeads, headDim)
     * @param o     forward output, (batch, T, nHeads, headDim)
     * @param lse   forward log-sum-exp, (batch, nHeads, T)
     */
    public void backward(Tensor dq, Tensor dk, Tensor dv, Tensor delta, Tensor dout,
                         Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse) {
        int batch = q.rank() == 4 ? q.dim(0) : -1;
        int T = q.rank() == 4 ? q.dim(1) : -1;
        checkShapes("backward", batch, T, q, k, v, o, lse);
        expect("backward", "dq", dq, batch, T, nHeads, headDim);
        expect("backward", "dout", dout, batch, T, nHeads, headDim);
        expect("backward", "dk", dk, batch, T, nKvHeads, headDim);
        expect("backward", "dv", dv, batch, T, nKvHeads, headDim);
        expect("backward", "delta", delta, batch, nHeads, T);
        int tiles = (T + TILE - 1) / TILE;
        pool.parallelFor(batch * nHeads * tiles, task -> {
            int tile = tiles - 1 - task % tiles;
            backwardQueryTile(dq, delta, dout, q, k, v, o, lse, task / tiles / nHeads, task / tiles % nHeads, tile, T);
        });
        // Needs every D_t of the kv head's query heads, so it starts after the dq pass.
        pool.parallelFor(batch * nKvHeads * tiles, task -> backwardKeyTile(dk, dv, delta, dout, q, k, v, lse,
                task / tiles / nKvHeads, task / tiles % nKvHeads, task % tiles, T));
    }

    /** dq and D for rows [t0, t1) of query head h: dq_t = scale * sum_s P_ts (dP_ts - D_t) k_s. */
    private void backwardQueryTile(Tensor dq, Tensor delta, Tensor dout, Tensor q, Tensor k, Tensor v,
                                   Tensor o, Tensor lse, int b, int h, int tile, int T) {
        int g = h / group;
        int t0 = tile * TILE;
        int t1 = Math.min(T, t0 + TILE);
        int qStride = nHeads * headDim;
        int kvStride = nKvHeads * headDim;
        int rowBase = (b * T * nHeads + h) * headDim;                  // [b, 0, h, :] of q, o, dout, dq
        int kBase = k.offset() + (b * T * nKvHeads + g) * headDim;     // k[b, 0, g, :]
        int vBase = v.offset() + (b * T * nKvHeads + g) * headDim;     // v[b, 0, g, :]
        int statBase = (b * nHeads + h) * T;                           // [b, h, 0] of lse, delta
        float[] dqd = dq.data();
        for (int t = t0; t < t1; t++) {
            int r = rowBase + t * qStride;
            Arrays.fill(dqd, dq.offset() + r, dq.offset() + r + headDim, 0f);
            delta.data()[delta.offset() + statBase + t] = dot(dout.data(), dout.offset() + r, o.data(), o.offset() + r, headDim);
        }
        for (int j0 = firstKey(t0); j0 < t1; j0 += TILE) {
            int j1 = Math.min(t1, j0 + TILE);
            for (int t = t0; t < t1; t++) {
                int r = rowBase + t * qStride;
                float lseT = lse.data()[lse.offset() + statBase + t];
                float dT = delta.data()[delta.offset() + statBase + t];
                for (int s = Math.max(j0, firstKey(t)), hi = Math.min(j1, t + 1); s < hi; s++) {
                    float p = (float) Math.exp(dot(q.data(), q.offset() + r, k.data(), kBase + s * kvStride, headDim) * scale - lseT);
                    float dp = dot(dout.data(), dout.offset() + r, v.data(), vBase + s * kvStride, headDim);
                    axpy(dqd, dq.offset() + r, scale * p * (dp - dT), k.data(), kBase + s * kvStride, headDim);
                }
            }
        }
    }

    /**
     * dk and dv for key rows [j0, j1) of kv head g, summed over its query heads in ascending
     * order and, within a head, over query rows in ascending order: dv_s = sum_t P_ts do_t,
     * dk_s = scale * sum_t P_ts (dP_ts - D_t) q_t.
     */
    private void backwardKeyTile(Tensor dk, Tensor dv, Tensor delta, Tensor dout, Tensor q, Tensor k, Tensor v,
                                 Tensor lse, int b, int g, int tile, int T) {
        int j0 = tile * TILE;
        int j1 = Math.min(T, j0 + TILE);
        int qStride = nHeads * headDim;
        int kvStride = nKvHeads * headDim;
        int kvBase = (b * T * nKvHeads + g) * headDim; // [b, 0, g, :] of k, v, dk, dv
        float[] dkd = dk.data();
        float[] dvd = dv.data();
        for (int s = j0; s < j1; s++) {
            Arrays.fill(dkd, dk.offset() + kvBase + s * kvStride, dk.offset() + kvBase + s * kvStride + headDim, 0f);
            Arrays.fill(dvd, dv.offset() + kvBase + s * kvStride, dv.offset() + kvBase + s * kvStride + headDim, 0f);
        }
        // Key j1-1 is last seen by query j1-1+W-1; later query tiles lie outside the window.
        int tEnd = window == 0 ? T : Math.min(T, j1 - 1 + window);
        for (int h = g * group; h < (g + 1) * group; h++) {
            int rowBase = (b * T * nHeads + h) * headDim; // [b, 0, h, :] of q, dout
            int statBase = (b * nHeads + h) * T;          // [b, h, 0] of lse, delta
            for (int t = j0; t < tEnd; t++) {
                int r = rowBase + t * qStride;
                float lseT = lse.data()[lse.offset() + statBase + t];
                float dT = delta.data()[delta.offset() + statBase + t];
                for (int s = Math.max(j0, firstKey(t)), hi = Math.min(j1, t + 1); s < hi; s++) {
                    int kr = kvBase + s * kvStride;
                    float p = (float) Math.exp(dot(q.data(), q.offset() + r, k.data(), k.offset() + kr, headDim) * scale - lseT);
                    axpy(dvd, dv.offset() + kr, p, dout.data(), dout.offset() + r, headDim);
                    float dp = dot(dout.data(), dout.offset() + r, v.data(), v.offset() + kr, headDim);
                    axpy(dkd, dk.offset() + kr, scale * p * (dp - dT), q.data(), q.offset() + r, headDim);
                }
            }
        }
    }

    /**
     * One decoding step: the newest position's query against every position held in the
     * cache, which must already include this position's own k and v. For a windowed cache
     * that is exactly the window ending at this position.
     *
     * @param out output (nHeads, headDim)
     * @param q   the new query, RoPE already applied, (nHeads, headDim)
     */
    public void decode(Tensor out, Tensor q, KvCache cache) {
        expect("decode", "q", q, nHeads, headDim);
        expect("decode", "out", out, nHeads, headDim);
        if (cache.nKvHeads() != nKvHeads || cache.headDim() != headDim || cache.window() != window) {
            throw new IllegalArgumentException("decode: cache has nKvHeads=" + cache.nKvHeads() + ", headDim="
                    + cache.headDim() + ", window=" + cache.window() + " but this attention has nKvHeads=" + nKvHeads
                    + ", headDim=" + headDim + ", window=" + window + " (0 = full span)");
        }
        if (cache.length() == 0) {
            throw new IllegalArgumentException("decode: the cache is empty; append this position's k and v first");
        }
        int n = cache.size();
        java.util.function.IntConsumer head = h -> {
            int kv = cache.slotOffset(h / group, 0);
            int oo = out.offset() + h * headDim;
            float[] ml = {Float.NEGATIVE_INFINITY, 0f};
            float[] scores = new float[TILE];
            Arrays.fill(out.data(), oo, oo + headDim, 0f);
            // The held slots are one contiguous run per kv head; softmax does not care about their order.
            for (int j0 = 0; j0 < n; j0 += TILE) {
                HeadMath.foldBlock(q.data(), q.offset() + h * headDim, cache.keys(), kv + j0 * headDim,
                        cache.values(), kv + j0 * headDim, headDim, Math.min(TILE, n - j0), headDim, scale, scores,
                        out.data(), oo, ml, 0);
            }
            HeadMath.scale(out.data(), oo, 1 / ml[1], headDim);
        };
        if ((long) n * headDim >= DECODE_PARALLEL_MIN) {
            pool.parallelFor(nHeads, head);
        } else {
            for (int h = 0; h < nHeads; h++) {
                head.accept(h);
            }
        }
    }

    private void checkShapes(String op, int batch, int T, Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse) {
        if (q.rank() != 4 || q.dim(2) != nHeads || q.dim(3) != headDim) {
            throw new IllegalArgumentException(op + ": q must be (batch, T, nHeads=" + nHeads + ", headDim=" + headDim
                    + "), got " + q.shapeString());
        }
        expect(op, "k", k, batch, T, nKvHeads, headDim);
        expect(op, "v", v, batch, T, nKvHeads, headDim);
        expect(op, "o", o, batch, T, nHeads, headDim);
        expect(op, "lse", lse, batch, nHeads, T);
    }

    private static void expect(String op, String name, Tensor x, int... shape) {
        if (!Arrays.equals(x.shape(), shape)) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + Tensor.shapeString(shape)
                    + ", got " + x.shapeString());
        }
    }
}
