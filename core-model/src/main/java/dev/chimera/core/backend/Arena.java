package dev.chimera.core.backend;

import dev.chimera.core.tensor.Storage;
import dev.chimera.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One block of buffers with named offsets (llm.c's activation layout), so that a backend makes a
 * few large allocations instead of one per buffer, and a device backend allocates once per
 * (batch, length). Used in two phases: every owner takes its tensors by name ({@link #take}),
 * which only plans their offsets; then {@link #allocate()} asks the backend for the memory, and
 * from then on the tensors are usable. A tensor read before that fails, saying so.
 *
 * <p>Buffers are placed one after another, each starting on a 64-byte boundary, in slabs of at
 * most {@link #MAX_SLAB} floats (a heap slab is one Java array, which holds fewer than 2^31
 * values); a buffer larger than that gets a slab of its own if it fits a single array.
 */
public final class Arena implements Allocator {
    /** The most floats one slab holds: a Java array's limit, kept well clear of it. */
    public static final int MAX_SLAB = 1 << 30;
    /** Offsets are multiples of this many floats (64 bytes: one cache line, one AVX-512 vector). */
    private static final int ALIGN = 16;

    /** Where one named buffer lives. */
    public record Slot(String name, int slab, int offset, int[] shape) {
    }

    private final Backend backend;
    private final List<Slab> slabs = new ArrayList<>();
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private boolean allocated;

    public Arena(Backend backend) {
        this.backend = backend;
    }

    @Override
    public Tensor take(String name, int... shape) {
        if (allocated) {
            throw new IllegalStateException("arena: '" + name + "' asked for after allocate(); plan every buffer first");
        }
        if (slots.containsKey(name)) {
            throw new IllegalArgumentException("arena: a buffer named '" + name + "' was already taken");
        }
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("arena: '" + name + "' has a negative dimension in "
                        + Tensor.shapeString(shape));
            }
            size *= d;
        }
        Slab slab = slabs.isEmpty() ? null : slabs.get(slabs.size() - 1);
        long offset = slab == null ? 0 : align(slab.planned);
        if (slab == null || offset + size > MAX_SLAB) {
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("arena: '" + name + "' " + Tensor.shapeString(shape)
                        + " holds more values than one array can");
            }
            slab = new Slab(slabs.size());
            slabs.add(slab);
            offset = 0;
        }
        slab.planned = offset + size;
        slots.put(name, new Slot(name, slab.index, (int) offset, shape.clone()));
        return Tensor.over(slab, (int) offset, shape);
    }

    private static long align(long floats) {
        return (floats + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Makes the memory of every buffer taken so far, zero-filled; the arena takes no more after this. */
    public Arena allocate() {
        if (allocated) {
            throw new IllegalStateException("arena: allocate() called twice");
        }
        for (Slab slab : slabs) {
            slab.memory = backend.allocateStorage(slab.planned);
        }
        allocated = true;
        return this;
    }

    /** The buffers in the order they were taken. */
    public Map<String, Slot> layout() {
        return Collections.unmodifiableMap(slots);
    }

    /** Floats held in all slabs, alignment padding included. */
    public long floats() {
        long n = 0;
        for (Slab s : slabs) {
            n += s.planned;
        }
        return n;
    }

    /**
     * A slab: planned as a size, then backed by the backend's memory. Tensors are made over the
     * slab itself, so the ones handed out while planning see the memory once it exists.
     */
    private static final class Slab implements Storage {
        final int index;
        long planned;
        Storage memory;

        Slab(int index) {
            this.index = index;
        }

        /**
         * While planning, the floats planned so far (take() adds a buffer's size before it makes the
         * tensor): a view made then is checked against what the slab will hold, which for a slab
         * holding one buffer larger than MAX_SLAB is more than MAX_SLAB.
         */
        @Override
        public long capacity() {
            return memory != null ? memory.capacity() : planned;
        }

        @Override
        public float[] heapArray() {
            if (memory == null) {
                throw new IllegalStateException("arena slab " + index + " is not allocated yet: call Arena.allocate()"
                        + " before using its tensors");
            }
            return memory.heapArray();
        }

        @Override
        public Storage backing() {
            if (memory == null) {
                throw new IllegalStateException("arena slab " + index + " is not allocated yet");
            }
            return memory;
        }
    }
}
