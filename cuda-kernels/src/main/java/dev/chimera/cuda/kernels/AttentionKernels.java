package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.LaunchGeometry.gridStride;
import static dev.chimera.cuda.ParamKind.F32;
import static dev.chimera.cuda.ParamKind.I32;
import static dev.chimera.cuda.ParamKind.PTR;

import dev.chimera.core.attention.KvCache;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.DevicePointer;
import dev.chimera.cuda.Kernel;
import dev.chimera.cuda.KernelFamily;
import dev.chimera.cuda.KernelSignature;
import dev.chimera.cuda.LaunchGeometry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Launches {@code attention.cu}: causal grouped-query attention with the semantics of
 * {@link dev.chimera.core.backend.AttentionOp} (the tiled forward with its log-sum-exp, the backward, the
 * batched decoding step over KV caches and the continuation of a sequence over its cache) and rotary
 * embeddings with those of {@link dev.chimera.core.backend.RotaryOp}. Tensors are device pointers at their
 * first element, laid out as the CPU op's: q, o, dq, dout (batch, T, nHeads, headDim); k, v, dk, dv (batch,
 * T, nKvHeads, headDim); lse, delta (batch, nHeads, T).
 *
 * <p>Backward is FlashAttention-2's, without atomics: {@code attention_delta} writes delta = rowsum(dout * o),
 * one kernel computes dk and dv per key tile (walking the query heads of its kv head and the query tiles that
 * see it) and another dq per query tile (recomputing q.k and dout.v); dq, dk, dv are overwritten.
 *
 * <p>The KV caches of one layer live on the device as a {@link CachePool}: the {@code KvCache[] caches} of
 * {@code AttentionOp.step} become sequences 0 .. n-1 of the pool, each holding what its KvCache holds.
 */
public final class AttentionKernels {
    public static final KernelSignature FORWARD_D64 = KernelSignature.of("attention_forward_d64",
            PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, F32);
    public static final KernelSignature FORWARD_D128 = KernelSignature.of("attention_forward_d128",
            PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, F32);
    public static final KernelSignature CONTINUE_D64 = KernelSignature.of("attention_continue_d64",
            PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, I32, F32);
    public static final KernelSignature CONTINUE_D128 = KernelSignature.of("attention_continue_d128",
            PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, I32, F32);
    public static final KernelSignature DELTA = KernelSignature.of("attention_delta",
            PTR, PTR, PTR, I32, I32, I32, I32);
    public static final KernelSignature BACKWARD_DKDV_D64 = KernelSignature.of("attention_backward_dkdv_d64",
            PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, F32);
    public static final KernelSignature BACKWARD_DKDV_D128 = KernelSignature.of("attention_backward_dkdv_d128",
            PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, F32);
    public static final KernelSignature BACKWARD_DQ_D64 = KernelSignature.of("attention_backward_dq_d64",
            PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, F32);
    public static final KernelSignature BACKWARD_DQ_D128 = KernelSignature.of("attention_backward_dq_d128",
            PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, F32);
    public static final KernelSignature DECODE_STEP = KernelSignature.of("attention_decode_step",
            PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, F32);
    public static final KernelSignature CACHE_APPEND = KernelSignature.of("attention_cache_append",
            PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32);
    public static final KernelSignature CACHE_ADVANCE = KernelSignature.of("attention_cache_advance", PTR, I32, I32);
    public static final KernelSignature ROPE = KernelSignature.of("attention_rope",
            PTR, PTR, I32, I32, I32, I32, I32, F32);
    public static final KernelSignature ROPE_AT = KernelSignature.of("attention_rope_at",
            PTR, PTR, PTR, I32, I32, I32);

    /** The largest head the kernels take (their shared-memory tiles are sized for it). */
    public static final int MAX_HEAD_DIM = 128;
    /** Heads up to this size use the {@code _d64} kernels, larger ones the {@code _d128} kernels. */
    static final int NARROW_HEAD_DIM = 64;
    /** Threads per block of the decoding step (16 groups of 8 lanes). */
    static final int DECODE_THREADS = 128;

