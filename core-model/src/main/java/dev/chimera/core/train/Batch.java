package dev.chimera.core.train;

import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.layers.Targets;

/**
 * One training or evaluation batch: inputs (batch, T) and the targets of every position, with the
 * loss mask carried by the targets ({@link Kernels#IGNORE_TARGET} for token targets, weight 0 for
 * continuous ones). {@link #of} checks that the two agree.
 */
public record Batch(Inputs inputs, Targets targets) {

    /** A batch whose targets cover exactly batch x T positions; {@code source} names the data in errors. */
    public static Batch of(Inputs inputs, Targets targets, String source) {
        int rows = inputs.batch() * inputs.seqlen();
        if (rows == 0) {
            throw new IllegalArgumentException(source + ": empty batch");
        }
        int[] tokens = targets.isTokens() ? targets.tokens() : null;
        if (tokens != null && tokens.length != rows) {
            throw new IllegalArgumentException(source + ": " + tokens.length + " targets for " + inputs.batch() + " x "
                    + inputs.seqlen() + " input positions");
        }
        return new Batch(inputs, targets);
    }

    /** Positions that carry a loss. */
    public long lossPositions() {
        if (targets.isTokens()) {
            long n = 0;
            for (int t : targets.tokens()) {
                n += t == Kernels.IGNORE_TARGET ? 0 : 1;
            }
            return n;
        }
        long n = 0;
        int rows = inputs.batch() * inputs.seqlen();
        for (int r = 0; r < rows; r++) {
            n += targets.weight(r) != 0 ? 1 : 0;
        }
        return n;
    }
}
