package dev.chimera.genomics;

import dev.chimera.core.decoder.Decoder;

/**
 * The centre that {@link Embedder.Pooling#CENTRED} subtracts: the mean of the mean-pooled
 * embeddings of {@value #SEQUENCES} sequences of {@link #length} bases that the model itself
 * samples from BOS (temperature 1, no top-k, seed {@value #SEED}). The model's own samples are
 * its reference set: they stand for the DNA it was trained on (which a model directory does not
 * carry) and are drawn from nothing but the model, so the centre, and with it a record's vector,
 * does not depend on the other records of a file or on which file the record came in.
 *
 * <p>Why a centre at all: a mean-pooled vector is dominated by a component every DNA sequence
 * shares (the model's states at any position have a large common part), which puts the cosine
 * similarity of any two records, shuffled DNA included, near 1. Subtracting the expected vector of
 * the model's DNA leaves what sets a record apart. Euclidean distances and linear probes are
 * unchanged by any constant shift; only cosine-style comparisons gain.
 */
public final class EmbeddingCentre {
    /** Sequences sampled. */
    public static final int SEQUENCES = 16;
    /** Seed of the samples. */
    public static final long SEED = 1;
    /** Longest sample. */
    private static final int MAX_LENGTH = 1023;

    private EmbeddingCentre() {
    }

    /** Bases per sample: the training context less BOS (the longest sequence the model was trained on), at most 1023. */
    public static int length(int context) {
        return Math.max(1, Math.min(MAX_LENGTH, context - 1));
    }

    /**
     * The centre for {@code decoder} (built for at least {@code length + 1} positions), its samples
     * embedded in windows of {@code window} positions like the records.
     */
    public static float[] compute(Decoder decoder, int window, int length) {
        byte[][] samples = new DnaSampler(decoder, new int[] {NucleotideTokenizer.BOS}, length, 1.0, 0, SEED)
                .sample(SEQUENCES);
        Embedder mean = new Embedder(decoder, window, Embedder.Pooling.MEAN, null);
        double[] sum = new double[mean.dim()];
        for (byte[] s : samples) {
            float[] v = mean.embed(s, "sample", null);
            for (int j = 0; j < sum.length; j++) {
                sum[j] += v[j];
            }
        }
        float[] centre = new float[sum.length];
        for (int j = 0; j < sum.length; j++) {
            centre[j] = (float) (sum[j] / samples.length);
        }
        return centre;
    }
}