    private final CudaDevice device;
    private final Kernel forwardD64;
    private final Kernel forwardD128;
    private final Kernel continueD64;
    private final Kernel continueD128;
    private final Kernel delta;
    private final Kernel dkdvD64;
    private final Kernel dkdvD128;
    private final Kernel dqD64;
    private final Kernel dqD128;
    private final Kernel decodeStep;
    private final Kernel cacheAppend;
    private final Kernel cacheAdvance;
    private final Kernel rope;
    private final Kernel ropeAt;

    public AttentionKernels(CudaDevice device) {
        this.device = device;
        forwardD64 = device.kernel(KernelFamily.ATTENTION, FORWARD_D64);
        forwardD128 = device.kernel(KernelFamily.ATTENTION, FORWARD_D128);
        continueD64 = device.kernel(KernelFamily.ATTENTION, CONTINUE_D64);
        continueD128 = device.kernel(KernelFamily.ATTENTION, CONTINUE_D128);
        delta = device.kernel(KernelFamily.ATTENTION, DELTA);
        dkdvD64 = device.kernel(KernelFamily.ATTENTION, BACKWARD_DKDV_D64);
        dkdvD128 = device.kernel(KernelFamily.ATTENTION, BACKWARD_DKDV_D128);
        dqD64 = device.kernel(KernelFamily.ATTENTION, BACKWARD_DQ_D64);
        dqD128 = device.kernel(KernelFamily.ATTENTION, BACKWARD_DQ_D128);
        decodeStep = device.kernel(KernelFamily.ATTENTION, DECODE_STEP);
        cacheAppend = device.kernel(KernelFamily.ATTENTION, CACHE_APPEND);
        cacheAdvance = device.kernel(KernelFamily.ATTENTION, CACHE_ADVANCE);
        rope = device.kernel(KernelFamily.ATTENTION, ROPE);
        ropeAt = device.kernel(KernelFamily.ATTENTION, ROPE_AT);
    }

    /**
     * One attention layer's heads, as {@code Backend.attention(nHeads, nKvHeads, headDim, window)}: query head
     * h reads kv head h / (nHeads / nKvHeads); window W >= 1 for a sliding window, 0 for the full span.
     */
    public record Heads(int nHeads, int nKvHeads, int headDim, int window) {
        public Heads {
            if (nHeads < 1 || nKvHeads < 1 || headDim < 1 || window < 0) {
                throw new IllegalArgumentException("attention needs nHeads, nKvHeads, headDim >= 1 and window >= 0, got"
                        + " nHeads=" + nHeads + ", nKvHeads=" + nKvHeads + ", headDim=" + headDim + ", window="
                        + window);
            }
            if (nHeads % nKvHeads != 0) {
                throw new IllegalArgumentException("nHeads=" + nHeads + " is not divisible by nKvHeads=" + nKvHeads);
            }
            if (headDim > MAX_HEAD_DIM || nHeads > 65_535) {
                throw new IllegalArgumentException("attention kernels take headDim <= " + MAX_HEAD_DIM
                        + " and nHeads <= 65,535, got headDim=" + headDim + ", nHeads=" + nHeads);
            }
        }

        /** The score scale 1/sqrt(headDim), rounded to float as the CPU op rounds it. */
        public float scale() {
            return (float) (1 / Math.sqrt(headDim));
        }

        /** Whether the {@code _d128} kernels serve this head size. */
        boolean wide() {
            return headDim > NARROW_HEAD_DIM;
        }
    }

    /** Query rows per block of the forward pass and the continuation: 64 ({@code _d64}) or 32. */
    static int forwardRows(Heads a) {
        return a.wide() ? 32 : 64;
    }

    /** Rows (keys; queries for dq) per block of the backward kernels: 32 ({@code _d64}) or 16. */
    static int backwardRows(Heads a) {
        return a.wide() ? 16 : 32;
    }

