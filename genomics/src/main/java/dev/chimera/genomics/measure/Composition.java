package dev.chimera.genomics.measure;

import dev.chimera.genomics.NucleotideTokenizer;

/**
 * The base composition of a set of sequences (base tokens): GC fraction and k-mer spectrum, both
 * strands counted (each k-mer with its reverse complement), since a model trained on both strands
 * generates either. k-mers holding N are skipped.
 */
public final class Composition {
    private final int k;
    private final long[] counts;  // 4^k, both strands
    private long gc;
    private long bases;           // A C G T

    public Composition(int k) {
        if (k < 1 || k > 10) {
            throw new IllegalArgumentException("k must be in 1..10, got " + k);
        }
        this.k = k;
        this.counts = new long[1 << (2 * k)];
    }

    /** Adds one sequence. */
    public Composition add(byte[] tokens) {
        int mask = counts.length - 1;
        int forward = 0;
        int reverse = 0;
        int valid = 0;  // bases since the last N
        for (byte t : tokens) {
            if (t > NucleotideTokenizer.T) {
                valid = 0;
                continue;
            }
            bases++;
            gc += t == NucleotideTokenizer.C || t == NucleotideTokenizer.G ? 1 : 0;
            forward = ((forward << 2) | t) & mask;
            reverse = (reverse >>> 2) | ((NucleotideTokenizer.T - t) << (2 * (k - 1)));
            if (++valid >= k) {
                counts[forward]++;
                counts[reverse]++;
            }
        }
        return this;
    }

    /** GC fraction of the A C G T bases. */
    public double gc() {
        return bases == 0 ? Double.NaN : (double) gc / bases;
    }

    public long bases() {
        return bases;
    }

    /** The k-mer frequencies, summing to 1 (all zero if there is no k-mer). */
    public double[] frequencies() {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double[] f = new double[counts.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = total == 0 ? 0 : (double) counts[i] / total;
        }
        return f;
    }

    /** Total variation distance between the two k-mer spectra: half their L1 distance, 0 (same) to 1 (disjoint). */
    public double distance(Composition other) {
        if (other.k != k) {
            throw new IllegalArgumentException("k " + k + " vs " + other.k);
        }
        double[] a = frequencies();
        double[] b = other.frequencies();
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum / 2;
    }

    /** One sequence's k-mer frequencies as float features (both strands). */
    public static float[] kmerFrequencies(byte[] tokens, int k) {
        double[] f = new Composition(k).add(tokens).frequencies();
        float[] out = new float[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (float) f[i];
        }
        return out;
    }
}
