package dev.chimera.core.layers;

import dev.chimera.core.attention.KvCache;
import dev.chimera.core.backend.Allocator;
import dev.chimera.core.backend.AttentionOp;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.RotaryOp;
import dev.chimera.core.backend.RowViews;
import dev.chimera.core.model.ModelConfig.Span;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The attention mixer: q, k, v projections (grouped-query: nKvHeads <= nHeads), rotary
 * positions on q and k, causal attention over a full or windowed span (MASFormer), and the
 * output projection. Inference keeps a {@link KvCache} per sequence: all positions for a
 * full span (up to the capacity the state was made with), a ring of W for a window, which takes
 * a sequence of any length (RoPE computes positions beyond its table).
 */
public final class AttentionMixer implements Mixer {
    private final int d;
    private final int nHeads;
    private final int nKvHeads;
    private final int headDim;
    private final Span span;
    private final Linear wq;
    private final Linear wk;
    private final Linear wv;
    private final Linear wo;
    private final RotaryOp rope;
    private final AttentionOp attention;

    /**
     * A prefill chunk shorter than this that continues a cache runs the decoding step position
     * by position: a tile of 64 query lanes would be mostly empty.
     */
    static final int CONTINUE_TILED_MIN = 16;
    /**
     * Positions RoPE tabulates at most (16 MiB of cos and sin for headDim 64); later positions
     * are computed, to the same bits, so a long maxLength does not cost a table of its size.
     */
    static final int ROPE_TABLE_MAX = 1 << 17;

    /** {@code maxPositions}: the RoPE table's size and the default capacity of a full-span cache. */
    public AttentionMixer(Parameters.Builder b, String prefix, int d, int nHeads, int nKvHeads, Span span,
                          double ropeBase, int maxPositions, Backend backend) {
        this.d = d;
        this.nHeads = nHeads;
        this.nKvHeads = nKvHeads;
        this.headDim = d / nHeads;
        this.span = span;
        this.wq = new Linear(b, prefix + ".wq", d, nHeads * headDim, false);
        this.wk = new Linear(b, prefix + ".wk", d, nKvHeads * headDim, false);
        this.wv = new Linear(b, prefix + ".wv", d, nKvHeads * headDim, false);
        this.wo = new Linear(b, prefix + ".wo", nHeads * headDim, d, false);
        this.rope = backend.rotary(headDim, Math.min(maxPositions, ROPE_TABLE_MAX), ropeBase);
        this.attention = backend.attention(nHeads, nKvHeads, headDim, span.window());
    }

    @Override
    public void bind(Parameters p) {
        wq.bind(p);
        wk.bind(p);
        wv.bind(p);
        wo.bind(p);
    }

    public Linear outputProjection() {
        return wo;
    }

    private final class Saved implements Mixer.Activations {
        final Tensor q;      // (batch, T, nHeads, headDim), after RoPE
        final Tensor k;      // (batch, T, nKvHeads, headDim), after RoPE
        final Tensor v;      // (batch, T, nKvHeads, headDim)
        final Tensor o;      // (batch, T, nHeads, headDim)
        final Tensor lse;    // (batch, nHeads, T)
        final Tensor delta;  // (batch, nHeads, T)
        final Tensor dq;
        final Tensor dk;
        final Tensor dv;
        final Tensor dout;   // (batch, T, nHeads, headDim)

        Saved(Allocator alloc, int batch, int seqlen) {
            q = alloc.take("q", batch, seqlen, nHeads, headDim);
            k = alloc.take("k", batch, seqlen, nKvHeads, headDim);
            v = alloc.take("v", batch, seqlen, nKvHeads, headDim);
            o = alloc.take("o", batch, seqlen, nHeads, headDim);
            lse = alloc.take("lse", batch, nHeads, seqlen);
            delta = alloc.take("delta", batch, nHeads, seqlen);
            dq = alloc.take("dq", batch, seqlen, nHeads, headDim);
            dk = alloc.take("dk", batch, seqlen, nKvHeads, headDim);
            dv = alloc.take("dv", batch, seqlen, nKvHeads, headDim);
            dout = alloc.take("dout", batch, seqlen, nHeads, headDim);
        }
    }