    /** The forward launch: one block of 4 x rows threads per (query tile, head, sequence). */
    public static LaunchGeometry forwardGeometry(Heads a, int batch, int T) {
        checkBatch(a, batch, T);
        int rows = forwardRows(a);
        return new LaunchGeometry(LaunchGeometry.blocks(T, rows), a.nHeads(), batch, 4 * rows, 1, 1, 0);
    }

    /** The dk/dv launch: one block per (key tile, kv head, sequence). */
    public static LaunchGeometry dkdvGeometry(Heads a, int batch, int T) {
        checkBatch(a, batch, T);
        int rows = backwardRows(a);
        return new LaunchGeometry(LaunchGeometry.blocks(T, rows), a.nKvHeads(), batch, 4 * rows, 1, 1, 0);
    }

    /** The dq launch: one block per (query tile, head, sequence). */
    public static LaunchGeometry dqGeometry(Heads a, int batch, int T) {
        checkBatch(a, batch, T);
        int rows = backwardRows(a);
        return new LaunchGeometry(LaunchGeometry.blocks(T, rows), a.nHeads(), batch, 4 * rows, 1, 1, 0);
    }

    /** The delta launch: a warp per (sequence, position, head) row, grid-stride beyond 4,096 blocks. */
    public static LaunchGeometry deltaGeometry(long rows) {
        return gridStride(32 * rows); // a warp per row
    }

    /** The decoding step's launch: one block of 128 threads per (sequence, query head). */
    public static LaunchGeometry decodeGeometry(Heads a, int n) {
        return new LaunchGeometry(n, a.nHeads(), 1, DECODE_THREADS, 1, 1, 0);
    }

    /** Fails unless batch and T are positive and the batch fits a grid's z (65,535). */
    static void checkBatch(Heads a, int batch, int T) {
        if (batch < 1 || T < 1 || batch > 65_535) {
            throw new IllegalArgumentException("attention needs 1 <= batch <= 65,535 and T >= 1, got batch=" + batch
                    + ", T=" + T);
        }
        if ((long) batch * T * a.nHeads() * a.headDim() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("attention of batch=" + batch + ", T=" + T + ", nHeads=" + a.nHeads()
                    + ", headDim=" + a.headDim() + " has more than 2^31 - 1 values per tensor");
        }
    }

    /**
     * o = softmax(q kᵀ * scale + causal/window mask) v and lse, each row's log-sum-exp of its scaled scores
     * (AttentionOp.forward).
     */
    public void forward(Heads a, DevicePointer o, DevicePointer lse, DevicePointer q, DevicePointer k,
                        DevicePointer v, int batch, int T) {
        LaunchGeometry g = forwardGeometry(a, batch, T);
        (a.wide() ? forwardD128 : forwardD64).launch(g, o, lse, q, k, v, T, a.nHeads(), a.nKvHeads(), a.headDim(),
                a.window(), a.scale());
    }

    /**
     * dq, dk, dv overwritten from dout, with o and lse saved by {@link #forward}; delta (batch, nHeads, T) is
     * scratch, left holding rowsum(dout * o) (AttentionOp.backward).
     */
    public void backward(Heads a, DevicePointer dq, DevicePointer dk, DevicePointer dv, DevicePointer deltaOut,
                         DevicePointer dout, DevicePointer q, DevicePointer k, DevicePointer v, DevicePointer o,
                         DevicePointer lse, int batch, int T) {
        LaunchGeometry kv = dkdvGeometry(a, batch, T);
        long rows = (long) batch * T * a.nHeads();
        delta.launch(deltaGeometry(rows), deltaOut, dout, o, batch, T, a.nHeads(), a.headDim());
        (a.wide() ? dkdvD128 : dkdvD64).launch(kv, dk, dv, q, k, v, dout, lse, deltaOut, T, a.nHeads(),
                a.nKvHeads(), a.headDim(), a.window(), a.scale());
        (a.wide() ? dqD128 : dqD64).launch(dqGeometry(a, batch, T), dq, q, k, v, dout, lse, deltaOut, T, a.nHeads(),
                a.nKvHeads(), a.headDim(), a.window(), a.scale());
    }

