package dev.chimera.core.layers;

import dev.chimera.core.attention.CausalAttention;
import dev.chimera.core.attention.ContinuedAttention;
import dev.chimera.core.attention.KvCache;
import dev.chimera.core.attention.Rope;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.kernel.Simd;
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
    private final Rope rope;
    private final CausalAttention attention;
    private final ContinuedAttention continued;

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
                          double ropeBase, int maxPositions, ComputePool pool) {
        this.d = d;
        this.nHeads = nHeads;
        this.nKvHeads = nKvHeads;
        this.headDim = d / nHeads;
        this.span = span;
        this.wq = new Linear(b, prefix + ".wq", d, nHeads * headDim, false);
        this.wk = new Linear(b, prefix + ".wk", d, nKvHeads * headDim, false);
        this.wv = new Linear(b, prefix + ".wv", d, nKvHeads * headDim, false);
        this.wo = new Linear(b, prefix + ".wo", nHeads * headDim, d, false);
        // Vector or scalar attention kernels by the same switch as Kernels.create (-Dchimera.kernels).
        boolean vector = Simd.vectorEnabled();
        this.rope = new Rope(headDim, Math.min(maxPositions, ROPE_TABLE_MAX), ropeBase, vector);
        this.attention = span.full() ? CausalAttention.full(nHeads, nKvHeads, headDim, pool, vector)
                : CausalAttention.windowed(nHeads, nKvHeads, headDim, span.window(), pool, vector);
        this.continued = new ContinuedAttention(attention, pool, vector);
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
        final int batch;
        final int seqlen;
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

        Saved(int batch, int seqlen) {
            this.batch = batch;
            this.seqlen = seqlen;
            q = Tensor.zeros(batch, seqlen, nHeads, headDim);
            k = Tensor.zeros(batch, seqlen, nKvHeads, headDim);
            v = Tensor.zeros(batch, seqlen, nKvHeads, headDim);
            o = Tensor.zeros(batch, seqlen, nHeads, headDim);
            lse = Tensor.zeros(batch, nHeads, seqlen);
            delta = Tensor.zeros(batch, nHeads, seqlen);
            dq = Tensor.zeros(batch, seqlen, nHeads, headDim);
            dk = Tensor.zeros(batch, seqlen, nKvHeads, headDim);
            dv = Tensor.zeros(batch, seqlen, nKvHeads, headDim);
            dout = Tensor.zeros(batch, seqlen, nHeads, headDim);
        }
    }

    @Override
    public Mixer.Activations allocate(int batch, int seqlen) {
        return new Saved(batch, seqlen);
    }

    @Override
    public void forward(Kernels k, Tensor y, Tensor x, Mixer.Activations activations) {
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
    public void backward(Kernels k, Tensor dx, Tensor dy, Tensor x, Mixer.Activations activations) {
        Saved a = (Saved) activations;
        wo.backward(k, a.dout, dy, a.o, false);
        attention.backward(a.dq, a.dk, a.dv, a.delta, a.dout, a.q, a.k, a.v, a.o, a.lse);
        rope.backward(a.dq, 0);
        rope.backward(a.dk, 0);
        wq.backward(k, dx, a.dq, x, false);
        wk.backward(k, dx, a.dk, x, true);
        wv.backward(k, dx, a.dv, x, true);
    }

    /** One sequence's KV cache. */
    static final class State implements Mixer.State {
        KvCache cache;

        State(KvCache cache) {
            this.cache = cache;
        }

        @Override
        public Mixer.State copy() {
            return new State(cache.copy());
        }

        @Override
        public void write(DataOutput out) throws IOException {
            cache.writeTo(out);
        }

        @Override
        public void read(DataInput in) throws IOException {
            cache = KvCache.readFrom(in);
        }
    }

    /** A full-span cache holds {@code maxLength} positions; a windowed one is a ring of W, whatever maxLength is. */
    @Override
    public Mixer.State newState(int maxLength) {
        return new State(span.full() ? KvCache.full(nKvHeads, headDim, maxLength)
                : KvCache.windowed(nKvHeads, headDim, span.window()));
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

    /**
     * Continues one sequence by T positions. From an empty cache the chunk runs the tiled
     * parallel attention (O(T) memory even for a full span); a chunk that continues a cache
     * runs {@link ContinuedAttention} over the held positions and itself, tiled as well (a
     * chunk shorter than {@link #CONTINUE_TILED_MIN} takes the decoding step per position).
     */
    @Override
    public void prefill(Kernels k, Tensor y, Tensor x, Mixer.State state) {
        KvCache cache = ((State) state).cache;
        int seqlen = x.dim(1);
        int start = cache.length();
        Tensor q = Tensor.zeros(1, seqlen, nHeads, headDim);
        Tensor kk = Tensor.zeros(1, seqlen, nKvHeads, headDim);
        Tensor vv = Tensor.zeros(1, seqlen, nKvHeads, headDim);
        Tensor o = Tensor.zeros(1, seqlen, nHeads, headDim);
        wq.forward(k, q, x);
        wk.forward(k, kk, x);
        wv.forward(k, vv, x);
        rope.forward(q, start);
        rope.forward(kk, start);
        if (start == 0) {
            attention.forward(o, Tensor.zeros(1, nHeads, seqlen), q, kk, vv);
            cache.appendAll(kk.select(0), vv.select(0));
        } else if (seqlen >= CONTINUE_TILED_MIN) {
            continued.forward(o.select(0), q.select(0), kk.select(0), vv.select(0), cache);
            cache.appendAll(kk.select(0), vv.select(0));
        } else {
            for (int t = 0; t < seqlen; t++) {
                cache.append(kk.select(0).select(t), vv.select(0).select(t));
                attention.decode(o.select(0).select(t), q.select(0).select(t), cache);
            }
        }
        wo.forward(k, y, o);
    }

    @Override
    public void step(Kernels k, Tensor y, Tensor x, Mixer.State[] states) {
        int n = states.length;
        Tensor q = Tensor.zeros(n, nHeads, headDim);
        Tensor kk = Tensor.zeros(n, nKvHeads, headDim);
        Tensor vv = Tensor.zeros(n, nKvHeads, headDim);
        Tensor o = Tensor.zeros(n, nHeads, headDim);
        wq.forward(k, q, x);
        wk.forward(k, kk, x);
        wv.forward(k, vv, x);
        for (int i = 0; i < n; i++) {
            KvCache cache = ((State) states[i]).cache;
            int pos = cache.length();
            Tensor qi = q.select(i);
            Tensor ki = kk.select(i);
            rope.forward(qi, pos);
            rope.forward(ki, pos);
            cache.append(ki, vv.select(i));
            attention.decode(o.select(i), qi, cache);
        }
        wo.forward(k, y, o);
    }
}
