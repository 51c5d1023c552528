package dev.chimera.core.attention;

import dev.chimera.core.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * The keys and values of one sequence for one attention layer, for decoding with
 * {@link CausalAttention#decode}. A full-span cache holds every position up to a capacity
 * fixed at construction; a windowed cache (MASFormer's short-span layers) is a ring of W
 * slots, position p living in slot p mod W, so it holds exactly the window that the next
 * query attends to and never grows.
 *
 * <p>Storage is head-major, (nKvHeads, capacity, headDim), so that one kv head's held
 * positions are a single contiguous run that decoding streams through.
 */
public final class KvCache {
    private static final int MAGIC = 0x434B5631; // "CKV1"
    private static final int IO_CHUNK_FLOATS = 1 << 14;

    private final int nKvHeads;
    private final int headDim;
    /** The window W, or 0 for a full-span cache. */
    private final int window;
    private final int capacity;
    private final float[] keys;   // (nKvHeads, capacity, headDim)
    private final float[] values; // (nKvHeads, capacity, headDim)
    /** Positions appended so far: the absolute position of the next one. */
    private int length;

    private KvCache(int nKvHeads, int headDim, int window, int capacity) {
        if (nKvHeads < 1 || headDim < 1 || capacity < 1) {
            throw new IllegalArgumentException("KV cache needs nKvHeads, headDim, capacity >= 1, got nKvHeads="
                    + nKvHeads + ", headDim=" + headDim + ", capacity=" + capacity);
        }
        long floats = (long) nKvHeads * capacity * headDim;
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("KV cache of " + nKvHeads + " x " + capacity + " x " + headDim
                    + " floats exceeds the 2^31 values a float[] holds");
        }
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        this.window = window;
        this.capacity = capacity;
        this.keys = new float[(int) floats];
        this.values = new float[(int) floats];
    }

    /** A full-span cache for up to {@code capacity} positions. */
    public static KvCache full(int nKvHeads, int headDim, int capacity) {
        return new KvCache(nKvHeads, headDim, 0, capacity);
    }

    /** A ring of {@code window} slots for a sliding-window layer; it accepts any number of positions. */
    public static KvCache windowed(int nKvHeads, int headDim, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("KV cache window must be >= 1, got " + window);
        }
        return new KvCache(nKvHeads, headDim, window, window);
    }

    public int nKvHeads() {
        return nKvHeads;
    }

    public int headDim() {
        return headDim;
    }

    /** The window W, or 0 for a full-span cache. */
    public int window() {
        return window;
    }

    public int capacity() {
        return capacity;
    }

    /** Positions appended so far, which is also the position the next append will have. */
    public int length() {
        return length;
    }

    /** Positions currently held: length for a full cache, min(length, W) for a ring. */
    public int size() {
        return Math.min(length, capacity);
    }

    /**
     * Appends the k and v of the next position, each (nKvHeads, headDim). A full cache refuses
     * a position beyond its capacity; a ring overwrites the position that just left the window.
     */
    public void append(Tensor k, Tensor v) {
        checkRow("k", k);
        checkRow("v", v);
        appendAt(k.data(), k.offset(), v.data(), v.offset());
    }

    /**
     * Appends row {@code row} of k and v, each (n, nKvHeads, headDim): one sequence's position in a
     * batched decoding step. Allocates nothing.
     */
    public void appendRow(Tensor k, Tensor v, int row) {
        if (k.rank() != 3 || k.dim(1) != nKvHeads || k.dim(2) != headDim || row < 0 || row >= k.dim(0)) {
            throw new IllegalArgumentException("KV cache appendRow: row " + row + " of k, which must be (n, nKvHeads="
                    + nKvHeads + ", headDim=" + headDim + "), got " + k.shapeString());
        }
        v.requireSameShape("KV cache appendRow: k vs v", k);
        appendAt(k.data(), k.offset() + row * nKvHeads * headDim, v.data(), v.offset() + row * nKvHeads * headDim);
    }

    private void appendAt(float[] k, int ko, float[] v, int vo) {
        if (window == 0 && length == capacity) {
            throw new IllegalStateException("KV cache is full: " + capacity + " positions held, capacity " + capacity);
        }
        if (length == Integer.MAX_VALUE) {
            throw new IllegalStateException("KV cache: position 2^31 - 1 reached, the most a sequence can have");
        }
        int slot = length % capacity;
        for (int g = 0; g < nKvHeads; g++) {
            System.arraycopy(k, ko + g * headDim, keys, slotOffset(g, slot), headDim);
            System.arraycopy(v, vo + g * headDim, values, slotOffset(g, slot), headDim);
        }
        length++;
    }

    /** Appends T positions in order, k and v each (T, nKvHeads, headDim): the prefill of a prompt. */
    public void appendAll(Tensor k, Tensor v) {
        if (k.rank() != 3 || k.dim(1) != nKvHeads || k.dim(2) != headDim) {
            throw new IllegalArgumentException("KV cache appendAll: k must be (T, nKvHeads=" + nKvHeads + ", headDim="
                    + headDim + "), got " + k.shapeString());
        }
        k.requireSameShape("KV cache appendAll: k vs v", v);
        if (window == 0 && length + k.dim(0) > capacity) {
            throw new IllegalStateException("KV cache appendAll: " + length + " + " + k.dim(0)
                    + " positions exceed the capacity " + capacity);
        }
        int T = k.dim(0);
        int first = 0;
        if (window != 0 && T > capacity) {
            // Only the last W positions stay in the ring: the earlier ones would be overwritten.
            first = T - capacity;
            if ((long) length + first > Integer.MAX_VALUE) {
                throw new IllegalStateException("KV cache appendAll: position " + ((long) length + T)
                        + " is beyond 2^31 - 1");
            }
            length += first;
        }
        int row = nKvHeads * headDim;
        for (int t = first; t < T; t++) {
            appendAt(k.data(), k.offset() + t * row, v.data(), v.offset() + t * row);
        }
    }

    /** The absolute position held in slot {@code slot} (0 <= slot < size()). */
    int positionOfSlot(int slot) {
        int held = size();
        int oldest = length - held;
        return oldest + Math.floorMod(slot - oldest, capacity);
    }

    /** An independent copy, for forking a sequence (beam search, speculative branches). */
    public KvCache copy() {
        KvCache c = new KvCache(nKvHeads, headDim, window, capacity);
        System.arraycopy(keys, 0, c.keys, 0, keys.length);
        System.arraycopy(values, 0, c.values, 0, values.length);
        c.length = length;
        return c;
    }

    /**
     * Makes this cache equal to {@code other}, which must have the same heads, size, window and
     * capacity, without allocating: a state restored in place.
     */
    public void copyFrom(KvCache other) {
        if (other.nKvHeads != nKvHeads || other.headDim != headDim || other.window != window
                || other.capacity != capacity) {
            throw new IllegalArgumentException("KV cache copyFrom: a cache of " + other.describeShape()
                    + " cannot be copied into one of " + describeShape());
        }
        System.arraycopy(other.keys, 0, keys, 0, keys.length);
        System.arraycopy(other.values, 0, values, 0, values.length);
        length = other.length;
    }

    private String describeShape() {
        return "nKvHeads=" + nKvHeads + ", headDim=" + headDim + ", window=" + window + ", capacity=" + capacity;
    }

    /** Offset of kv head g, slot s in {@link #keys()} and {@link #values()}. */
    int slotOffset(int g, int slot) {
        return (g * capacity + slot) * headDim;
    }

    float[] keys() {
        return keys;
    }

    float[] values() {
        return values;
    }

    /**
     * Writes the shape, the position count and the held slots, bit for bit (raw float bits,
     * big-endian). Slots not yet written are not stored; {@link #readFrom} leaves them zero.
     */
    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(nKvHeads);
        out.writeInt(headDim);
        out.writeInt(window);
        out.writeInt(capacity);
        out.writeInt(length);
        byte[] buf = new byte[IO_CHUNK_FLOATS * Float.BYTES];
        FloatBuffer fb = ByteBuffer.wrap(buf).asFloatBuffer();
        for (float[] array : new float[][] {keys, values}) {
            for (int g = 0; g < nKvHeads; g++) {
                int from = slotOffset(g, 0);
                int end = from + size() * headDim;
                for (int i = from; i < end; i += IO_CHUNK_FLOATS) {
                    int n = Math.min(IO_CHUNK_FLOATS, end - i);
                    fb.clear();
                    fb.put(array, i, n);
                    out.write(buf, 0, n * Float.BYTES);
                }
            }
        }
    }

    /** Reads a cache written by {@link #writeTo}; a stream that is not one fails naming the field. */
    public static KvCache readFrom(DataInput in) throws IOException {
        Header h = Header.read(in);
        KvCache c;
        try {
            c = new KvCache(h.nKvHeads, h.headDim, h.window, h.capacity);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt KV cache header: " + e.getMessage(), e);
        }
        c.readBody(in, h.length);
        return c;
    }

    /**
     * Reads a cache written by {@link #writeTo} into this one, which must have the same heads, size,
     * window and capacity: a state restored in place, without allocating a new cache.
     */
    public void readInto(DataInput in) throws IOException {
        Header h = Header.read(in);
        if (h.nKvHeads != nKvHeads || h.headDim != headDim || h.window != window || h.capacity != capacity) {
            throw new IOException("KV cache of nKvHeads=" + h.nKvHeads + ", headDim=" + h.headDim + ", window="
                    + h.window + ", capacity=" + h.capacity + " cannot be read into one of " + describeShape());
        }
        readBody(in, h.length);
    }

    /** The fields {@link #writeTo} writes before the slots. */
    private record Header(int nKvHeads, int headDim, int window, int capacity, int length) {
        static Header read(DataInput in) throws IOException {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new IOException("not a KV cache: magic 0x" + Integer.toHexString(magic) + ", expected 0x"
                        + Integer.toHexString(MAGIC));
            }
            Header h = new Header(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt());
            if (h.window < 0 || (h.window > 0 && h.capacity != h.window) || h.length < 0
                    || (h.window == 0 && h.length > h.capacity)) {
                throw new IOException("corrupt KV cache header: window=" + h.window + ", capacity=" + h.capacity
                        + ", length=" + h.length + " (a ring needs capacity == window; a full cache needs length <= "
                        + "capacity)");
            }
            return h;
        }
    }

    private void readBody(DataInput in, int newLength) throws IOException {
        length = newLength;
        byte[] buf = new byte[IO_CHUNK_FLOATS * Float.BYTES];
        FloatBuffer fb = ByteBuffer.wrap(buf).asFloatBuffer();
        for (float[] array : new float[][] {keys, values}) {
            for (int g = 0; g < nKvHeads; g++) {
                int from = slotOffset(g, 0);
                int end = from + size() * headDim;
                for (int i = from; i < end; i += IO_CHUNK_FLOATS) {
                    int n = Math.min(IO_CHUNK_FLOATS, end - i);
                    in.readFully(buf, 0, n * Float.BYTES);
                    fb.clear();
                    fb.get(array, i, n);
                }
            }
        }
    }

    /** {@link #writeTo} into a byte array. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** {@link #readFrom} a byte array, which must hold exactly one cache. */
    public static KvCache fromBytes(byte[] bytes) throws IOException {
        ByteArrayInputStream stream = new ByteArrayInputStream(bytes);
        KvCache c = readFrom(new DataInputStream(stream));
        if (stream.available() != 0) {
            throw new IOException("KV cache bytes: " + stream.available() + " bytes left over after the cache");
        }
        return c;
    }

    private void checkRow(String name, Tensor x) {
        if (x.rank() != 2 || x.dim(0) != nKvHeads || x.dim(1) != headDim) {
            throw new IllegalArgumentException("KV cache append: " + name + " must be (nKvHeads=" + nKvHeads
                    + ", headDim=" + headDim + "), got " + x.shapeString());
        }
    }
}
