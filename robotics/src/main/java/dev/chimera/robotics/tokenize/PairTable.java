package dev.chimera.robotics.tokenize;

import java.util.Arrays;

/**
 * An open-addressing hash map from a pair of symbols to an int (a count, or the id the pair merges
 * into), with no boxing, so that BPE encoding allocates nothing. Missing keys read as -1.
 */
final class PairTable {
    private long[] keys;
    private int[] values;
    private int size;

    PairTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(keys, -1L);
    }

    static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        int mask = keys.length - 1;
        int i = (int) (h ^ (h >>> 29)) & mask;
        while (keys[i] != -1L && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    int get(int left, int right) {
        int i = slot(key(left, right));
        return keys[i] == -1L ? -1 : values[i];
    }

    void put(int left, int right, int value) {
        long key = key(left, right);
        int i = slot(key);
        if (keys[i] == -1L) {
            if (2 * (size + 1) > keys.length) {
                grow();
                i = slot(key);
            }
            keys[i] = key;
            size++;
        }
        values[i] = value;
    }

    /** Adds delta to the value of the pair (a missing pair counts as 0) and returns the new value. */
    int add(int left, int right, int delta) {
        int old = get(left, right);
        int value = Math.max(old, 0) + delta;
        put(left, right, value);
        return value;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        Arrays.fill(keys, -1L);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != -1L) {
                int j = slot(oldKeys[i]);
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
            }
        }
    }
}