    @Override
    public Mixer.Activations allocate(Allocator alloc, int batch, int seqlen) {
        return new Saved(alloc, batch, seqlen);
    }

    @Override
    public void forward(Backend k, Tensor y, Tensor x, Mixer.Activations activations) {
        Saved a = (Saved) activations;
        wq.forward(k, a.q, x);
        wk.forward(k, a.k, x);
        wv.forward(k, a.v, x);
        rope.forward(a.q, 0);
        rope.forward(a.k, 0);
        attention.forward(a.o, a.lse, a.q, a.k, a.v);
        wo.forward(k, y, a.o);
    }

    @Override
    public void backward(Backend k, Tensor dx, Tensor dy, Tensor x, Mixer.Activations activations) {
        Saved a = (Saved) activations;
        wo.backward(k, a.dout, dy, a.o, false);
        attention.backward(a.dq, a.dk, a.dv, a.delta, a.dout, a.q, a.k, a.v, a.o, a.lse);
        rope.backward(a.dq, 0);
        rope.backward(a.dk, 0);
        wq.backward(k, dx, a.dq, x, false);
        wk.backward(k, dx, a.dk, x, true);
        wv.backward(k, dx, a.dv, x, true);
    }

    // ------------------------------------------------------------ recurrent inference

    /** One sequence's KV cache. */
    static final class State implements Mixer.State {
        final KvCache cache;

        State(KvCache cache) {
            this.cache = cache;
        }

        @Override
        public Mixer.State copy() {
            return new State(cache.copy());
        }

        @Override
        public void copyFrom(Mixer.State other) {
            cache.copyFrom(((State) other).cache);
        }

        @Override
        public void write(DataOutput out) throws IOException {
            cache.writeTo(out);
        }

        @Override
        public void read(DataInput in) throws IOException {
            cache.readInto(in);
        }
    }

    /** A full-span cache holds {@code capacity} positions; a windowed one is a ring of W, whatever capacity is. */
    @Override
    public Mixer.State newState(int capacity) {
        return new State(attention.newCache(capacity));
    }

    /**
     * How many more positions a state of this layer takes: what is left of a full-span cache's
     * capacity, or (windowed) up to position 2^31 - 1.
     */
    public long room(Mixer.State state) {
        KvCache cache = ((State) state).cache;
        return (span.full() ? cache.capacity() : Integer.MAX_VALUE) - (long) cache.length();
    }

    /** The positions a full-span state holds at most, or -1 for a windowed layer. */
    public int capacity(Mixer.State state) {
        return span.full() ? ((State) state).cache.capacity() : -1;
    }

    /** Inference buffers; the step's operands are views of their first n rows, made here. */
    private final class Workspace implements Mixer.Workspace {
        final Tensor q;       // (maxRows, nHeads * headDim)
        final Tensor k;       // (maxRows, nKvHeads * headDim)
        final Tensor v;       // (maxRows, nKvHeads * headDim)
        final Tensor o;       // (maxRows, nHeads * headDim)
        final Tensor lse;     // (maxBatch * nHeads * maxLength)
        final RowViews q2;
        final RowViews q3;
        final RowViews k2;
        final RowViews k3;
        final RowViews v2;
        final RowViews v3;
        final RowViews o2;
        final RowViews o3;
        final int[] positions;    // (maxBatch) each sequence's position in a step
        final KvCache[] caches;   // (maxBatch) the step's caches, gathered without allocating

        Workspace(Allocator alloc, int maxBatch, int maxLength) {
            int maxRows = maxBatch * maxLength;
            q = alloc.take("q", maxRows, nHeads * headDim);
            k = alloc.take("k", maxRows, nKvHeads * headDim);
            v = alloc.take("v", maxRows, nKvHeads * headDim);
            o = alloc.take("o", maxRows, nHeads * headDim);
            lse = alloc.take("lse", maxBatch * nHeads * maxLength);
            q2 = new RowViews(q, maxBatch, nHeads * headDim);
            q3 = new RowViews(q, maxBatch, nHeads, headDim);
            k2 = new RowViews(k, maxBatch, nKvHeads * headDim);
            k3 = new RowViews(k, maxBatch, nKvHeads, headDim);
            v2 = new RowViews(v, maxBatch, nKvHeads * headDim);
            v3 = new RowViews(v, maxBatch, nKvHeads, headDim);
            o2 = new RowViews(o, maxBatch, nHeads * headDim);
            o3 = new RowViews(o, maxBatch, nHeads, headDim);
            positions = new int[maxBatch];
            caches = new KvCache[maxBatch];
        }
    }

