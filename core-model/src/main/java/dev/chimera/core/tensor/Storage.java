package dev.chimera.core.tensor;

/**
 * The memory a {@link Tensor} is a window of: a run of float32 values owned by one compute
 * backend. The CPU backends keep them in a heap array ({@link HeapStorage}); a device backend
 * (CUDA) keeps them in device memory and reads or writes them only through its own operations.
 * Code outside a backend never assumes which: it asks a backend to compute, and only the CPU
 * kernels (and host-side bookkeeping of CPU tensors) read {@link #heapArray()}.
 */
public interface Storage {

    /** Floats this storage holds; a tensor's window must lie inside [0, capacity). */
    long capacity();

    /**
     * The heap array behind this storage, for CPU kernels. A storage that lives elsewhere
     * (device memory, or an arena not yet allocated) throws {@link IllegalStateException} saying so.
     */
    float[] heapArray();

    /**
     * The storage that really holds the values: this one, or, for a view such as an arena slab,
     * the backend memory behind it (what a device backend needs to find its pointer).
     */
    default Storage backing() {
        return this;
    }
}
