package dev.chimera.core.backend;

import dev.chimera.core.tensor.Tensor;

/**
 * Where a layer gets its buffers for a (batch, length): each one taken by name, so the whole set
 * has a readable layout (llm.c's named offsets into one block of activations). The usual
 * allocator is an {@link Arena}; names nest with {@link #scoped}, e.g. {@code layers.3.mixer.proj}.
 */
public interface Allocator {

    /** A zero-filled tensor of this shape, called {@code name} within this allocator's scope. */
    Tensor take(String name, int... shape);

    /** An allocator whose names are {@code prefix.name} in this one. */
    default Allocator scoped(String prefix) {
        Allocator outer = this;
        return new Allocator() {
            @Override
            public Tensor take(String name, int... shape) {
                return outer.take(prefix + "." + name, shape);
            }
        };
    }
}
