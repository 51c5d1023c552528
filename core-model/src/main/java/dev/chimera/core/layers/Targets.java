package dev.chimera.core.layers;

import dev.chimera.core.backend.Backend;

/**
 * What a head is trained to predict at each row (position): token ids for a softmax head
 * ({@link dev.chimera.core.backend.Backend#IGNORE_TARGET} where there is no loss), or continuous
 * values (rows, outDim) with an optional per-row weight (0 masks the row) for the Fourier and
 * regression heads. The loss a head reports is the weighted mean over rows.
 */
public final class Targets {
    private final int[] tokens;
    private final float[] values;
    private final float[] weights;

    private Targets(int[] tokens, float[] values, float[] weights) {
        this.tokens = tokens;
        this.values = values;
        this.weights = weights;
    }

    public static Targets tokens(int[] ids) {
        return new Targets(ids, null, null);
    }

    /** Continuous targets, row-major (rows, outDim); {@code weights} (rows) may be null for all ones. */
    public static Targets values(float[] values, float[] weights) {
        return new Targets(null, values, weights);
    }

    public boolean isTokens() {
        return tokens != null;
    }

    public int[] tokens() {
        if (tokens == null) {
            throw new IllegalArgumentException("this head needs token targets, got continuous values");
        }
        return tokens;
    }

    public float[] values() {
        if (values == null) {
            throw new IllegalArgumentException("this head needs continuous targets, got token ids");
        }
        return values;
    }

    /** The weight of row r: 1 unless weights were given. */
    public float weight(int r) {
        return weights == null ? 1f : weights[r];
    }

    /** The per-row weights, or null when every row weighs 1. */
    public float[] weights() {
        return weights;
    }

    public boolean weighted() {
        return weights != null;
    }
}
