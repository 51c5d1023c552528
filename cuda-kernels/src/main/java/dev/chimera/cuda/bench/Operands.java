package dev.chimera.cuda.bench;

import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import java.util.SplittableRandom;

/** The benchmarks' seeded operands. */
final class Operands {
    /** Random values are drawn for at most this many floats and tiled over larger buffers. */
    private static final int TILE = 1 << 20;

    private Operands() {
    }

    /** A buffer of n floats: a seeded tile of uniform values in [lo, hi), repeated. */
    static DeviceBuffer random(CudaDevice device, long n, long seed, float lo, float hi) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] tile = new float[(int) Math.min(n, TILE)];
        for (int i = 0; i < tile.length; i++) {
            tile[i] = (float) random.nextDouble(lo, hi);
        }
        DeviceBuffer b = device.allocate(n);
        for (long at = 0; at < n; at += tile.length) {
            b.upload(tile, (int) Math.min(tile.length, n - at), at);
        }
        return b;
    }
}
