package dev.chimera.core.attention;

import dev.chimera.core.backend.AttentionOp;
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
 * <p>Each (query tile, key tile) pair is a handful of small matrix products ({@link TileMath}):
 * one operand is a tile transposed once per task so that its 64 rows lie along the vector
 * lanes (queries in the forward pass and the dq pass, keys in the dk/dv pass), the other is
 * read a float at a time in its natural layout and broadcast, and each product keeps a
 * 4 x 64 block of its output in registers. Softmax statistics live per lane, so there are no
 * lane reductions; the online-softmax rescale happens once per key tile. Diagonal and
 * window-edge tiles skip their wholly masked 16-row by vector-width parts.
 *
 * <p>Work is split over a {@link ComputePool}; every output value is written by exactly one
 * task, and is one multiply-add chain in an order that depends neither on the thread count
 * nor on the backward schedule, so results are bit-identical for any number of threads
 * (and, as it happens, between the vector and scalar kernels and across vector widths). The
 * backward pass has two schedules with the same bits: one task per (batch, kv head) that
 * walks its key tiles in order and updates dq, dk and dv from each score tile
 * (FlashAttention-2's 5 head-dim products per score), used when those tasks keep the pool's
 * threads busy; and, when there are too few of them, a pass per (batch, head, query tile) for
 * dq and one per (batch, kv head, key tile) for dk and dv, which recomputes q.k and do.v
 * (7 products per score) but spreads over more tasks. Neither needs atomics or per-task
 * partial gradients. Exponentials are {@link TileMath#exp}, which rounds the same way in
 * compiled, interpreted and scalar code.
 *
 * <p>Activation gradients (dq, dk, dv) are overwritten, as for every layer.
 */
public final class CausalAttention implements AttentionOp {
    /** Query and key rows per tile: one tile of k and v (2 x 64 x headDim floats) stays in cache. */
    public static final int TILE = 64;
    /** Rows per strip when a diagonal or window-edge block skips its wholly masked parts. */
    private static final int STRIP = 16;
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
    private final ContinuedAttention continued;
    private final TileMath tileMath;
    private final HeadMath headMath;

    private CausalAttention(int nHeads, int nKvHeads, int headDim, int window, ComputePool pool, boolean vector) {
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
        this.continued = new ContinuedAttention(nHeads, nKvHeads, headDim, window, pool, vector);
        this.tileMath = new TileMath(vector);
        this.headMath = new HeadMath(vector);
    }

    /**
     * Full causal span. {@code vector}: the Vector API kernels, or the scalar ones (the same
     * bits in the tiled passes; decoding differs only by summation order).
     */
    public static CausalAttention full(int nHeads, int nKvHeads, int headDim, ComputePool pool, boolean vector) {
        return new CausalAttention(nHeads, nKvHeads, headDim, 0, pool, vector);
    }

    /**
     * Sliding window: position t attends to the {@code window} positions ending at t.
     * {@code vector} as in {@link #full}.
     */
    public static CausalAttention windowed(int nHeads, int nKvHeads, int headDim, int window, ComputePool pool,
                                           boolean vector) {
        if (window < 1) {
            throw new IllegalArgumentException("attention window must be >= 1, got " + window);
        }
        return new CausalAttention(nHeads, nKvHeads, headDim, window, pool, vector);
    }

    @Override
    public int nHeads() {
        return nHeads;
    }

    @Override
    public int nKvHeads() {
        return nKvHeads;
    }

    @Override
    public int headDim() {
        return headDim;
    }

    /** The window W, or 0 for the full causal span. */
    @Override
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
    @Override
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
            forwardTile(o, lse, q, k, v, b, h, tile, T, scratch());
        });
    }

    /**
     * Query rows [t0, t1) of head h, with the queries along the vector lanes: q^T is copied
     * once into a (headDim, TILE) tile, so each key block's scores are key rows times that
     * tile, softmax statistics are per lane, and the output accumulates as o^T, rescaled once
     * per key block and transposed back at the end.
     */
    private void forwardTile(Tensor o, Tensor lse, Tensor q, Tensor k, Tensor v, int b, int h, int tile, int T,
                             Scratch w) {
        int g = h / group;
        int t0 = tile * TILE;
        int t1 = Math.min(T, t0 + TILE);
        int rows = t1 - t0;
        int qStride = nHeads * headDim;
        int kvStride = nKvHeads * headDim;
        int qBase = q.offset() + (b * T * nHeads + h) * headDim;   // q[b, 0, h, :]
        int oBase = o.offset() + (b * T * nHeads + h) * headDim;   // o[b, 0, h, :]
        int kBase = k.offset() + (b * T * nKvHeads + g) * headDim; // k[b, 0, g, :]
        int vBase = v.offset() + (b * T * nKvHeads + g) * headDim; // v[b, 0, g, :]
        float[] qt = w.a;
        float[] ot = w.b;
        float[] st = w.s;
        TileMath.transposeIn(q.data(), qBase + t0 * qStride, qStride, rows, headDim, qt);
        Arrays.fill(ot, 0, headDim * TILE, 0f);
        Arrays.fill(w.m, Float.NEGATIVE_INFINITY);
        Arrays.fill(w.l, 0f);
        // Key blocks from the first key any row of this tile sees to the diagonal; blocks
        // before firstKey(t0) lie wholly outside the window and are never visited.
        for (int j0 = firstKey(t0); j0 < t1; j0 += TILE) {
            int n = Math.min(TILE, t1 - j0);
            int kRow = kBase + j0 * kvStride;
            int vRow = vBase + j0 * kvStride;
            if (!keyBlockMasked(j0, n, t0)) {
                tileMath.rowsTimesTile(k.data(), kRow, kvStride, 0, n, headDim, qt, st, 0, TILE);
                tileMath.softmaxStep(st, n, scale, w.m, w.l, w.alpha);
                tileMath.tileTimesRowsInto(v.data(), vRow, kvStride, 0, n, headDim, st, ot, w.alpha, 0, TILE);
                continue;
            }
            // A diagonal or window-edge block: strips of keys against the query lanes that see
            // them; what is skipped is masked, and set to -inf by maskKeyRows.
            for (int r0 = 0; r0 < n; r0 += STRIP) {
                int r1 = Math.min(n, r0 + STRIP);
                int lo = queryLaneLo(j0 + r0, t0);
                int hi = queryLaneHi(j0 + r1 - 1, t0);
                if (lo < hi) {
                    tileMath.rowsTimesTile(k.data(), kRow, kvStride, r0, r1, headDim, qt, st, lo, hi);
                }
            }
            maskKeyRows(st, j0, n, t0);
            tileMath.softmaxStep(st, n, scale, w.m, w.l, w.alpha);
            tileMath.tileTimesRowsInto(v.data(), vRow, kvStride, 0, 0, headDim, st, ot, w.alpha, 0, TILE);
            for (int r0 = 0; r0 < n; r0 += STRIP) {
                int r1 = Math.min(n, r0 + STRIP);
                int lo = queryLaneLo(j0 + r0, t0);
                int hi = queryLaneHi(j0 + r1 - 1, t0);
                if (lo < hi) {
                    tileMath.tileTimesRowsInto(v.data(), vRow, kvStride, r0, r1, headDim, st, ot, null, lo, hi);
                }
            }
        }
        float[] od = o.data();
        int lseBase = lse.offset() + (b * nHeads + h) * T; // lse[b, h, 0]
        for (int i = 0; i < rows; i++) {
            float m = w.m[i];
            float l = w.l[i];
            float inv = 1 / l;
            int r = oBase + (t0 + i) * qStride;
            for (int d = 0; d < headDim; d++) {
                od[r + d] = ot[d * TILE + i] * inv;
            }
            lse.data()[lseBase + t0 + i] = m + (float) Math.log(l);
        }
    }

    /**
     * Sets to -inf the scores of a block whose rows are keys j0 + r (r < n) and whose lanes
     * are queries t0 + i where key and query do not see each other (key after query, or
     * outside the window).
     */
    private void maskKeyRows(float[] st, int j0, int n, int t0) {
        for (int r = 0; r < n; r++) {
            int s = j0 + r;
            int after = Math.min(TILE, s - t0); // lanes i < s - t0: query before key
            if (after > 0) {
                Arrays.fill(st, r * TILE, r * TILE + after, Float.NEGATIVE_INFINITY);
            }
            if (window != 0) {
                int beyond = Math.max(0, s + window - t0); // lanes i >= s + W - t0: key outside the window
                if (beyond < TILE) {
                    Arrays.fill(st, r * TILE + beyond, r * TILE + TILE, Float.NEGATIVE_INFINITY);
                }
            }
        }
    }

    /**
     * Sets to -inf the scores of a block whose rows are queries t0 + r (r < n) and whose
     * lanes are keys j0 + i where key and query do not see each other.
     */
    private void maskQueryRows(float[] st, int t0, int n, int j0) {
        for (int r = 0; r < n; r++) {
            int t = t0 + r;
            int from = Math.max(0, t - j0 + 1); // lanes i > t - j0: key after query
            if (from < TILE) {
                Arrays.fill(st, r * TILE + from, r * TILE + TILE, Float.NEGATIVE_INFINITY);
            }
            if (window != 0) {
                int before = Math.min(TILE, t - window + 1 - j0); // lanes i < t - W + 1 - j0
                if (before > 0) {
                    Arrays.fill(st, r * TILE, r * TILE + before, Float.NEGATIVE_INFINITY);
                }
            }
        }
    }

    /**
     * Whether any key j0 + r (r < n) and query t0 + i (i < TILE) of a block do not see each
     * other: keys after the first query, or (windowed) the first key outside the last query's
     * window.
     */
    private boolean keyBlockMasked(int j0, int n, int t0) {
        return j0 + n - 1 > t0 || (window != 0 && j0 + window < t0 + TILE);
    }

    /** Whether any query t0 + r (r < n) and key j0 + i (i < TILE) of a block do not see each other. */
    private boolean queryBlockMasked(int t0, int n, int j0) {
        return j0 + TILE - 1 > t0 || (window != 0 && j0 < t0 + n - window);
    }

    /** The first query lane i (whole vectors) of tile t0 that sees key s or a later one. */
    private static int queryLaneLo(int s, int t0) {
        return TileMath.floorToVector(Math.max(0, s - t0));
    }

    /** One past the last query lane i (whole vectors) of tile t0 that sees key s or an earlier one. */
    private int queryLaneHi(int s, int t0) {
        return window == 0 ? TILE : TileMath.ceilToVector(Math.max(0, s + window - t0));
    }

    /** The first key lane i (whole vectors) of tile j0 seen by query t or a later one. */
    private int keyLaneLo(int t, int j0) {
        return window == 0 ? 0 : TileMath.floorToVector(Math.max(0, Math.min(TILE, t - window + 1 - j0)));
    }

    /** One past the last key lane i (whole vectors) of tile j0 seen by query t or an earlier one. */
    private static int keyLaneHi(int t, int j0) {
        return TileMath.ceilToVector(Math.max(0, t - j0 + 1));
    }

    /**
     * Gradients of {@link #forward}. With P = exp(S - lse) recomputed tile by tile and
     * D_t = rowsum(do_t * o_t): dv = P^T do, dP = do v^T, dS = P * (dP - D),
     * dq = dS k / sqrt(headDim), dk = dS^T q / sqrt(headDim), dk and dv summed over the query
     * heads of each kv head. dq, dk, dv are overwritten.
     *
     * <p>Two schedules give the same bits (every gradient value is one multiply-add chain in
     * a fixed order, see {@link TileMath}): one task per (batch, kv head) that walks its key
     * tiles in order and updates dq, dk and dv from each score tile (five tile products per
     * score tile), used when those tasks keep the pool busy; otherwise a dq pass over query
     * tiles and a dk/dv pass over key tiles (seven products, more parallel tasks).
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
    @Override
    public void backward(Tensor dq, Tensor dk, Tensor dv, Tensor delta, Tensor dout,
                         Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse) {
        int batch = q.rank() == 4 ? q.dim(0) : -1;
        backward(dq, dk, dv, delta, dout, q, k, v, o, lse, onePassPays(batch));
    }

    /**
     * Whether the one-task-per-(batch, kv head) schedule is used: it needs headDim to fill
     * whole vectors (its dq product runs along headDim) and enough tasks to keep at least
     * three quarters of the pool's threads busy, which beats the two-pass schedule's 7/5 work.
     */
    boolean onePassPays(int batch) {
        int tasks = batch * nKvHeads;
        int threads = pool.threads();
        int rounds = (tasks + threads - 1) / threads;
        return tileMath.rowsVectorisable(headDim) && tasks >= threads && 4 * tasks >= 3 * rounds * threads;
    }

    /** {@link #backward} with the schedule chosen by the caller (both give the same bits). */
    void backward(Tensor dq, Tensor dk, Tensor dv, Tensor delta, Tensor dout,
                  Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, boolean onePass) {
        int batch = q.rank() == 4 ? q.dim(0) : -1;
        int T = q.rank() == 4 ? q.dim(1) : -1;
        checkShapes("backward", batch, T, q, k, v, o, lse);
        expect("backward", "dq", dq, batch, T, nHeads, headDim);
        expect("backward", "dout", dout, batch, T, nHeads, headDim);
        expect("backward", "dk", dk, batch, T, nKvHeads, headDim);
        expect("backward", "dv", dv, batch, T, nKvHeads, headDim);
        expect("backward", "delta", delta, batch, nHeads, T);
        int tiles = (T + TILE - 1) / TILE;
        if (onePass) {
            if (!tileMath.rowsVectorisable(headDim)) {
                throw new IllegalArgumentException("backward: the one-pass schedule needs headDim=" + headDim
                        + " to be a multiple of the vector length");
            }
            pool.parallelFor(batch * nKvHeads, task -> {
                int b = task / nKvHeads;
                int g = task % nKvHeads;
                Scratch w = scratch();
                for (int h = g * group; h < (g + 1) * group; h++) {
                    int rowBase = (b * T * nHeads + h) * headDim;
                    for (int t0 = 0; t0 < T; t0 += TILE) {
                        computeDelta(delta, dout, o, b, h, t0, Math.min(T, t0 + TILE), T);
                    }
                    for (int t = 0; t < T; t++) {
                        int r = dq.offset() + rowBase + t * nHeads * headDim;
                        Arrays.fill(dq.data(), r, r + headDim, 0f);
                    }
                }
                for (int tile = 0; tile < tiles; tile++) {
                    backwardKeyTile(dq, dk, dv, delta, dout, q, k, v, lse, b, g, tile, T, w);
                }
            });
            return;
        }
        pool.parallelFor(batch * nHeads * tiles, task -> {
            int tile = tiles - 1 - task % tiles;
            backwardQueryTile(dq, delta, dout, q, k, v, o, lse, task / tiles / nHeads, task / tiles % nHeads, tile, T,
                    scratch());
        });
        // Needs every D_t of the kv head's query heads, so it starts after the dq pass.
        pool.parallelFor(batch * nKvHeads * tiles, task -> backwardKeyTile(null, dk, dv, delta, dout, q, k, v, lse,
                task / tiles / nKvHeads, task / tiles % nKvHeads, task % tiles, T, scratch()));
    }

    /** D_t = sum_d do_t[d] * o_t[d] for rows [t0, t1) of head h, into delta. */
    private void computeDelta(Tensor delta, Tensor dout, Tensor o, int b, int h, int t0, int t1, int T) {
        int qStride = nHeads * headDim;
        int rowBase = (b * T * nHeads + h) * headDim + t0 * qStride; // [b, t0, h, :] of dout, o
        TileMath.rowDots(dout.data(), dout.offset() + rowBase, o.data(), o.offset() + rowBase, qStride, t1 - t0,
                headDim, delta.data(), delta.offset() + (b * nHeads + h) * T + t0);
    }

    /**
     * dq and D for rows [t0, t1) of query head h: dq_t = scale * sum_s P_ts (dP_ts - D_t) k_s,
     * queries along the lanes as in the forward pass (q^T, do^T and dq^T tiles).
     */
    private void backwardQueryTile(Tensor dq, Tensor delta, Tensor dout, Tensor q, Tensor k, Tensor v,
                                   Tensor o, Tensor lse, int b, int h, int tile, int T, Scratch w) {
        int g = h / group;
        int t0 = tile * TILE;
        int t1 = Math.min(T, t0 + TILE);
        int rows = t1 - t0;
        int qStride = nHeads * headDim;
        int kvStride = nKvHeads * headDim;
        int rowBase = (b * T * nHeads + h) * headDim;                  // [b, 0, h, :] of q, o, dout, dq
        int kBase = k.offset() + (b * T * nKvHeads + g) * headDim;     // k[b, 0, g, :]
        int vBase = v.offset() + (b * T * nKvHeads + g) * headDim;     // v[b, 0, g, :]
        int statBase = (b * nHeads + h) * T;                           // [b, h, 0] of lse, delta
        computeDelta(delta, dout, o, b, h, t0, t1, T);
        float[] dot = w.a;
        float[] qt = w.b;
        float[] dqt = w.c;
        TileMath.transposeIn(dout.data(), dout.offset() + rowBase + t0 * qStride, qStride, rows, headDim, dot);
        TileMath.transposeIn(q.data(), q.offset() + rowBase + t0 * qStride, qStride, rows, headDim, qt);
        Arrays.fill(dqt, 0, headDim * TILE, 0f);
        Arrays.fill(w.lse, 0f);
        System.arraycopy(lse.data(), lse.offset() + statBase + t0, w.lse, 0, rows);
        Arrays.fill(w.delta, 0f);
        System.arraycopy(delta.data(), delta.offset() + statBase + t0, w.delta, 0, rows);
        for (int j0 = firstKey(t0); j0 < t1; j0 += TILE) {
            int n = Math.min(TILE, t1 - j0);
            int kRow = kBase + j0 * kvStride;
            int vRow = vBase + j0 * kvStride;
            boolean masked = keyBlockMasked(j0, n, t0);
            int strip = masked ? STRIP : n;
            for (int r0 = 0; r0 < n; r0 += strip) {
                int r1 = Math.min(n, r0 + strip);
                int lo = masked ? queryLaneLo(j0 + r0, t0) : 0;
                int hi = masked ? queryLaneHi(j0 + r1 - 1, t0) : TILE;
                if (lo < hi) {
                    tileMath.rowsTimesTile(k.data(), kRow, kvStride, r0, r1, headDim, qt, w.s, lo, hi);
                    tileMath.rowsTimesTile(v.data(), vRow, kvStride, r0, r1, headDim, dot, w.dp, lo, hi);
                }
            }
            if (masked) {
                maskKeyRows(w.s, j0, n, t0);
            }
            tileMath.scoreGradLanes(w.s, w.dp, n, scale, w.lse, w.delta);
            for (int r0 = 0; r0 < n; r0 += strip) {
                int r1 = Math.min(n, r0 + strip);
                int lo = masked ? queryLaneLo(j0 + r0, t0) : 0;
                int hi = masked ? queryLaneHi(j0 + r1 - 1, t0) : TILE;
                if (lo < hi) {
                    tileMath.tileTimesRowsInto(k.data(), kRow, kvStride, r0, r1, headDim, w.dp, dqt, null, lo, hi);
                }
            }
        }
        TileMath.transposeOut(dqt, rows, headDim, dq.data(), dq.offset() + rowBase + t0 * qStride, qStride);
    }

    /**
     * dk and dv for key rows [j0, j1) of kv head g, summed over its query heads in ascending
     * order and, within a head, over query rows in ascending order: dv_s = sum_t P_ts do_t,
     * dk_s = scale * sum_t P_ts (dP_ts - D_t) q_t; keys along the lanes (k^T, v^T, dk^T, dv^T
     * tiles). With dq not null (the one-pass schedule) also adds this key tile's part of dq,
     * dq_t += scale * sum_s P_ts (dP_ts - D_t) k_s, for every query row that sees it.
     */
    private void backwardKeyTile(Tensor dq, Tensor dk, Tensor dv, Tensor delta, Tensor dout, Tensor q, Tensor k,
                                 Tensor v, Tensor lse, int b, int g, int tile, int T, Scratch w) {
        int j0 = tile * TILE;
        int j1 = Math.min(T, j0 + TILE);
        int nk = j1 - j0;
        int qStride = nHeads * headDim;
        int kvStride = nKvHeads * headDim;
        int kvBase = (b * T * nKvHeads + g) * headDim + j0 * kvStride; // [b, j0, g, :] of k, v, dk, dv
        float[] kt = w.a;
        float[] vt = w.b;
        float[] dkt = w.c;
        float[] dvt = w.d;
        TileMath.transposeIn(k.data(), k.offset() + kvBase, kvStride, nk, headDim, kt);
        TileMath.transposeIn(v.data(), v.offset() + kvBase, kvStride, nk, headDim, vt);
        Arrays.fill(dkt, 0, headDim * TILE, 0f);
        Arrays.fill(dvt, 0, headDim * TILE, 0f);
        // Key j1-1 is last seen by query j1-1+W-1; later query tiles lie outside the window.
        int tEnd = window == 0 ? T : Math.min(T, j1 - 1 + window);
        for (int h = g * group; h < (g + 1) * group; h++) {
            int rowBase = (b * T * nHeads + h) * headDim; // [b, 0, h, :] of q, dout, dq
            int statBase = (b * nHeads + h) * T;          // [b, h, 0] of lse, delta
            for (int t0 = j0; t0 < tEnd; t0 += TILE) {
                int rows = Math.min(TILE, tEnd - t0);
                int r0 = rowBase + t0 * qStride;
                int qRow = q.offset() + r0;
                int oRow = dout.offset() + r0;
                boolean masked = queryBlockMasked(t0, rows, j0);
                int strip = masked ? STRIP : rows;
                for (int a0 = 0; a0 < rows; a0 += strip) {
                    int a1 = Math.min(rows, a0 + strip);
                    int lo = masked ? keyLaneLo(t0 + a0, j0) : 0;
                    int hi = masked ? keyLaneHi(t0 + a1 - 1, j0) : TILE;
                    if (lo < hi) {
                        tileMath.rowsTimesTile(q.data(), qRow, qStride, a0, a1, headDim, kt, w.s, lo, hi);
                        tileMath.rowsTimesTile(dout.data(), oRow, qStride, a0, a1, headDim, vt, w.dp, lo, hi);
                    }
                }
                if (masked) {
                    maskQueryRows(w.s, t0, rows, j0);
                }
                tileMath.scoreGradRows(w.s, w.dp, rows, scale, lse.data(), lse.offset() + statBase + t0,
                        delta.data(), delta.offset() + statBase + t0);
                for (int a0 = 0; a0 < rows; a0 += strip) {
                    int a1 = Math.min(rows, a0 + strip);
                    int lo = masked ? keyLaneLo(t0 + a0, j0) : 0;
                    int hi = masked ? keyLaneHi(t0 + a1 - 1, j0) : TILE;
                    if (lo < hi) {
                        tileMath.tileTimesRowsInto(dout.data(), oRow, qStride, a0, a1, headDim, w.s, dvt, null, lo, hi);
                        tileMath.tileTimesRowsInto(q.data(), qRow, qStride, a0, a1, headDim, w.dp, dkt, null, lo, hi);
                        if (dq != null) {
                            tileMath.rowsTimesRowsInto(w.dp, a0, a1, lo, Math.min(hi, nk), k.data(),
                                    k.offset() + kvBase, kvStride, headDim, dq.data(), dq.offset() + r0, qStride);
                        }
                    }
                }
            }
        }
        TileMath.transposeOut(dkt, nk, headDim, dk.data(), dk.offset() + kvBase, kvStride);
        TileMath.transposeOut(dvt, nk, headDim, dv.data(), dv.offset() + kvBase, kvStride);
    }

    /** Per-thread tiles: four (headDim, TILE), two (TILE, TILE) and per-lane statistics. */
    private static final class Scratch {
        float[] a = new float[0];
        float[] b = a;
        float[] c = a;
        float[] d = a;
        final float[] s = new float[TILE * TILE];
        final float[] dp = new float[TILE * TILE];
        final float[] m = new float[TILE];
        final float[] l = new float[TILE];
        final float[] alpha = new float[TILE];
        final float[] lse = new float[TILE];
        final float[] delta = new float[TILE];
        /** The decoding step's running (max, sum) of one query row. */
        final float[] ml = new float[2];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Scratch scratch() {
        Scratch w = SCRATCH.get();
        if (w.a.length < headDim * TILE) {
            w.a = new float[headDim * TILE];
            w.b = new float[headDim * TILE];
            w.c = new float[headDim * TILE];
            w.d = new float[headDim * TILE];
        }
        return w;
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
        checkCache("decode", cache);
        int n = cache.size();
        if (pool.threads() > 1 && (long) n * headDim >= DECODE_PARALLEL_MIN) {
            pool.parallelFor(nHeads, h -> decodeHead(out.data(), out.offset(), q.data(), q.offset(), h, cache));
        } else {
            for (int h = 0; h < nHeads; h++) {
                decodeHead(out.data(), out.offset(), q.data(), q.offset(), h, cache);
            }
        }
    }

    @Override
    public KvCache newCache(int capacity) {
        return window == 0 ? KvCache.full(nKvHeads, headDim, capacity) : KvCache.windowed(nKvHeads, headDim, window);
    }

    @Override
    public void continueFrom(Tensor o, Tensor q, Tensor k, Tensor v, KvCache cache) {
        continued.forward(o, q, k, v, cache);
    }

    /**
     * The decoding step of n sequences: row i of k and v joins caches[i], then every (sequence,
     * head) pair decodes as {@link #decode} does, spread over the pool when the caches are long.
     */
    @Override
    public void step(Tensor out, Tensor q, Tensor k, Tensor v, KvCache[] caches) {
        int n = q.rank() == 3 ? q.dim(0) : -1;
        if (n < 0 || n > caches.length || q.dim(1) != nHeads || q.dim(2) != headDim) {
            throw new IllegalArgumentException("attention step: q must be (n <= " + caches.length + " caches, nHeads="
                    + nHeads + ", headDim=" + headDim + "), got " + q.shapeString());
        }
        out.requireSameShape("attention step: out vs q", q);
        if (k.rank() != 3 || k.dim(0) != n || k.dim(1) != nKvHeads || k.dim(2) != headDim) {
            throw new IllegalArgumentException("attention step: k must be (" + n + ", nKvHeads=" + nKvHeads
                    + ", headDim=" + headDim + "), got " + k.shapeString());
        }
        v.requireSameShape("attention step: v vs k", k);
        long held = 0;
        for (int i = 0; i < n; i++) {
            checkCache("step", caches[i]);
            caches[i].appendRow(k, v, i);
            held += caches[i].size();
        }
        if (pool.threads() > 1 && held * headDim >= DECODE_PARALLEL_MIN) {
            pool.parallelFor(n * nHeads, pair -> decodeHead(out.data(), out.offset() + pair / nHeads * nHeads * headDim,
                    q.data(), q.offset() + pair / nHeads * nHeads * headDim, pair % nHeads, caches[pair / nHeads]));
        } else {
            for (int pair = 0; pair < n * nHeads; pair++) {
                int row = pair / nHeads * nHeads * headDim;
                decodeHead(out.data(), out.offset() + row, q.data(), q.offset() + row, pair % nHeads,
                        caches[pair / nHeads]);
            }
        }
    }

    /**
     * Head h of one query row (nHeads, headDim at qo) against every position its cache holds, into
     * the output row at oo. The held slots are one contiguous run per kv head; softmax does not care
     * about their order. Works in this thread's scratch: allocates nothing.
     */
    private void decodeHead(float[] out, int outRow, float[] q, int qRow, int h, KvCache cache) {
        Scratch w = scratch();
        float[] ml = w.ml;
        ml[0] = Float.NEGATIVE_INFINITY;
        ml[1] = 0f;
        int n = cache.size();
        int kv = cache.slotOffset(h / group, 0);
        int oo = outRow + h * headDim;
        Arrays.fill(out, oo, oo + headDim, 0f);
        for (int j0 = 0; j0 < n; j0 += TILE) {
            headMath.foldBlock(q, qRow + h * headDim, cache.keys(), kv + j0 * headDim, cache.values(),
                    kv + j0 * headDim, headDim, Math.min(TILE, n - j0), headDim, scale, w.lse, out, oo, ml, 0);
        }
        headMath.scale(out, oo, 1 / ml[1], headDim);
    }

    private void checkCache(String op, KvCache cache) {
        if (cache.nKvHeads() != nKvHeads || cache.headDim() != headDim || cache.window() != window) {
            throw new IllegalArgumentException(op + ": cache has nKvHeads=" + cache.nKvHeads() + ", headDim="
                    + cache.headDim() + ", window=" + cache.window() + " but this attention has nKvHeads=" + nKvHeads
                    + ", headDim=" + headDim + ", window=" + window + " (0 = full span)");
        }
        if (cache.length() == 0 && op.equals("decode")) {
            throw new IllegalArgumentException("decode: the cache is empty; append this position's k and v first");
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
