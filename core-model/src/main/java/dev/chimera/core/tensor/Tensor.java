package dev.chimera.core.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A dense float32 tensor: a shape over a contiguous, row-major window of a {@link Storage}.
 * The storage belongs to a compute backend: a heap array for the CPU backends
 * ({@link HeapStorage}), device memory for a device backend. Host code reads values
 * ({@link #data()}, {@link #get}, {@link #at}) only from heap tensors; a device tensor is
 * read through its backend.
 *
 * <p>Views ({@link #view}, {@link #slice}, {@link #select}) share the storage and are
 * bounds-checked when they are made, so a kernel handed a tensor may trust
 * {@code offset() .. offset() + size()} to lie inside its storage. There are no strides:
 * transposed operands are expressed by the GEMM form, never by a strided view, and there is
 * no broadcasting anywhere.
 */
public final class Tensor {
    private final Storage storage;
    private final int offset;
    private final int[] shape;
    private final int size;

    private Tensor(Storage storage, int offset, int[] shape) {
        this.shape = shape.clone();
        this.size = sizeOf(this.shape);
        if (offset < 0 || offset > storage.capacity() - size) {
            throw new IndexOutOfBoundsException("tensor " + shapeString(this.shape) + " at offset " + offset
                    + " does not fit in a storage of " + storage.capacity() + " floats");
        }
        this.storage = storage;
        this.offset = offset;
    }

    /** A new zero-filled tensor on the heap. */
    public static Tensor zeros(int... shape) {
        return new Tensor(new HeapStorage(new float[sizeOf(shape)]), 0, shape);
    }

    /** A tensor over {@code data[offset ..]} with the given shape; the array is shared, not copied. */
    public static Tensor wrap(float[] data, int offset, int... shape) {
        return new Tensor(new HeapStorage(data), offset, shape);
    }

    /** A tensor over {@code storage} from {@code offset} with the given shape (how backends and arenas make them). */
    public static Tensor over(Storage storage, int offset, int... shape) {
        return new Tensor(storage, offset, shape);
    }

    /** A tensor over the whole array with the given shape. */
    public static Tensor of(float[] data, int... shape) {
        if (sizeOf(shape) != data.length) {
            throw new IllegalArgumentException("shape " + shapeString(shape) + " holds " + sizeOf(shape)
                    + " values but the array has " + data.length);
        }
        return new Tensor(new HeapStorage(data), 0, shape);
    }

    /** A tensor of independent uniform values in [lo, hi), from a seeded generator. */
    public static Tensor uniform(long seed, float lo, float hi, int... shape) {
        Tensor t = zeros(shape);
        float[] values = t.data();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < t.size; i++) {
            values[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return t;
    }

    /**
     * The heap array this tensor is a window of (from {@link #offset()}), for CPU kernels and
     * host-side code; a tensor in device memory throws {@link IllegalStateException}.
     */
    public float[] data() {
        return storage.heapArray();
    }

    public Storage storage() {
        return storage;
    }

    public int offset() {
        return offset;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return size;
    }

    /** The same values with another shape of equal size. */
    public Tensor view(int... newShape) {
        if (sizeOf(newShape) != size) {
            throw new IllegalArgumentException("cannot view " + shapeString() + " (" + size + " values) as "
                    + shapeString(newShape) + " (" + sizeOf(newShape) + " values)");
        }
        return new Tensor(storage, offset, newShape);
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) along axis 0. */
    public Tensor slice(int from, int to) {
        requireRankAtLeast(1, "slice");
        if (from < 0 || to > shape[0] || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of axis 0 of " + shapeString());
        }
        int[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(storage, offset + from * rowSize(), s);
    }

    /** Index {@code i} of axis 0, dropping that axis. */
    public Tensor select(int i) {
        requireRankAtLeast(1, "select");
        if (i < 0 || i >= shape[0]) {
            throw new IndexOutOfBoundsException("index " + i + " of axis 0 of " + shapeString());
        }
        return new Tensor(storage, offset + i * rowSize(), Arrays.copyOfRange(shape, 1, shape.length));
    }

    public float get(int... index) {
        return data()[flatIndex(index)];
    }

    public void set(float value, int... index) {
        data()[flatIndex(index)] = value;
    }

    /** Value {@code i} of the flattened window. */
    public float at(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("flat index " + i + " of " + shapeString());
        }
        return data()[offset + i];
    }

    public void fill(float value) {
        Arrays.fill(data(), offset, offset + size, value);
    }

    public void copyFrom(Tensor src) {
        requireSameShape("copyFrom", src);
        System.arraycopy(src.data(), src.offset, data(), offset, size);
    }

    /** A fresh copy with its own backing array. */
    public Tensor copy() {
        return new Tensor(new HeapStorage(toArray()), 0, shape);
    }

    public float[] toArray() {
        return Arrays.copyOfRange(data(), offset, offset + size);
    }

    /** Number of values in one index of axis 0. */
    public int rowSize() {
        int n = 1;
        for (int d = 1; d < shape.length; d++) {
            n *= shape[d];
        }
        return n;
    }

    /** Throws an {@link IllegalArgumentException} naming both shapes unless they are equal. */
    public void requireSameShape(String op, Tensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException(op + ": shape mismatch " + shapeString() + " vs "
                    + other.shapeString());
        }
    }

    public void requireRank(int rank, String what) {
        if (shape.length != rank) {
            throw new IllegalArgumentException(what + " must have rank " + rank + ", got " + shapeString());
        }
    }

    private void requireRankAtLeast(int rank, String op) {
        if (shape.length < rank) {
            throw new IllegalArgumentException(op + " needs rank >= " + rank + ", got " + shapeString());
        }
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for tensor " + shapeString());
        }
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of " + shapeString());
            }
            flat = flat * shape[d] + index[d];
        }
        return offset + flat;
    }

    public String shapeString() {
        return shapeString(shape);
    }

    public static String shapeString(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int d = 0; d < shape.length; d++) {
            if (d > 0) {
                sb.append(", ");
            }
            sb.append(shape[d]);
        }
        return sb.append(')').toString();
    }

    static int sizeOf(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + shapeString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape " + shapeString(shape) + " exceeds the 2^31 values a float[] holds");
            }
        }
        return (int) n;
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString();
    }
}
