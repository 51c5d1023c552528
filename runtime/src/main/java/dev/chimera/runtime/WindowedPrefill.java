package dev.chimera.runtime;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.tensor.Tensor;
import java.util.function.LongUnaryOperator;

/**
 * Feeds one long token sequence through a {@link Decoder} in windows of at most {@code window}
 * positions, carrying the {@link DecoderState} from window to window, so that the activations
 * in memory are those of one window whatever the sequence's length. With every attention layer
 * windowed the state is bounded too (Mamba2's is constant, a windowed layer's KV cache is a ring);
 * a full-span layer's cache holds the whole sequence, which must then fit the decoder's
 * maxLength ({@link #requireFits}).
 */
public final class WindowedPrefill {
    /** Positions per prefill call by default: activations of a few MB for the small preset. */
    public static final int DEFAULT_WINDOW = 4096;

    /**
     * What is done with the final-norm hidden states (rows, d) of positions [from, from + rows): a
     * view of the prefill's buffers, valid until the call returns.
     */
    @FunctionalInterface
    public interface WindowSink {
        void accept(long from, Tensor hidden);
    }

    private WindowedPrefill() {
    }

    /**
     * Fails, naming {@code where}, if a sequence of {@code positions} positions cannot be run:
     * beyond 2^31 - 1 positions, or longer than what a full-span attention layer holds.
     */
    public static void requireFits(Decoder decoder, long positions, String where) {
        if (positions > Integer.MAX_VALUE) {
            throw new UserException(where + ": " + positions + " positions, more than the 2^31 - 1 a sequence can have");
        }
        ModelConfig c = decoder.config();
        if (InferenceSpan.hasFullSpan(c) && positions > decoder.maxLength()) {
            throw new UserException(String.format(java.util.Locale.ROOT,
                    "%s: needs %,d positions, but a full-span attention layer holds at most %,d (--max-length); "
                            + "use --span context or window:W, whose memory does not grow with the record",
                    where, positions, decoder.maxLength()));
        }
    }

    /**
     * Runs positions [0, length) of the sequence whose token at position p is {@code tokenAt(p)}
     * through a fresh state, {@code window} positions at a time, handing each window's hidden
     * states to {@code sink} in order.
     */
    public static void run(Decoder decoder, long length, LongUnaryOperator tokenAt, int window, WindowSink sink) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, got " + window);
        }
        requireFits(decoder, length, "sequence");
        boolean full = InferenceSpan.hasFullSpan(decoder.config());
        DecoderState[] state = {decoder.newState(full ? (int) Math.max(1, length) : 1)};
        int[] ids = new int[(int) Math.min(window, Math.max(1, length))];
        Decoder.Inference inference = decoder.inference(1, ids.length);
        int[] lengths = new int[1];
        for (long a = 0; a < length; a += window) {
            int n = (int) Math.min(window, length - a);
            for (int j = 0; j < n; j++) {
                ids[j] = (int) tokenAt.applyAsLong(a + j);
            }
            lengths[0] = n;
            sink.accept(a, inference.prefill(state, Inputs.tokensIn(ids, 1, n), lengths).select(0));
        }
    }
}
