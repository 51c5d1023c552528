package dev.chimera.cuda;

/**
 * A position inside a {@link DeviceBuffer}: the buffer and an element offset into it, what a kernel
 * argument is made of (a tensor's window, a row of a batch). Offsets count 4-byte elements (float or
 * int), the only element size this module uses.
 */
public record DevicePointer(DeviceBuffer buffer, long offset) {

    public DevicePointer {
        if (offset < 0 || offset > buffer.capacity()) {
            throw new IndexOutOfBoundsException("offset " + offset + " outside a buffer of " + buffer.capacity());
        }
    }

    /** The driver's address of this position. */
    long address() {
        return buffer.address(offset);
    }
}
