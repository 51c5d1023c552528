package dev.chimera.core.train;

import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.layers.Targets;

/**
 * One training or evaluation batch: inputs (batch, T) and the targets of every position, with the
 * loss mask carried by the targets ({@link Backend#IGNORE_TARGET} for token targets, weight 0 for
 * continuous ones). {@link #of} checks that the two agree.
 */
public record Batch(Inputs inputs, Targets targets) {

    public Batch {
        String problem = problem(inputs, targets);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** A batch whose targets cover exactly batch x T positions; {@code source} names the data in errors. */
    public static Batch of(Inputs inputs, Targets targets, String source) {
        String problem = problem(inputs, targets);
        if (problem != null) {
            throw new IllegalArgumentException(source + ": " + problem);
        }
        return new Batch(inputs, targets);
    }

    private static String problem(Inputs inputs, Targets targets) {
        if (inputs == null || targets == null) {
            return "a batch needs inputs and targets";
        }
        long rows = (long) inputs.batch() * inputs.seqlen();
        if (rows == 0) {
            return "empty batch";
        }
        if (targets.isTokens() && targets.tokens().length != rows) {
            return targets.tokens().length + " targets for " + inputs.batch() + " x " + inputs.seqlen()
                    + " input positions";
        }
        if (!targets.isTokens() && targets.weighted() && targets.weights().length != rows) {
            return targets.weights().length + " target weights for " + inputs.batch() + " x " + inputs.seqlen()
                    + " input positions";
        }
        return null;
    }

    /** Positions that carry a loss. */
    public long lossPositions() {
        if (targets.isTokens()) {
            long n = 0;
            for (int t : targets.tokens()) {
                n += t == Backend.IGNORE_TARGET ? 0 : 1;
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