    /**
     * One decoding step of sequences 0 .. n-1 of {@code caches} (AttentionOp.step): row i of k and v (n,
     * nKvHeads, headDim) joins sequence i's cache, then row i of q (n, nHeads, headDim) attends to what it
     * holds; out (n, nHeads, headDim).
     */
    public void step(Heads a, DevicePointer out, DevicePointer q, DevicePointer k, DevicePointer v, CachePool caches,
                     int n) {
        caches.checkHeads(a);
        caches.checkStep(n);
        decodeStep.launch(decodeGeometry(a, n), out, caches.keys, caches.values, q, k, v, caches.lengths,
                a.nHeads(), a.nKvHeads(), a.headDim(), caches.capacity, a.scale());
        cacheAdvance.launch(gridStride(n), caches.lengths, n, 1);
        caches.advance(0, n, 1);
    }

    /**
     * The attention of T new positions of sequence {@code seq}, q (T, nHeads, headDim) with k, v (T, nKvHeads,
     * headDim), over what its cache holds and themselves (AttentionOp.continueFrom); the cache is not
     * modified ({@link #append} it afterwards). o (T, nHeads, headDim).
     */
    public void continueFrom(Heads a, DevicePointer o, DevicePointer q, DevicePointer k, DevicePointer v,
                             CachePool caches, int seq, int T) {
        caches.checkHeads(a);
        caches.checkSequence(seq);
        LaunchGeometry g = forwardGeometry(a, 1, T);
        (a.wide() ? continueD128 : continueD64).launch(g, o, q, k, v, caches.keysOf(seq), caches.valuesOf(seq),
                caches.lengthOf(seq), T, a.nHeads(), a.nKvHeads(), a.headDim(), a.window(), caches.capacity,
                a.scale());
    }

    /** Appends T positions, k and v (T, nKvHeads, headDim), to sequence {@code seq}'s cache (KvCache.appendAll). */
    public void append(CachePool caches, int seq, DevicePointer k, DevicePointer v, int T) {
        caches.checkSequence(seq);
        caches.checkAppend(seq, T);
        cacheAppend.launch(gridStride((long) Math.min(T, caches.capacity) * caches.nKvHeads * caches.headDim),
                caches.keysOf(seq), caches.valuesOf(seq), k, v, caches.lengthOf(seq), T, caches.nKvHeads,
                caches.headDim, caches.capacity);
        cacheAdvance.launch(gridStride(1), caches.lengthOf(seq), 1, T);
        caches.advance(seq, 1, T);
    }

    /** The device rotation table of {@code Backend.rotary(headDim, tablePositions, base)}. */
    public Rotary rotary(int headDim, double base) {
        return new Rotary(device, headDim, base);
    }

    /** Rotates x (batch, T, heads, headDim) in place at positions startPos .. startPos + T - 1 (RotaryOp.forward). */
    public void ropeForward(Rotary r, DevicePointer x, int batch, int T, int heads, int startPos) {
        rotate(r, x, batch, T, heads, startPos, 1f);
    }

    /** The inverse rotation of a gradient laid out as {@link #ropeForward}'s x (RotaryOp.backward). */
    public void ropeBackward(Rotary r, DevicePointer dx, int batch, int T, int heads, int startPos) {
        rotate(r, dx, batch, T, heads, startPos, -1f);
    }

    /** Rotates row i of x (n, heads, headDim) at position positions[i], a device int array (RotaryOp.forwardAt). */
    public void ropeForwardAt(Rotary r, DevicePointer x, DevicePointer positions, int n, int heads) {
        checkRope(r, n, 1, heads, 0);
        ropeAt.launch(gridStride((long) n * (r.headDim / 2)), x, r.theta, positions, n, heads, r.headDim);
    }

    private void rotate(Rotary r, DevicePointer x, int batch, int T, int heads, int startPos, float sign) {
        checkRope(r, batch, T, heads, startPos);
        rope.launch(gridStride((long) batch * T * (r.headDim / 2)), x, r.theta, batch * T, T, heads, r.headDim,
                startPos, sign);
    }

