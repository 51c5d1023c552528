package dev.chimera.robotics.control;

import java.lang.invoke.VarHandle;

/**
 * The latest observation, handed from the control thread to the policy thread without locks or
 * allocation: a sequence lock (one writer). The version is odd while a write is under way; a
 * reader copies, then retries if the version moved or was odd (Boehm, "Can seqlocks get along with
 * programming language memory models?", 2012: the fences below are the ones that paper asks for).
 */
final class ObservationBuffer {
    private final double[] data;   // (O)
    private volatile long version; // 0: never written

    ObservationBuffer(int size) {
        data = new double[size];
    }

    int size() {
        return data.length;
    }

    /** Copies src in; returns whether it was the first observation ever. One writer thread only. */
    boolean write(double[] src) {
        long v = version;
        version = v + 1;
        VarHandle.storeStoreFence();
        System.arraycopy(src, 0, data, 0, data.length);
        version = v + 2;
        return v == 0;
    }

    boolean ready() {
        return version != 0;
    }

    /** Copies the latest observation into dst; false (dst untouched) if there has been none. */
    boolean read(double[] dst) {
        while (true) {
            long before = version;
            if (before == 0) {
                return false;
            }
            if ((before & 1) == 0) {
                System.arraycopy(data, 0, dst, 0, data.length);
                VarHandle.loadLoadFence();
                if (version == before) {
                    return true;
                }
            }
            Thread.onSpinWait();
        }
    }
}
