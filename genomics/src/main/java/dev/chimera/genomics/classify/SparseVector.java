package dev.chimera.genomics.classify;

/** A feature vector as its non-zero entries: indices in increasing order and their values. */
public record SparseVector(int[] index, double[] value) {

    public SparseVector {
        if (index.length != value.length) {
            throw new IllegalArgumentException(index.length + " indices for " + value.length + " values");
        }
    }

    /** Every entry of a dense vector. */
    public static SparseVector dense(double[] values) {
        int[] index = new int[values.length];
        for (int i = 0; i < index.length; i++) {
            index[i] = i;
        }
        return new SparseVector(index, values.clone());
    }

    /** sum_i value[i] * w[offset + index[i]]. */
    public double dot(double[] w, int offset) {
        double sum = 0;
        for (int i = 0; i < index.length; i++) {
            sum += value[i] * w[offset + index[i]];
        }
        return sum;
    }

    /** w[offset + index[i]] += a * value[i]. */
    public void addTo(double[] w, int offset, double a) {
        for (int i = 0; i < index.length; i++) {
            w[offset + index[i]] += a * value[i];
        }
    }
}