    /** Fails unless the sizes are positive, the positions lie in [0, 2^31 - 1) and the tensor fits an int. */
    static void checkRope(Rotary r, int batch, int T, int heads, int startPos) {
        if (batch < 1 || T < 1 || heads < 1 || startPos < 0 || (long) startPos + T > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("RoPE needs batch, T, heads >= 1 and positions in [0, 2^31 - 1), got"
                    + " batch=" + batch + ", T=" + T + ", heads=" + heads + ", startPos=" + startPos);
        }
        if ((long) batch * T * heads * r.headDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("RoPE of batch=" + batch + ", T=" + T + ", heads=" + heads
                    + ", headDim=" + r.headDim + " has more than 2^31 - 1 values");
        }
    }

    /**
     * RoPE's angles on the device: theta_i = base^(-2i/headDim) for i < headDim/2, computed as core's Rope
     * computes them and stored as doubles; the kernels take cos and sin of position * theta_i in double and
     * round them to float, which is what Rope's table (and its extension past the table) holds. There is no
     * position table, so any position in [0, 2^31 - 1) works.
     */
    public static final class Rotary implements AutoCloseable {
        private final int headDim;
        private final double base;
        private final DeviceBuffer theta;

        Rotary(CudaDevice device, int headDim, double base) {
            int[] words = thetaWords(headDim, base);
            this.headDim = headDim;
            this.base = base;
            this.theta = device.upload(words);
        }

        public int headDim() {
            return headDim;
        }

        public double base() {
            return base;
        }

        /** theta_i = base^(-2i/headDim) as Rope computes it, each double as two ints (low word first). */
        static int[] thetaWords(int headDim, double base) {
            if (headDim < 2 || headDim % 2 != 0) {
                throw new IllegalArgumentException("RoPE needs an even headDim >= 2 to pair values, got " + headDim);
            }
            if (!(base > 1) || Double.isInfinite(base)) {
                throw new IllegalArgumentException("RoPE base must be a finite number > 1, got " + base);
            }
            int[] words = new int[headDim];
            for (int i = 0; i < headDim / 2; i++) {
                long bits = Double.doubleToRawLongBits(Math.pow(base, -2.0 * i / headDim));
                words[2 * i] = (int) bits;
                words[2 * i + 1] = (int) (bits >>> 32);
            }
            return words;
        }

        @Override
        public void close() {
            theta.close();
        }
    }

    /**
     * The KV caches of n sequences for one attention layer, on the device: keys and values each (n, nKvHeads,
     * capacity, headDim), so that sequence i's part is exactly the (nKvHeads, capacity, headDim) array of a CPU
     * {@link KvCache} of the same heads, window and capacity (a full cache holds position p in slot p, a
     * windowed one is a ring of W slots, position p in slot p mod W), and lengths (int, n), each sequence's
     * {@link KvCache#length()}. The host keeps a copy of the lengths to refuse what KvCache refuses (appending
     * to a full cache) without reading the device. {@link #load} and {@link #read} move one sequence between a
     * CPU KvCache and the pool.
     */
    public static final class CachePool implements AutoCloseable {
        private final int nKvHeads;
        private final int headDim;
        private final int window;
        private final int capacity;
        private final int sequences;
        private final DeviceBuffer keys;
        private final DeviceBuffer values;
        private final DeviceBuffer lengths;
        private final int[] hostLengths;

        /**
         * Empty caches of {@code sequences} sequences for the layer {@code a}: a full-span cache holds up to
         * {@code capacity} positions, a windowed one is a ring of W slots whatever capacity is (as
         * AttentionOp.newCache).
         */
        public CachePool(CudaDevice device, Heads a, int sequences, int capacity) {
            int slots = slots(a, capacity);
            if (sequences < 1 || sequences > 65_535 || slots < 1) {
                throw new IllegalArgumentException("KV cache pool needs 1 <= sequences <= 65,535 and capacity >= 1, "
                        + "got sequences=" + sequences + ", capacity=" + capacity);
            }
            long perSequence = (long) a.nKvHeads() * slots * a.headDim();
            if (perSequence > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("a KV cache of " + a.nKvHeads() + " x " + slots + " x "
                        + a.headDim() + " floats exceeds 2^31 - 1 values");
            }
            this.nKvHeads = a.nKvHeads();
            this.headDim = a.headDim();
            this.window = a.window();
            this.capacity = slots;
            this.sequences = sequences;
            this.keys = device.allocate(perSequence * sequences);
            this.values = device.allocate(perSequence * sequences);
            this.lengths = device.allocate(sequences);
            this.hostLengths = new int[sequences];
        }

