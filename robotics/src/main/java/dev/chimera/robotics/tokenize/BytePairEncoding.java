package dev.chimera.robotics.tokenize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * Byte-pair encoding over integer sequences (Sennrich et al., 2016; FAST compresses its quantised
 * DCT coefficients with it, arXiv 2501.09747 §V-B). The base alphabet is the set of integers seen
 * in training (ids 0..A-1 in ascending order); training then merges the most frequent adjacent pair
 * (ties to the smallest pair) into a new id until the vocabulary is full or no pair occurs twice.
 * Training keeps the sequences as linked lists with pair counts and occurrence lists, so each merge
 * costs only its occurrences. Encoding applies merges in the order they were learnt, which is the
 * order of their ids; an integer outside the alphabet is first clipped to the nearest one in it.
 * Immutable after training; {@link #encode} and {@link #decode} take their buffers from the caller.
 */
final class BytePairEncoding {
    private final int[] alphabet;     // (A) sorted base integers
    private final int[] left;         // (V) left part of merged id, -1 for base ids
    private final int[] right;        // (V)
    private final int[][] expansion;  // (V) base integers each id stands for
    private final PairTable merges;   // pair of ids -> merged id

    private BytePairEncoding(int[] alphabet, int[] left, int[] right, PairTable merges) {
        this.alphabet = alphabet;
        this.left = left;
        this.right = right;
        this.merges = merges;
        this.expansion = new int[left.length][];
        for (int id = 0; id < left.length; id++) {
            if (id < alphabet.length) {
                expansion[id] = new int[] {alphabet[id]};
            } else {
                int[] a = expansion[left[id]];
                int[] b = expansion[right[id]];
                int[] e = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, e, a.length, b.length);
                expansion[id] = e;
            }
        }
    }

    /** Learns merges on the sequences until there are {@code vocabulary} ids in all (or no pair repeats). */
    static BytePairEncoding train(List<int[]> sequences, int vocabulary) {
        TreeSet<Integer> seen = new TreeSet<>();
        int total = 0;
        for (int[] s : sequences) {
            for (int v : s) {
                seen.add(v);
            }
            total += s.length;
        }
        int[] alphabet = seen.stream().mapToInt(Integer::intValue).toArray();
        int[] symbol = new int[total];
        int[] next = new int[total];
        int[] prev = new int[total];
        int at = 0;
        for (int[] s : sequences) {
            for (int i = 0; i < s.length; i++) {
                symbol[at + i] = Arrays.binarySearch(alphabet, s[i]);
                prev[at + i] = i == 0 ? -1 : at + i - 1;
                next[at + i] = i == s.length - 1 ? -1 : at + i + 1;
            }
            at += s.length;
        }
        PairTable counts = new PairTable(1024);
        Map<Long, List<Integer>> where = new HashMap<>();
        PriorityQueue<long[]> queue = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Long.compare(y[0], x[0])
                : Long.compare(x[1], y[1]));
        for (int i = 0; i < total; i++) {
            if (next[i] >= 0) {
                counts.add(symbol[i], symbol[next[i]], 1);
                where.computeIfAbsent(PairTable.key(symbol[i], symbol[next[i]]), k -> new ArrayList<>()).add(i);
            }
        }
        for (Long key : where.keySet()) {
            int l = (int) (key >>> 32);
            int r = (int) (long) key;
            queue.add(new long[] {counts.get(l, r), key});
        }
        int size = Math.max(vocabulary, alphabet.length);
        int[] lefts = new int[size];
        int[] rights = new int[size];
        Arrays.fill(lefts, 0, alphabet.length, -1);
        Arrays.fill(rights, 0, alphabet.length, -1);
        PairTable merged = new PairTable(size);
        int id = alphabet.length;
        while (id < size && !queue.isEmpty()) {
            long[] top = queue.poll();
            int l = (int) (top[1] >>> 32);
            int r = (int) top[1];
            if (top[0] != counts.get(l, r)) {
                continue;
            }
            if (top[0] < 2) {
                break;
            }
            lefts[id] = l;
            rights[id] = r;
            merged.put(l, r, id);
            List<Integer> positions = where.remove(top[1]);
            positions.sort(null);
            for (int i : positions) {
                int j = next[i];
                if (symbol[i] != l || j < 0 || symbol[j] != r) {
                    continue;
                }
                int h = prev[i];
                int k = next[j];
                if (h >= 0) {
                    queue.add(new long[] {counts.add(symbol[h], l, -1), PairTable.key(symbol[h], l)});
                }
                if (k >= 0) {
                    queue.add(new long[] {counts.add(r, symbol[k], -1), PairTable.key(r, symbol[k])});
                }
                counts.add(l, r, -1);
                symbol[i] = id;
                symbol[j] = -1;
                prev[j] = -1;
                next[i] = k;
                if (k >= 0) {
                    prev[k] = i;
                    queue.add(new long[] {counts.add(id, symbol[k], 1), PairTable.key(id, symbol[k])});
                    where.computeIfAbsent(PairTable.key(id, symbol[k]), x -> new ArrayList<>()).add(i);
                }
                if (h >= 0) {
                    queue.add(new long[] {counts.add(symbol[h], id, 1), PairTable.key(symbol[h], id)});
                    where.computeIfAbsent(PairTable.key(symbol[h], id), x -> new ArrayList<>()).add(h);
                }
            }
            counts.put(l, r, 0);
            id++;
        }
        return new BytePairEncoding(alphabet, Arrays.copyOf(lefts, id), Arrays.copyOf(rights, id), merged);
    }

    /** Ids in use: the alphabet and the merges learnt. */
    int vocabulary() {
        return left.length;
    }

    /** The alphabet id of the base integer nearest to v. */
    int baseId(int v) {
        int i = Arrays.binarySearch(alphabet, v);
        if (i >= 0) {
            return i;
        }
        int above = -i - 1;
        if (above == 0) {
            return 0;
        }
        if (above == alphabet.length) {
            return alphabet.length - 1;
        }
        return v - alphabet[above - 1] <= alphabet[above] - v ? above - 1 : above;
    }

    /** Encodes values[0..length) into out (at least length long); returns the number of tokens. */
    int encode(int[] values, int length, int[] out) {
        for (int i = 0; i < length; i++) {
            out[i] = baseId(values[i]);
        }
        int n = length;
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                int m = merges.get(out[i], out[i + 1]);
                if (m >= 0 && m < best) {
                    best = m;
                }
            }
            if (best == Integer.MAX_VALUE) {
                break;
            }
            int l = left[best];
            int r = right[best];
            int w = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && out[i] == l && out[i + 1] == r) {
                    out[w++] = best;
                    i += 2;
                } else {
                    out[w++] = out[i++];
                }
            }
            n = w;
        }
        return n;
    }

    /** The base integers of tokens[0..count) into out; returns how many were written. */
    int decode(int[] tokens, int count, int[] out) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (tokens[i] < 0 || tokens[i] >= expansion.length) {
                throw new IllegalArgumentException("token " + tokens[i] + " is outside the vocabulary of "
                        + expansion.length);
            }
            int[] e = expansion[tokens[i]];
            if (n + e.length > out.length) {
                throw new IllegalArgumentException("the tokens expand to more than " + out.length + " values");
            }
            System.arraycopy(e, 0, out, n, e.length);
            n += e.length;
        }
        return n;
    }
}
