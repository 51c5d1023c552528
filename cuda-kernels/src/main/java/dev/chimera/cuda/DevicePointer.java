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

    /**
     * Fails, naming {@code what}, unless {@code elements} elements fit from this position to the end of its
     * buffer: how every launcher refuses an operand too small for the sizes it was given.
     */
    public void requireRoom(String what, long elements) {
        requireRoom(what, buffer.capacity() - offset, elements);
    }

    /** Fails, naming {@code what}, unless {@code elements} fit in the {@code room} a buffer has from a pointer on. */
    public static void requireRoom(String what, long room, long elements) {
        if (room < elements) {
            throw new IllegalArgumentException(what + " needs " + elements + " elements, its buffer has " + room
                    + " from the pointer on");
        }
    }

    /** The driver's address of this position. */
    long address() {
        return buffer.address(offset);
    }
}