        /** Slots per kv head: the window of a windowed layer, else {@code capacity}. */
        public static int slots(Heads a, int capacity) {
            return a.window() == 0 ? capacity : a.window();
        }

        public int sequences() {
            return sequences;
        }

        /** Slots per kv head (the ring's W for a windowed layer). */
        public int capacity() {
            return capacity;
        }

        /** Positions appended so far to sequence {@code seq} (KvCache.length()). */
        public int length(int seq) {
            checkSequence(seq);
            return hostLengths[seq];
        }

        /** The keys of every sequence, (sequences, nKvHeads, capacity, headDim). */
        public DeviceBuffer keys() {
            return keys;
        }

        /** The values, laid out as {@link #keys()}. */
        public DeviceBuffer values() {
            return values;
        }

        /**
         * Declares that sequence {@code seq} has had {@code length} positions appended, the slots holding
         * whatever was written into {@link #keys()} and {@link #values()} directly (a benchmark's random cache).
         */
        public void setLength(int seq, int length) {
            checkSequence(seq);
            if (length < 0 || (window == 0 && length > capacity)) {
                throw new IllegalArgumentException("sequence " + seq + ": length " + length + " outside [0, "
                        + (window == 0 ? capacity : Integer.MAX_VALUE) + "]");
            }
            lengths.upload(new int[] {length}, 1, seq);
            hostLengths[seq] = length;
        }

        /** Makes sequence {@code seq} hold what {@code cache} holds; the cache must have this pool's shape. */
        public void load(int seq, KvCache cache) {
            checkSequence(seq);
            if (cache.nKvHeads() != nKvHeads || cache.headDim() != headDim || cache.window() != window
                    || cache.capacity() != capacity) {
                throw new IllegalArgumentException("a KV cache of nKvHeads=" + cache.nKvHeads() + ", headDim="
                        + cache.headDim() + ", window=" + cache.window() + ", capacity=" + cache.capacity()
                        + " does not fit a pool of nKvHeads=" + nKvHeads + ", headDim=" + headDim + ", window="
                        + window + ", capacity=" + capacity);
            }
            byte[] image = cache.toBytes();
            int held = Math.min(cache.length(), capacity);
            float[][] slots = {heldSlots(image, false), heldSlots(image, true)};
            DeviceBuffer[] targets = {keys, values};
            for (int a = 0; a < 2; a++) {
                for (int g = 0; g < nKvHeads; g++) {
                    float[] run = Arrays.copyOfRange(slots[a], g * held * headDim, (g + 1) * held * headDim);
                    targets[a].upload(run, run.length, slotOffset(seq, g));
                }
            }
            lengths.upload(new int[] {cache.length()}, 1, seq);
            hostLengths[seq] = cache.length();
        }

        /** A CPU copy of sequence {@code seq}'s cache. */
        public KvCache read(int seq) {
            checkSequence(seq);
            int held = Math.min(hostLengths[seq], capacity);
            float[][] slots = new float[2][nKvHeads * held * headDim];
            DeviceBuffer[] sources = {keys, values};
            float[] run = new float[held * headDim];
            for (int a = 0; a < 2; a++) {
                for (int g = 0; g < nKvHeads; g++) {
                    sources[a].download(run, run.length, slotOffset(seq, g));
                    System.arraycopy(run, 0, slots[a], g * run.length, run.length);
                }
            }
            try {
                return KvCache.fromBytes(image(nKvHeads, headDim, window, capacity, hostLengths[seq], slots[0],
                        slots[1]));
            } catch (IOException e) {
                throw new UncheckedIOException("the pool's image of sequence " + seq + " is not a KV cache", e);
            }
        }

