package dev.chimera.core.tensor;

/** Storage in a Java float array: what the CPU backends compute on. */
public final class HeapStorage implements Storage {
    private final float[] array;

    public HeapStorage(float[] array) {
        this.array = array;
    }

    @Override
    public long capacity() {
        return array.length;
    }

    @Override
    public float[] heapArray() {
        return array;
    }
}