    @Override
    public Mixer.Workspace allocateWorkspace(Allocator alloc, int maxBatch, int maxLength) {
        return new Workspace(alloc, maxBatch, maxLength);
    }

    /**
     * Continues n sequences by lengths[i] positions. When every cache is empty, one tiled parallel
     * attention runs over the whole (n, T) batch (O(T) memory even for a full span; padding only
     * reaches padding, the span being causal); otherwise each sequence continues its own cache
     * (the attention over held positions and the chunk, tiled as well, or position by position for
     * a chunk shorter than {@link #CONTINUE_TILED_MIN}).
     */
    @Override
    public void prefill(Backend k, Tensor y, Tensor x, Mixer.State[] states, int[] lengths, Mixer.Workspace ws) {
        Workspace w = (Workspace) ws;
        int n = x.dim(0);
        int seqlen = x.dim(1);
        int rows = n * seqlen;
        Tensor q = w.q.slice(0, rows).view(n, seqlen, nHeads, headDim);
        Tensor kk = w.k.slice(0, rows).view(n, seqlen, nKvHeads, headDim);
        Tensor vv = w.v.slice(0, rows).view(n, seqlen, nKvHeads, headDim);
        Tensor o = w.o.slice(0, rows).view(n, seqlen, nHeads, headDim);
        Tensor xRows = x.view(rows, d);
        wq.forward(k, q, xRows);
        wk.forward(k, kk, xRows);
        wv.forward(k, vv, xRows);
        boolean fresh = true;
        for (int i = 0; i < n; i++) {
            int start = ((State) states[i]).cache.length();
            fresh &= start == 0;
            rope.forward(q.select(i), start);
            rope.forward(kk.select(i), start);
        }
        if (fresh) {
            attention.forward(o, w.lse.slice(0, n * nHeads * seqlen).view(n, nHeads, seqlen), q, kk, vv);
        }
        for (int i = 0; i < n; i++) {
            int len = lengths[i];
            if (len > 0) {
                KvCache cache = ((State) states[i]).cache;
                Tensor qi = q.select(i).slice(0, len);
                Tensor ki = kk.select(i).slice(0, len);
                Tensor vi = vv.select(i).slice(0, len);
                Tensor oi = o.select(i).slice(0, len);
                if (fresh) {
                    cache.appendAll(ki, vi);
                } else if (len >= CONTINUE_TILED_MIN) {
                    attention.continueFrom(oi, qi, ki, vi, cache);
                    cache.appendAll(ki, vi);
                } else {
                    KvCache[] one = {cache};
                    for (int t = 0; t < len; t++) {
                        attention.step(oi.slice(t, t + 1), qi.slice(t, t + 1), ki.slice(t, t + 1), vi.slice(t, t + 1),
                                one);
                    }
                }
            }
        }
        wo.forward(k, y.view(rows, d), o.view(rows, nHeads * headDim));
    }

    @Override
    public void step(Backend k, Tensor y, Tensor x, Mixer.State[] states, Mixer.Workspace ws) {
        Workspace w = (Workspace) ws;
        int n = x.dim(0);
        for (int i = 0; i < n; i++) {
            KvCache cache = ((State) states[i]).cache;
            w.caches[i] = cache;
            w.positions[i] = cache.length();
        }
        wq.forward(k, w.q2.rows(n), x);
        wk.forward(k, w.k2.rows(n), x);
        wv.forward(k, w.v2.rows(n), x);
        Tensor q = w.q3.rows(n);
        Tensor kk = w.k3.rows(n);
        rope.forwardAt(q, w.positions);
        rope.forwardAt(kk, w.positions);
        attention.step(w.o3.rows(n), q, kk, w.v3.rows(n), w.caches);
        wo.forward(k, y, w.o2.rows(n));
    }
}