        /** Element offset of sequence seq, kv head g, slot 0 in {@link #keys()} and {@link #values()}. */
        long slotOffset(int seq, int g) {
            return ((long) seq * nKvHeads + g) * capacity * headDim;
        }

        DevicePointer keysOf(int seq) {
            return keys.at(slotOffset(seq, 0));
        }

        DevicePointer valuesOf(int seq) {
            return values.at(slotOffset(seq, 0));
        }

        DevicePointer lengthOf(int seq) {
            return lengths.at(seq);
        }

        void checkHeads(Heads a) {
            if (a.nKvHeads() != nKvHeads || a.headDim() != headDim || a.window() != window) {
                throw new IllegalArgumentException("the pool has nKvHeads=" + nKvHeads + ", headDim=" + headDim
                        + ", window=" + window + " but the attention has nKvHeads=" + a.nKvHeads() + ", headDim="
                        + a.headDim() + ", window=" + a.window() + " (0 = full span)");
            }
        }

        void checkSequence(int seq) {
            if (seq < 0 || seq >= sequences) {
                throw new IllegalArgumentException("sequence " + seq + " outside a pool of " + sequences);
            }
        }

        /** Fails unless sequences 0 .. n-1 exist and each can take one more position. */
        void checkStep(int n) {
            if (n < 1 || n > sequences) {
                throw new IllegalArgumentException("attention step of n=" + n + " sequences, the pool has "
                        + sequences);
            }
            for (int i = 0; i < n; i++) {
                checkAppend(i, 1);
            }
        }

        /** Fails where KvCache would: T positions past a full cache's capacity, or past position 2^31 - 1. */
        void checkAppend(int seq, int T) {
            if (T < 1) {
                throw new IllegalArgumentException("append of T=" + T + " positions");
            }
            if (window == 0 && hostLengths[seq] + (long) T > capacity) {
                throw new IllegalStateException("KV cache of sequence " + seq + " is full: " + hostLengths[seq]
                        + " + " + T + " positions exceed the capacity " + capacity);
            }
            if (hostLengths[seq] + (long) T > Integer.MAX_VALUE) {
                throw new IllegalStateException("KV cache of sequence " + seq + ": position 2^31 - 1 reached");
            }
        }

        /** The host copy of lengths[from .. from+n) += by, as the advance kernel does on the device. */
        void advance(int from, int n, int by) {
            for (int i = from; i < from + n; i++) {
                hostLengths[i] += by;
            }
        }

        @Override
        public void close() {
            keys.close();
            values.close();
            lengths.close();
        }
    }

    /** Bytes of the header {@link KvCache#writeTo} writes: magic, nKvHeads, headDim, window, capacity, length. */
    private static final int HEADER_BYTES = 6 * Integer.BYTES;

    /**
     * The held slots of a cache from its {@link KvCache#toBytes()} image, keys or values, (nKvHeads, held,
     * headDim): the run of each kv head's slots 0 .. held-1.
     */
    static float[] heldSlots(byte[] image, boolean values) {
        ByteBuffer in = ByteBuffer.wrap(image);
        int nKvHeads = in.getInt(4);
        int headDim = in.getInt(8);
        int capacity = in.getInt(16);
        int length = in.getInt(20);
        int n = nKvHeads * Math.min(length, capacity) * headDim;
        float[] out = new float[n];
        in.position(HEADER_BYTES + (values ? n * Float.BYTES : 0));
        in.asFloatBuffer().get(out);
        return out;
    }

    /** A {@link KvCache#fromBytes} image of a cache of this shape and length holding these slots. */
    static byte[] image(int nKvHeads, int headDim, int window, int capacity, int length, float[] keys,
                        float[] values) {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + (keys.length + values.length) * Float.BYTES);
        out.putInt(0x434B5631).putInt(nKvHeads).putInt(headDim).putInt(window).putInt(capacity).putInt(length);
        out.asFloatBuffer().put(keys).put(values);
        return out.array();
    }
}
