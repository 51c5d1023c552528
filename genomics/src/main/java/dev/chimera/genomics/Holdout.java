package dev.chimera.genomics;

import java.util.Arrays;

/**
 * The one train/eval split of a sequence used everywhere (baselines, pretraining, scoring): the
 * last {@code round(f * L)} positions of each record of length L are held out for evaluation, the
 * prefix before them is for training. Splitting by position, not by record, keeps every record on
 * both sides and the evaluation text unseen but from the same genome; the eval suffix may use the
 * train prefix before it as context, never the reverse.
 */
public final class Holdout {
    /** The fraction the commands use when none is given. */
    public static final double DEFAULT_FRACTION = 0.1;

    private final double fraction;

    /** @param fraction in [0, 1): 0 keeps everything for training */
    public Holdout(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("holdout fraction must be in [0, 1), got " + fraction);
        }
        this.fraction = fraction;
    }

    public double fraction() {
        return fraction;
    }

    /** Held-out positions of a record of {@code length}: {@code round(fraction * length)}. */
    public int evalLength(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        return (int) Math.round(fraction * length);
    }

    /** Where evaluation starts: the train prefix is [0, trainEnd), the eval suffix [trainEnd, length). */
    public int trainEnd(int length) {
        return length - evalLength(length);
    }

    /** The train prefix of {@code tokens}. */
    public byte[] train(byte[] tokens) {
        return Arrays.copyOfRange(tokens, 0, trainEnd(tokens.length));
    }

    /** The held-out suffix of {@code tokens}. */
    public byte[] eval(byte[] tokens) {
        return Arrays.copyOfRange(tokens, trainEnd(tokens.length), tokens.length);
    }

    @Override
    public String toString() {
        return "last " + fraction + " of each record held out";
    }
}
