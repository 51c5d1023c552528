package dev.chimera.cuda;

import dev.chimera.core.tensor.Storage;

/**
 * A run of 4-byte elements (float32 values, or int32 ids and targets) in one GPU's memory, allocated
 * by {@link CudaDevice#allocate} and freed by {@link #close} (or with its device). As a
 * {@link Storage} it is what a tensor of a GPU backend is a window of; its values are read and written
 * only through the device: {@link #heapArray()} refuses.
 */
public final class DeviceBuffer implements Storage, AutoCloseable {
    private final CudaDevice device;
    private final long capacity;
    private final long address;
    private boolean closed;

    DeviceBuffer(CudaDevice device, long address, long capacity) {
        this.device = device;
        this.address = address;
        this.capacity = capacity;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public float[] heapArray() {
        throw new IllegalStateException("a tensor in GPU memory has no heap array: read it through its backend");
    }

    /** The position {@code offset} elements into this buffer. */
    public DevicePointer at(long offset) {
        return new DevicePointer(this, offset);
    }

    /** Copies {@code src[0 .. n)} into this buffer from element {@code offset}. */
    public void upload(float[] src, int n, long offset) {
        checkRange(offset, n);
        device.driver().upload(address(offset), src, n);
    }

    /** Copies the ints {@code src[0 .. n)} into this buffer from element {@code offset}. */
    public void upload(int[] src, int n, long offset) {
        checkRange(offset, n);
        device.driver().upload(address(offset), src, n);
    }

    /** Copies {@code n} elements from element {@code offset} of this buffer into {@code dst[0 .. n)}. */
    public void download(float[] dst, int n, long offset) {
        checkRange(offset, n);
        device.driver().download(dst, n, address(offset));
    }

    /** Reads the buffer's start as {@code n} doubles (a kernel's double partial sums) into {@code dst[0 .. n)}. */
    public void downloadDoubles(double[] dst, int n) {
        checkRange(0, 2 * n);
        device.driver().downloadDoubles(dst, n, address(0));
    }

    /** All of this buffer's elements as floats (for tests and small results). */
    public float[] toArray() {
        if (capacity > Integer.MAX_VALUE) {
            throw new IllegalStateException("a buffer of " + capacity + " elements does not fit in an array");
        }
        float[] out = new float[(int) capacity];
        download(out, out.length, 0);
        return out;
    }

    /** Every element set to the bits of {@code value}. */
    public void fill(float value) {
        device.driver().memset32(address(0), Float.floatToRawIntBits(value), capacity);
    }

    /** The driver's address of element {@code offset}. */
    long address(long offset) {
        if (closed) {
            throw new IllegalStateException("device buffer used after close");
        }
        return address + offset * Float.BYTES;
    }

    private void checkRange(long offset, int n) {
        if (offset < 0 || n < 0 || offset + n > capacity) {
            throw new IndexOutOfBoundsException("elements [" + offset + ", " + (offset + n)
                    + ") outside a buffer of " + capacity);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            device.free(this, address);
            closed = true;
        }
    }
}
