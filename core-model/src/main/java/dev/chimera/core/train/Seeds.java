package dev.chimera.core.train;

import java.util.SplittableRandom;

/**
 * Independent random streams indexed by a number (batch i of a data source). A SplittableRandom
 * seeded with {@code seed ^ (c * i)} or {@code seed + i} walks the same Weyl sequence as its
 * neighbours, shifted by a few draws, so batch i+1 would nearly repeat batch i; scrambling the
 * index through a 64-bit finaliser (MurmurHash3's fmix64) first gives unrelated starting points.
 */
public final class Seeds {
    private Seeds() {
    }

    /** The random stream of item {@code index} of the source seeded with {@code seed}. */
    public static SplittableRandom stream(long seed, long index) {
        return new SplittableRandom(fmix64(fmix64(seed) + 0x9E3779B97F4A7C15L * index));
    }

    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
